using System.Globalization;

namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>Reads counters from the text of <c>/proc/net/netstat</c> and <c>/proc/net/snmp</c>.</summary>
public static class MibCounters
{
    /// <summary>
    /// Returns counter <paramref name="name"/> of table <paramref name="table"/>, 0 when the table
    /// lacks it; throws <see cref="FormatException"/> when the table's lines do not pair up.
    /// </summary>
    public static long Find(string text, string table, string name) => Table(text, table).GetValueOrDefault(name);

    /// <summary>
    /// Returns every counter of table <paramref name="table"/> (for example <c>MPTcpExt</c>) by
    /// name; throws <see cref="FormatException"/> when the table's lines do not pair up or a value
    /// is no number.
    /// </summary>
    /// <remarks>Each table is two lines, <c>Table: Name1 Name2 ...</c> then <c>Table: 1 2 ...</c>.</remarks>
    public static Dictionary<string, long> Table(string text, string table)
    {
        string label = table + ":";
        string[][] lines = [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(words => words.Length > 0 && words[0] == label)];
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < lines.Length; i += 2)
        {
            string[] names = lines[i];
            string[] values = lines[i + 1];
            if (names.Length != values.Length)
            {
                throw new FormatException($"table {table}: {names.Length} names but {values.Length} values");
            }

            for (int at = 1; at < names.Length; at++)
            {
                counters.TryAdd(names[at], long.TryParse(values[at], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
                    ? value
                    : throw new FormatException($"table {table}: counter {names[at]} is \"{values[at]}\""));
            }
        }

        return counters;
    }

    /// <summary>The counters that changed from <paramref name="before"/> to <paramref name="after"/>, with their increase.</summary>
    public static Dictionary<string, long> Delta(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after)
    {
        var delta = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach ((string name, long value) in after)
        {
            long moved = value - before.GetValueOrDefault(name);
            if (moved != 0)
            {
                delta[name] = moved;
            }
        }

        return delta;
    }
}
