using System.Globalization;
using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Linux.Processes;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Interop.Verification;

/// <summary>
/// Compares the audit's grouping of subflows into MPTCP connections (its fully on-path view) with
/// tshark's <c>mptcp.stream</c> on the same captures: the judge of every interop case, and of the
/// fixture and simulator captures in the tests.
/// </summary>
public static class TsharkGrouping
{
    /// <summary>
    /// Returns null when tshark and the audit put the same subflows together, or a sentence naming
    /// the first subflow they disagree on. <paramref name="subflows"/> counts the MPTCP subflows
    /// either side saw (a guard against comparing two empty sets).
    /// </summary>
    public static string? Compare(string tshark, IReadOnlyList<string> paths, out int subflows)
    {
        var theirs = new Dictionary<SubflowKey, int>();
        foreach (string path in paths)
        {
            string fields = HostCommand.Run(tshark, ["-r", path, "-n", "-Y", "mptcp.stream and not icmp and not icmpv6", "-T", "fields", "-E", "separator=,",
                "-e", "mptcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport"]);
            foreach (string line in fields.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] c = line.Split(',');

                // An ICMP error quoting a segment carries the quoted TCP header's fields too (and
                // two addresses per field): not a segment of the subflow; skip what does not parse.
                if (c.Length != 7 || c[3].Length == 0 || c[6].Length == 0 || c[0].Contains(';') || !ushort.TryParse(c[3], CultureInfo.InvariantCulture, out _) || !ushort.TryParse(c[6], CultureInfo.InvariantCulture, out _))
                {
                    continue;
                }

                var source = new Endpoint(IpAddressBytes.Parse(c[1].Length > 0 ? c[1] : c[2]), ushort.Parse(c[3], CultureInfo.InvariantCulture));
                var destination = new Endpoint(IpAddressBytes.Parse(c[4].Length > 0 ? c[4] : c[5]), ushort.Parse(c[6], CultureInfo.InvariantCulture));
                theirs[SubflowKey.Of(source, destination)] = int.Parse(c[0], CultureInfo.InvariantCulture);
            }
        }

        AuditReport report = AuditRun.Run(paths, []);
        var ours = new Dictionary<SubflowKey, int>();
        foreach (Connection connection in report.Global.Connections)
        {
            // A connection that fell back at once is plain TCP to tshark too: no mptcp.stream.
            if (connection.Subflows.All(s => s.Role == SubflowRole.Fallback))
            {
                continue;
            }

            foreach (Subflow s in connection.Subflows)
            {
                ours[SubflowKey.Of(s.Initiator, s.Responder)] = connection.Id;
            }
        }

        // Every subflow either side calls MPTCP; one with no group on a side is a group of its own.
        var all = theirs.Keys.Union(ours.Keys).ToList();
        subflows = all.Count;
        var theirsToOurs = new Dictionary<string, string>();
        var oursToTheirs = new Dictionary<string, string>();
        foreach (SubflowKey key in all)
        {
            string t = theirs.TryGetValue(key, out int ts) ? $"t{ts}" : $"t-alone-{key}";
            string o = ours.TryGetValue(key, out int os) ? $"o{os}" : $"o-alone-{key}";
            if (!theirsToOurs.TryAdd(t, o) && theirsToOurs[t] != o)
            {
                return $"tshark's stream {t} holds subflows the audit puts in {theirsToOurs[t]} and {o} ({key})";
            }

            if (!oursToTheirs.TryAdd(o, t) && oursToTheirs[o] != t)
            {
                return $"the audit's {o} holds subflows tshark puts in {oursToTheirs[o]} and {t} ({key})";
            }
        }

        return null;
    }
}
