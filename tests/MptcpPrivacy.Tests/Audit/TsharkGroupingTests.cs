using System.Globalization;
using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Audit;

/// <summary>
/// The audit's fully on-path grouping of subflows into connections is tshark's <c>mptcp.stream</c>
/// grouping, on every fixture capture (and, through <see cref="KernelCaptureRegenerationTests"/>,
/// on freshly recorded kernel captures).
/// </summary>
public class TsharkGroupingTests
{
    public static TheoryData<string> Captures => Fixtures.CapturesIn("tcpdump", "kernel");

    [Theory]
    [MemberData(nameof(Captures))]
    public void GroupingIsTsharks(string capture) => AssertSameGrouping([Fixtures.Path_(capture)], capture);

    /// <summary>Compares the audit's grouping with tshark's on one capture (shared with the regeneration test).</summary>
    internal static void AssertSameGrouping(IReadOnlyList<string> paths, string name)
    {
        string tshark = ExternalTool.Require("tshark");
        var theirs = new Dictionary<SubflowKey, int>();
        foreach (string path in paths)
        {
            string fields = ExternalTool.Run(tshark, ["-r", path, "-n", "-Y", "mptcp.stream", "-T", "fields", "-E", "separator=,",
                "-e", "mptcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport"]);
            foreach (string line in fields.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] c = line.Split(',');
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
        // Guards the comparison: the kernel's captures hold MPTCP (but for the one stripped of option 30).
        Assert.True(all.Count > 0 || !name.Contains("kernel", StringComparison.Ordinal) || name.Contains("strip-all", StringComparison.Ordinal), $"{name}: no MPTCP subflow on either side");
        var theirsToOurs = new Dictionary<string, string>();
        var oursToTheirs = new Dictionary<string, string>();
        foreach (SubflowKey key in all)
        {
            string t = theirs.TryGetValue(key, out int ts) ? $"t{ts}" : $"t-alone-{key}";
            string o = ours.TryGetValue(key, out int os) ? $"o{os}" : $"o-alone-{key}";
            Assert.True(theirsToOurs.TryAdd(t, o) || theirsToOurs[t] == o, $"{name}: tshark's stream {t} holds subflows the audit puts in {theirsToOurs[t]} and {o} ({key})");
            Assert.True(oursToTheirs.TryAdd(o, t) || oursToTheirs[o] == t, $"{name}: the audit's {o} holds subflows tshark puts in {oursToTheirs[o]} and {t} ({key})");
        }
    }
}
