using System.Text;

namespace MptcpPrivacy.Cli.Simulate;

/// <summary>
/// A plain-text table for the <c>simulate</c> summary: a header row, a rule, and columns padded to
/// their widest cell, labels aligned left and numbers right.
/// </summary>
/// <param name="alignment">One letter per column: 'l' aligns it left, 'r' right.</param>
/// <param name="headers">The column headers.</param>
internal sealed class SimulateTable(string alignment, params string[] headers)
{
    private readonly List<string[]> _rows = [];

    /// <summary>Adds a row; missing cells are empty.</summary>
    public void Add(params string[] cells) => _rows.Add(cells);

    /// <summary>Writes the table, each line after <paramref name="indent"/>, without trailing spaces.</summary>
    public void WriteTo(TextWriter output, string indent = "  ")
    {
        int[] widths = headers.Select(h => h.Length).ToArray();
        foreach (string[] row in _rows)
        {
            for (int i = 0; i < row.Length && i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        WriteRow(output, indent, headers, widths);
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
            string cell = i < cells.Length ? cells[i] : "";
            line.Append(i < alignment.Length && alignment[i] == 'r' ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
            line.Append("  ");
        }

        output.WriteLine(line.ToString().TrimEnd());
    }
}
