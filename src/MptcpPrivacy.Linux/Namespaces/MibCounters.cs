using System.Globalization;

namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>Reads counters from the text of <c>/proc/net/netstat</c> and <c>/proc/net/snmp</c>.</summary>
internal static class MibCounters
{
    /// <summary>
    /// Returns counter <paramref name="name"/> of table <paramref name="table"/>, 0 when the table
    /// lacks it; throws <see cref="FormatException"/> when the table's lines do not pair up.
    /// </summary>
    /// <remarks>Each table is two lines, <c>Table: Name1 Name2 ...</c> then <c>Table: 1 2 ...</c>.</remarks>
    public static long Find(string text, string table, string name)
    {
        string label = table + ":";
        string[][] lines = [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(words => words.Length > 0 && words[0] == label)];
        for (int i = 0; i + 1 < lines.Length; i += 2)
        {
            string[] names = lines[i];
            string[] values = lines[i + 1];
            if (names.Length != values.Length)
            {
                throw new FormatException($"table {table}: {names.Length} names but {values.Length} values");
            }

            int at = Array.IndexOf(names, name, 1);
            if (at > 0)
            {
                return long.TryParse(values[at], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
                    ? value
                    : throw new FormatException($"table {table}: counter {name} is \"{values[at]}\"");
            }
        }

        return 0;
    }
}
