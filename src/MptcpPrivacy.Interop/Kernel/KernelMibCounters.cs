using System.Globalization;
using MptcpPrivacy.Linux.Namespaces;

namespace MptcpPrivacy.Interop.Kernel;

/// <summary>
/// The Linux kernel's MPTCP counters of one network namespace (<c>nstat -asz</c>, the
/// <c>MPTcpExt*</c> lines): what the kernel itself says it received and refused, the judge of
/// an interop case beside the bytes.
/// </summary>
public static class KernelMibCounters
{
    /// <summary>Reads every <c>MPTcpExt</c> counter of <paramref name="ns"/>, zeros included.</summary>
    public static Dictionary<string, long> Read(NetworkNamespace ns) => Parse(ns.Exec("nstat", "-asz"));

    /// <summary>Parses <c>nstat -asz</c> output: one "NAME VALUE RATE" per line; keeps the MPTCP ones.</summary>
    public static Dictionary<string, long> Parse(string nstatOutput)
    {
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in nstatOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && fields[0].StartsWith("MPTcpExt", StringComparison.Ordinal)
                && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                counters[fields[0]] = value;
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
