using MptcpPrivacy.Interop.Matrix;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Interop;

/// <summary>
/// Issue 5's matrix: every case, both ways (our stack on a TUN device as client of the kernel's
/// MPTCP, and the kernel as client of ours), in network namespaces created and deleted per run.
/// Each run checks the SHA-256 at both ends, MPTCP or fallback, the subflows, the kernel's own
/// MPTCP counters and the audit's grouping of the capture against tshark's; the privacy-profile
/// cases (issue 6) also check that an offer leaves standard MPTCP and a requirement a refusal.
/// </summary>
public class InteropMatrixTests
{
    public static TheoryData<string, InteropDirection> Runs
    {
        get
        {
            var data = new TheoryData<string, InteropDirection>();
            foreach (InteropCase c in InteropCatalog.All)
            {
                data.Add(c.Name, InteropDirection.OursToKernel);
                data.Add(c.Name, InteropDirection.KernelToOurs);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void CasePassesAgainstTheKernel(string name, InteropDirection direction)
    {
        Privileges.RequireRoot("running our stack against the kernel's MPTCP");
        foreach (string tool in new[] { "ip", "tc", "iptables", "ip6tables", "tcpdump", "ethtool" })
        {
            ExternalTool.Require(tool);
        }

        string tshark = ExternalTool.Require("tshark");
        InteropCase c = InteropCatalog.Find(name)!;
        InteropOutcome outcome = InteropRunner.Run(c, direction, new InteropRunOptions { Tshark = tshark });

        Assert.True(outcome.Passed, $"{name} ({InteropReport.Header(direction)}): {outcome.FailureReason}\nchecks: {string.Join("; ", outcome.Checks.Select(k => $"{k.Name}={(k.Passed ? "ok" : "FAIL")} ({k.Detail})"))}\nour events: {string.Join(" | ", outcome.OurEvents)}\nkernel counters: {string.Join(", ", outcome.KernelCounters.Select(p => $"{p.Key}={p.Value}"))}");
        Assert.Contains(outcome.Checks, k => k.Name == "audit grouping = tshark's");
    }
}
