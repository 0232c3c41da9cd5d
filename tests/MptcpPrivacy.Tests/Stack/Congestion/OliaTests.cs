using FsCheck;
using FsCheck.Fluent;
using MptcpPrivacy.Stack.Congestion;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Stack.Congestion;

/// <summary>OLIA (Khalili et al., mptcp_olia.c): epsilon from the best paths B and the max-window paths M, and the increase.</summary>
public sealed class OliaTests
{
    private const long Ms = TimeSpan.TicksPerMillisecond;

    [Fact]
    public void Olia_ABestPathWithoutTheLargestWindowGainsWhatTheLargestLoses()
    {
        // Equal RTTs; path 0 has the largest window (M = {0}), path 1 the longest loss interval
        // (B = {1}), so B \ M = {1}: epsilon_1 = 1/(|P| |B\M|) = 1/2, epsilon_0 = -1/(|P| |M|) = -1/2.
        CoupledPath[] paths = [new(20_000, 100 * Ms, 50_000), new(10_000, 100 * Ms, 100_000)];
        Assert.Equal((-1, 2), Olia.ComputeEpsilon(paths, 0));
        Assert.Equal((1, 2), Olia.ComputeEpsilon(paths, 1));

        // Per byte, in MSS: w_r/S^2 + epsilon_r/w_r with S = 30 000.
        // Path 1: 10 000/9e8 + 0.5/10 000 = 6.111e-5, one MSS per 16 363.6 bytes.
        // Path 0: 20 000/9e8 - 0.5/20 000 = -2.778e-6, one MSS less per 360 000 bytes.
        Assert.Equal(16_363, Olia.Threshold(paths, 1));
        Assert.InRange(Olia.Threshold(paths, 0), -360_000, -359_999);
    }

    [Fact]
    public void Olia_WhenTheBestPathHasTheLargestWindowEpsilonIsZero()
    {
        // B = {0} = M: B \ M is empty; the increase is w_r/S^2 alone: T = S^2/w_r.
        CoupledPath[] paths = [new(20_000, 100 * Ms, 100_000), new(10_000, 100 * Ms, 50_000)];
        Assert.Equal((0, 1), Olia.ComputeEpsilon(paths, 0));
        Assert.Equal((0, 1), Olia.ComputeEpsilon(paths, 1));
        Assert.Equal(45_000, Olia.Threshold(paths, 0));
        Assert.Equal(90_000, Olia.Threshold(paths, 1));
    }

    [Fact]
    public void Olia_BestPathsAreRankedByLossIntervalOverRttSquared()
    {
        // Path 1 loses less often (l = 4x) but has twice the RTT: l/rtt^2 ties, so both are best;
        // path 2 (smaller window, worse ratio) is neither; M = {0}. B \ M = {1}.
        CoupledPath[] paths =
        [
            new(30_000, 100 * Ms, 100_000),
            new(10_000, 200 * Ms, 400_000),
            new(10_000, 100 * Ms, 10_000),
        ];
        Assert.Equal((-1, 3), Olia.ComputeEpsilon(paths, 0));
        Assert.Equal((1, 3), Olia.ComputeEpsilon(paths, 1));
        Assert.Equal((0, 1), Olia.ComputeEpsilon(paths, 2));

        // Path 1's S uses rtt_1 = 200 ms: S = 30 000*2 + 10 000 + 10 000*2 = 90 000;
        // 10 000/8.1e9 + (1/3)/10 000 = 3.4568e-5 per byte: one MSS per 28 928.6 bytes.
        Assert.Equal(28_928, Olia.Threshold(paths, 1));
    }

    [Fact]
    public void Olia_LossIntervalIsTheLargerOfTheLastTwo()
    {
        var olia = new Olia(new CoupledCongestionGroup());
        var d = new CongestionDriver(olia, 1000).EnterAvoidance(10_000); // 9 segments acked since the RTO
        Assert.Equal(9_000, olia.BytesBetweenLosses);

        d.AckSegments(41);
        Assert.Equal(50_000, olia.BytesBetweenLosses);

        // A loss starts a new interval; the previous one still counts until the new one is longer.
        olia.OnRetransmissionTimeout(10_000);
        Assert.Equal(50_000, olia.BytesBetweenLosses);

        // A repeated timeout with nothing acknowledged keeps the history (mptcp_olia_set_state).
        olia.OnRetransmissionTimeout(10_000);
        Assert.Equal(50_000, olia.BytesBetweenLosses);
        d.AckSegments(60);
        Assert.Equal(60_000, olia.BytesBetweenLosses);
        olia.OnRetransmissionTimeout(10_000);
        d.AckSegments(1);
        Assert.Equal(60_000, olia.BytesBetweenLosses);
    }

    [Fact]
    public void Olia_TheBestPathGrowsFasterThanItsOwnShareWouldGive()
    {
        var group = new CoupledCongestionGroup();
        Olia big = new(group), best = new(group);
        new CongestionDriver(big, 1000).EnterAvoidance(20_000).Rtt(100); // l = 19 000

        // best: a long loss-free run (l = 99 000) before a timeout, then back to a 10 000-byte window.
        var b = new CongestionDriver(best, 1000).EnterAvoidance(100_000).Rtt(100);
        best.OnRetransmissionTimeout(20_000);
        b.AckSegments(9);
        Assert.Equal(10_000, b.Window);
        Assert.Equal(10_000, best.SlowStartThreshold);
        Assert.Equal((1, 2), best.Epsilon);
        Assert.Equal((-1, 2), big.Epsilon);

        // One MSS per 16 363 bytes (above) instead of 90 000 without epsilon.
        b.AckSegments(16);
        Assert.Equal(10_000, b.Window);
        b.AckSegments(1);
        Assert.Equal(11_000, b.Window);
    }

    [Fact]
    public void Property_Olia_OnePathIsTcpAndNoInputOverflows()
    {
        Gen<CoupledPath[]> gen =
            from n in Gen.Choose(1, 8)
            from windows in Gen.ArrayOf(Gen.Choose(1, int.MaxValue), n)
            from rtts in Gen.ArrayOf(Gen.Choose(1, int.MaxValue), n)
            from losses in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), n)
            select Enumerable.Range(0, n)
                .Select(i => new CoupledPath(windows[i], Math.Min(rtts[i] * 32L, CoupledPath.MaxRttTicks), losses[i] * 1024L))
                .ToArray();
        Properties.Check(gen, paths =>
        {
            if (Olia.Threshold(paths[..1], 0) != paths[0].Window)
            {
                return false;
            }

            for (int i = 0; i < paths.Length; i++)
            {
                // Without a negative epsilon the window only ever grows.
                if (Olia.ComputeEpsilon(paths, i).Numerator >= 0 && Olia.Threshold(paths, i) <= 0)
                {
                    return false;
                }
            }

            return true;
        }, tests: 5_000);
    }
}
