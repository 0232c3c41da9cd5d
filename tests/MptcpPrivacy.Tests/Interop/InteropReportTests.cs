using System.Text;
using System.Text.Json;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Interop.Matrix;

namespace MptcpPrivacy.Tests.Interop;

public class InteropReportTests
{
    private static InteropOutcome Outcome(string name, InteropDirection direction, bool pass)
    {
        var o = new InteropOutcome(InteropCatalog.Find(name)!, direction) { Seconds = 1.5 };
        o.Check("upload", pass, pass ? "same SHA-256" : "server received 0 B");
        o.KernelCounters["MPTcpExtMPJoinAckRx"] = 1;
        return o;
    }

    [Fact]
    public void TableHasOneRowPerCaseAndOneColumnPerDirectionAndCountsRuns()
    {
        var outcomes = new List<InteropOutcome>
        {
            Outcome("capable-v4", InteropDirection.OursToKernel, pass: true),
            Outcome("capable-v4", InteropDirection.KernelToOurs, pass: false),
            Outcome("join-2", InteropDirection.OursToKernel, pass: true),
        };
        var text = new StringWriter();
        InteropReport.WriteText(outcomes, text);
        string[] lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("ours -> kernel", lines[0]);
        Assert.Contains("kernel -> ours", lines[0]);
        Assert.Single(lines, l => l.StartsWith("capable-v4 ", StringComparison.Ordinal) && l.Contains("pass (1.5 s)") && l.Contains("FAIL"));
        Assert.Single(lines, l => l.StartsWith("join-2 ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l == "capable-v4 (kernel -> ours): upload: server received 0 B");
        Assert.Equal("2 passed, 1 failed", lines[^1]);
    }

    [Fact]
    public void JsonCarriesEveryRunWithItsChecks()
    {
        var stream = new MemoryStream();
        InteropReport.WriteJson([Outcome("join-2", InteropDirection.KernelToOurs, pass: false)], stream);
        using JsonDocument doc = JsonDocument.Parse(Encoding.UTF8.GetString(stream.ToArray()));
        Assert.Equal(0, doc.RootElement.GetProperty("passed").GetInt32());
        JsonElement run = doc.RootElement.GetProperty("runs")[0];
        Assert.Equal("kernel-to-ours", run.GetProperty("direction").GetString());
        Assert.Equal("upload: server received 0 B", run.GetProperty("failure").GetString());
        Assert.Equal(1, run.GetProperty("kernelCounters").GetProperty("MPTcpExtMPJoinAckRx").GetInt64());
    }

    [Fact]
    public void AnOutcomeWithoutChecksDoesNotPass()
    {
        var o = new InteropOutcome(InteropCatalog.All[0], InteropDirection.OursToKernel);
        Assert.False(o.Passed);
        Assert.Equal("no check was made", o.FailureReason);
    }

    [Fact]
    public void ProcNetstatGivesTheMptcpCountersAndTheirChange()
    {
        Dictionary<string, long> before = MibCounters.Table("TcpExt: SyncookiesSent\nTcpExt: 3\nMPTcpExt: MPJoinSynRx RmAddr\nMPTcpExt: 2 0\n", "MPTcpExt");
        Dictionary<string, long> after = MibCounters.Table("MPTcpExt: MPJoinSynRx RmAddr\nMPTcpExt: 5 0\n", "MPTcpExt");
        Assert.Equal(2, before.Count);
        Assert.Equal(new Dictionary<string, long> { ["MPJoinSynRx"] = 3 }, MibCounters.Delta(before, after));
        Assert.Throws<FormatException>(() => MibCounters.Table("MPTcpExt: MPJoinSynRx RmAddr\nMPTcpExt: 5 x\n", "MPTcpExt"));
    }

    [Fact]
    public void CaseNamesAreUniqueAndFoundIgnoringCase()
    {
        Assert.Equal(InteropCatalog.All.Count, InteropCatalog.All.Select(c => c.Name).Distinct().Count());
        Assert.Same(InteropCatalog.Find("join-2"), InteropCatalog.Find("JOIN-2"));
        Assert.Null(InteropCatalog.Find("nope"));
    }
}
