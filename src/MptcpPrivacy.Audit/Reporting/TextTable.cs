using System.Text;

namespace MptcpPrivacy.Audit.Reporting;

/// <summary>
/// A plain-text table: a header row, a rule, and columns padded to their widest cell, each aligned
/// left or right; lines carry no trailing spaces. The audit and simulate summaries use it.
/// </summary>
public sealed class TextTable
{
    private readonly List<string[]> _rows = [];
    private readonly string[] _headers;
    private readonly string _alignment;

    /// <summary>Makes a table whose columns are all aligned left.</summary>
    public TextTable(params string[] headers)
        : this(string.Empty, headers)
    {
    }

    /// <summary>Makes a table; <paramref name="alignment"/> has one letter per column, 'l' for left and 'r' for right (missing letters mean left).</summary>
    public TextTable(string alignment, params string[] headers)
    {
        _alignment = alignment;
        _headers = headers;
    }

    /// <summary>Gets the number of rows, header not counted.</summary>
    public int Count => _rows.Count;

    /// <summary>Adds a row; missing cells are empty.</summary>
    public void Add(params string[] cells) => _rows.Add(cells);

    /// <summary>Writes the table, each line after <paramref name="indent"/>.</summary>
    public void WriteTo(TextWriter output, string indent = "  ")
    {
        int[] widths = _headers.Select(h => h.Length).ToArray();
        foreach (string[] row in _rows)
        {
            for (int i = 0; i < row.Length && i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        WriteRow(output, indent, _headers, widths);
        WriteRow(output, indent, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (string[] row in _rows)
        {
            WriteRow(output, indent, row, widths);
        }
    }

    private void WriteRow(TextWriter output, string indent, string[] cells, int[] widths)
    {
        var line = new StringBuilder(indent);
        for (int i = 0; i < widths.Length; i++)
        {
            string cell = i < cells.Length ? cells[i] : string.Empty;
            line.Append(i < _alignment.Length && _alignment[i] == 'r' ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
            line.Append("  ");
        }

        output.WriteLine(line.ToString().TrimEnd());
    }
}
