using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;

namespace MptcpPrivacy.Tests.Integration;

/// <summary>
/// Issue 4's "done when", played on the simulator with our stack at both ends: 10 MB each way over
/// two paths through loss, reordering and duplication, a path that dies, a NAT, option strippers;
/// and the goodput targets on fast paths.
/// </summary>
public class MptcpOverSimulatorTests
{
    private const long TenMegabytes = 10_000_000;

    private static ScenarioSpec TwoPaths(string path1, string path2, long up = TenMegabytes, long down = TenMegabytes, int seed = 1) => new()
    {
        Paths = [PathSpec.Parse(path1), PathSpec.Parse(path2)],
        ClientToServerBytes = up,
        ServerToClientBytes = down,
        Seed = seed,
        DurationNs = 600_000_000_000,
    };

    private static string Describe(ScenarioResult r) =>
        $"seed {r.Seed}: up {r.Upload.BytesDelivered}/{r.Upload.BytesSent} down {r.Download.BytesDelivered}/{r.Download.BytesSent} in {r.DurationSeconds:F1} s ({r.Outcome}), fallback {r.Fallback}\n"
        + string.Join("\n", r.ClientSubflows.Select(s => $"  client {s.Subflow} {s.BytesSent}"))
        + "\n" + string.Join("\n", r.ServerSubflows.Select(s => $"  server {s.Subflow} {s.BytesSent}"))
        + "\n" + string.Join("\n", r.ClientEvents.Select(e => $"  {e.Time.TotalMilliseconds} ms {e.Kind} {e.Subflow} {e.Detail}"));

    private static void AssertByteExact(ScenarioResult r)
    {
        Assert.True(r.Success, Describe(r));
        Assert.Equal(r.Upload.SentSha256, r.Upload.DeliveredSha256);
        Assert.Equal(r.Download.SentSha256, r.Download.DeliveredSha256);
    }

    [Theory]
    [InlineData("0%")]
    [InlineData("1%")]
    [InlineData("5%")]
    public void TenMegabytesEachWayArriveByteExactOverTwoLossyPaths(string loss)
    {
        string impair = $"loss={loss},reorder=1%,dup=1%";
        ScenarioResult r = ScenarioRunner.Run(TwoPaths($"rate=50M,rtt=20ms,{impair}", $"rate=50M,rtt=40ms,{impair}"));
        AssertByteExact(r);
        Assert.Null(r.Fallback);
        Assert.Equal(2, r.SubflowsEstablished);
        Assert.All(r.ClientSubflows, s => Assert.True(s.BytesSent > 500_000, Describe(r)));
    }

    [Fact]
    public void APathThatGoesDownMidTransferLosesNothing()
    {
        ScenarioResult r = ScenarioRunner.Run(TwoPaths("rate=50M,rtt=20ms,down=1s", "rate=50M,rtt=40ms"));
        AssertByteExact(r);
        Assert.True(r.ClientCounters.BytesReinjected + r.ServerCounters.BytesReinjected > 0, Describe(r));
    }

    [Fact]
    public void AJoinThroughANatOnTheSecondPathWorks()
    {
        ScenarioResult r = ScenarioRunner.Run(TwoPaths("rate=50M,rtt=20ms", "rate=50M,rtt=40ms,nat"));
        AssertByteExact(r);
        Assert.Equal(2, r.SubflowsEstablished);
        Assert.All(r.ServerSubflows, s => Assert.True(s.BytesSent > 500_000, Describe(r)));
    }

    [Fact]
    public void AStripperOfAllOptionsGivesPlainTcp()
    {
        ScenarioResult r = ScenarioRunner.Run(TwoPaths("rate=50M,rtt=20ms,strip=all", "rate=50M,rtt=40ms"));
        AssertByteExact(r);
        Assert.NotNull(r.Fallback);
        Assert.Equal(1, r.SubflowsOpened);
    }

    [Fact]
    public void AStripperOfJoinsLeavesOneSubflowAndAWorkingConnection()
    {
        ScenarioResult r = ScenarioRunner.Run(TwoPaths("rate=50M,rtt=20ms", "rate=50M,rtt=40ms,strip=join"));
        AssertByteExact(r);
        Assert.Null(r.Fallback);
        Assert.Equal(1, r.SubflowsEstablished);
        Assert.Equal(0, r.ClientSubflows[1].BytesSent);
    }

    // Router queues of one bandwidth-delay product, the usual sizing (100 Mbit/s × RTT / 1500 B).
    private const string Fast20 = "rate=100M,rtt=20ms,queue=170";
    private const string Fast60 = "rate=100M,rtt=60ms,queue=500";

    [Fact]
    public void TwoHundredMegabitPathsGiveAtLeastNinetyPercentOfTheirSumOnALongTransfer()
    {
        // 1 GB takes about 44 s of virtual time; every payload byte pays 80 bytes of headers per
        // 1,420 (IP, TCP, Timestamps, DSS), so 90 % of the link rate needs the links ~95 % busy.
        ScenarioResult r = ScenarioRunner.Run(TwoPaths(Fast20, Fast60, up: 1_000_000_000, down: 0));
        AssertByteExact(r);
        double share = r.Upload.GoodputBitsPerSecond / 200e6;
        Assert.True(share >= 0.90, $"goodput {r.Upload.GoodputBitsPerSecond / 1e6:F1} Mbit/s = {share:P1} of 200 Mbit/s\n{Describe(r)}");
    }

    [Fact]
    public void ASlowSecondPathDoesNotMakeGoodputWorseThanTheFastPathAlone()
    {
        const long bytes = 200_000_000;
        ScenarioResult alone = ScenarioRunner.Run(new ScenarioSpec
        {
            Paths = [PathSpec.Parse(Fast20)],
            ClientToServerBytes = bytes,
            ServerToClientBytes = 0,
            DurationNs = 600_000_000_000,
        });
        ScenarioResult both = ScenarioRunner.Run(TwoPaths(Fast20, "rate=10M,rtt=60ms,queue=50", up: bytes, down: 0));
        AssertByteExact(alone);
        AssertByteExact(both);
        Assert.True(both.ClientSubflows[1].BytesSent > 0, "the slow path carried nothing");
        Assert.True(
            both.Upload.GoodputBitsPerSecond >= alone.Upload.GoodputBitsPerSecond,
            $"with the 10 Mbit/s path {both.Upload.GoodputBitsPerSecond / 1e6:F1} Mbit/s, alone {alone.Upload.GoodputBitsPerSecond / 1e6:F1} Mbit/s");
    }

    [Fact]
    public void TheSameSeedGivesTheSameCaptureAndAnotherSeedAnother()
    {
        byte[] Capture(int seed)
        {
            using var stream = new MemoryStream();
            ScenarioResult r = ScenarioRunner.Run(TwoPaths("rate=20M,rtt=20ms,loss=1%,jitter=2ms,reorder=1%", "rate=20M,rtt=40ms,dup=1%", up: 300_000, down: 300_000, seed: seed), stream);
            AssertByteExact(r);
            return stream.ToArray();
        }

        byte[] a = Capture(5);
        Assert.Equal(a, Capture(5));
        Assert.NotEqual(a, Capture(6));
    }

    [Fact]
    public void Rfc8684_3_4_2_AnAddressThatGoesAwayIsRemovedAndANewOneJoins()
    {
        // Path 2's address disappears at 1 s (REMOVE_ADDR, the subflow closes, its data moves to
        // path 1) and a new one appears on path 2 at 2 s (a new join from it).
        ScenarioSpec spec = TwoPaths("rate=20M,rtt=20ms", "rate=20M,rtt=40ms", up: 8_000_000, down: 8_000_000) with
        {
            Mobility =
            [
                MobilityEvent.Parse("at=1s,path=2,remove=203.0.113.2"),
                MobilityEvent.Parse("at=2s,path=2,add=203.0.113.9/24"),
            ],
        };
        ScenarioResult r = ScenarioRunner.Run(spec);
        AssertByteExact(r);
        Assert.Contains(r.ServerEvents, e => e.Kind == MptcpEventKind.AddressRemoved);
        Assert.Contains(r.ServerEvents, e => e.Kind == MptcpEventKind.SubflowClosed && e.Subflow!.Value.RemoteAddress.ToString() == "203.0.113.2");
        Assert.Contains(r.ClientSubflows, s => s.Subflow.LocalAddress.ToString() == "203.0.113.9" && s.BytesSent > 0);
        Assert.Equal(3, r.SubflowsEstablished);
    }

    [Fact]
    public void Rfc8684_3_4_1_AnAnnouncedServerAddressIsJoined()
    {
        ScenarioSpec spec = TwoPaths("rate=20M,rtt=20ms", "rate=20M,rtt=40ms", up: 2_000_000, down: 2_000_000) with
        {
            ServerAnnouncedAddresses = [MptcpPrivacy.Simulation.InterfaceAddress.Parse("192.0.2.2/25")],
        };
        ScenarioResult r = ScenarioRunner.Run(spec);
        AssertByteExact(r);
        Assert.Contains(r.ClientEvents, e => e.Kind == MptcpEventKind.AddressAnnounced && e.Address!.Value.ToString() == "192.0.2.2");
        Assert.Contains(r.ClientSubflows, s => s.Subflow.RemoteAddress.ToString() == "192.0.2.2");
    }

    [Fact]
    public void TheKernelsDefaultLimitsLetTwoMorePathsJoinAndLeaveTheAnnouncedAddressUnfollowed()
    {
        // Three client paths and an announced server address; the kernel's defaults (subflows 2,
        // add_addr_accepted 0) let both other paths join and leave the announcement unfollowed.
        ScenarioSpec spec = TwoPaths("rate=20M,rtt=20ms", "rate=20M,rtt=40ms", up: 2_000_000, down: 2_000_000) with
        {
            Paths = [PathSpec.Parse("rate=20M,rtt=20ms"), PathSpec.Parse("rate=20M,rtt=40ms"), PathSpec.Parse("rate=20M,rtt=60ms")],
            ServerAnnouncedAddresses = [MptcpPrivacy.Simulation.InterfaceAddress.Parse("192.0.2.2/25")],
        };
        ScenarioResult r = ScenarioRunner.Run(spec, client: new MptcpOptions { PathManagerLimits = PathManagerLimits.Default });
        AssertByteExact(r);
        Assert.Equal(3, r.SubflowsEstablished);
        Assert.DoesNotContain(r.ClientSubflows, s => s.Subflow.RemoteAddress.ToString() == "192.0.2.2");
        Assert.Equal(1, r.ClientCounters.AddAddrOverLimit);

        // One subflow fewer allowed: the third path does not join.
        r = ScenarioRunner.Run(spec, client: new MptcpOptions { PathManagerLimits = new PathManagerLimits(subflows: 1) });
        AssertByteExact(r);
        Assert.Equal(2, r.SubflowsEstablished);
        Assert.Equal(2, r.ClientSubflows.Count);
    }
}
