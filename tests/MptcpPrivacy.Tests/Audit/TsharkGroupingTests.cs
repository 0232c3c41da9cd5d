using MptcpPrivacy.Interop.Verification;
using MptcpPrivacy.Tests.Support;

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
        string? mismatch = TsharkGrouping.Compare(tshark, paths, out int subflows);
        // Guards the comparison: the kernel's captures hold MPTCP (but for the one stripped of option 30).
        Assert.True(subflows > 0 || !name.Contains("kernel", StringComparison.Ordinal) || name.Contains("strip-all", StringComparison.Ordinal), $"{name}: no MPTCP subflow on either side");
        Assert.True(mismatch is null, $"{name}: {mismatch}");
    }
}
