using FsCheck;
using FsCheck.Fluent;
using MptcpPrivacy.Stack.Congestion;
using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Stack.Congestion;

/// <summary>RFC 6356 §3: the linked increase, its alpha, and its two goals.</summary>
public sealed class LinkedIncreasesTests
{
    private const long Ms = TimeSpan.TicksPerMillisecond;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void Rfc6356_3_EqualPathsGiveAlphaOneOverNAndThresholdNSquaredWindows(int n)
    {
        // alpha = n*w * (w/r^2) / (n*w/r)^2 = 1/n; cwnd_total/alpha = n*w*n.
        CoupledPath[] paths = Enumerable.Repeat(new CoupledPath(20_000, 100 * Ms), n).ToArray();
        Assert.Equal(1.0 / n, LinkedIncreases.ComputeAlpha(paths), 12);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(n * n * 20_000L, LinkedIncreases.Threshold(paths, i));
        }
    }

    [Fact]
    public void Rfc6356_3_UnequalRttsByHand()
    {
        // w1 = 10 000 B at 100 ms, w2 = 20 000 B at 200 ms:
        // max(w/r^2) = 10 000/0.01 = 1e6; sum w/r = 1e5 + 1e5 = 2e5; alpha = 30 000 * 1e6 / 4e10 = 0.75;
        // cwnd_total/alpha = 40 000, above both windows.
        CoupledPath[] paths = [new(10_000, 100 * Ms), new(20_000, 200 * Ms)];
        Assert.Equal(0.75, LinkedIncreases.ComputeAlpha(paths), 12);
        Assert.Equal(40_000, LinkedIncreases.Threshold(paths, 0));
        Assert.Equal(40_000, LinkedIncreases.Threshold(paths, 1));
    }

    [Fact]
    public void Rfc6356_3_TheMinimumKeepsEachSubflowNoMoreAggressiveThanTcpOnItsPath()
    {
        // w1 = 10 000 B at 10 ms, w2 = 100 000 B at 100 ms: max(w/r^2) = 1e8 (path 1); sum w/r = 2e6;
        // alpha = 110 000 * 1e8 / 4e12 = 2.75; cwnd_total/alpha = 40 000. Path 2's own window is larger,
        // so its increase is bytes_acked*MSS/cwnd_2, standard TCP's.
        CoupledPath[] paths = [new(10_000, 10 * Ms), new(100_000, 100 * Ms)];
        Assert.Equal(2.75, LinkedIncreases.ComputeAlpha(paths), 12);
        Assert.Equal(40_000, LinkedIncreases.Threshold(paths, 0));
        Assert.Equal(100_000, LinkedIncreases.Threshold(paths, 1));
    }

    [Fact]
    public void Rfc6356_3_MembersGrowOneMssPerThresholdBytes()
    {
        CouplingSetup s = CongestionDriver.Lia(2);
        CongestionDriver a = s.Drivers[0].EnterAvoidance(10_000).Rtt(100);
        CongestionDriver b = s.Drivers[1].EnterAvoidance(20_000).Rtt(200);
        Assert.Equal(0.75, ((LinkedIncreases)s.Members[0]).Alpha, 6);

        // T = 40 000 bytes for both (the hand computation above): 39 segments do nothing, the 40th adds one MSS.
        a.AckSegments(39);
        Assert.Equal(10_000, a.Window);
        a.AckSegments(1);
        Assert.Equal(11_000, a.Window);
        b.AckSegments(39);
        Assert.Equal(20_000, b.Window);
    }

    [Fact]
    public void Rfc6356_2_DoNoHarm_EqualRttSubflowsTogetherGrowNoFasterThanOneTcp()
    {
        const int n = 3, mss = 1000, rounds = 30;
        CouplingSetup s = CongestionDriver.Lia(n, mss);
        foreach (CongestionDriver d in s.Drivers)
        {
            d.EnterAvoidance(20 * mss).Rtt(100);
        }

        CongestionDriver reno = new CongestionDriver(new NewReno(), mss).EnterAvoidance(20 * mss);
        for (int round = 0; round < rounds; round++)
        {
            foreach (CongestionDriver d in s.Drivers)
            {
                d.AckOneWindow();
            }

            reno.AckOneWindow();
        }

        int coupledGrowth = s.Drivers.Sum(d => d.Window) - (n * 20 * mss);
        int renoGrowth = reno.Window - (20 * mss);
        Assert.Equal(rounds * mss, renoGrowth);

        // alpha = 1/n: together about 1/n MSS per round trip, against one MSS for TCP on the same path.
        Assert.True(coupledGrowth <= renoGrowth / n, $"coupled {coupledGrowth} vs TCP {renoGrowth}");
        Assert.True(coupledGrowth >= (renoGrowth / n) - (n * mss), $"coupled {coupledGrowth} starved");
    }

    [Fact]
    public void Property_Rfc6356_2_TotalRateIncreaseIsAtMostOneTcpOnTheBestPath()
    {
        // Per second subflow i sees w_i/r_i bytes acked and gains MSS*(w_i/r_i)/T_i bytes of window,
        // i.e. MSS*w_i/(r_i^2*T_i) bytes/s of rate; TCP on the lowest-RTT path gains MSS/r_min^2.
        Gen<CoupledPath[]> gen =
            from n in Gen.Choose(1, 8)
            from windows in Gen.ArrayOf(Gen.Choose(1000, 1 << 24), n)
            from rtts in Gen.ArrayOf(Gen.Choose(1, 2000), n)
            select windows.Zip(rtts, (w, r) => new CoupledPath(w, r * Ms)).ToArray();
        Properties.Check(gen, paths =>
        {
            double rate = 0, minRtt = double.MaxValue;
            for (int i = 0; i < paths.Length; i++)
            {
                long t = LinkedIncreases.Threshold(paths, i);
                if (t < paths[i].Window)
                {
                    return false; // never more aggressive than TCP on its own path
                }

                double r = paths[i].RttTicks;
                rate += paths[i].Window / (r * r * t);
                minRtt = Math.Min(minRtt, r);
            }

            return rate <= (1 + 1e-6) / (minRtt * minRtt);
        }, tests: 5_000);
    }

    [Fact]
    public void Property_Rfc6356_3_ThresholdIsExactForTheExtremes()
    {
        // Windows up to 2^31-1 and RTTs from one tick to the clamp never overflow the 128-bit arithmetic,
        // and one path always gets exactly its own window (standard TCP).
        Gen<(int, long, int, long)> gen =
            from w1 in Gen.Choose(1, int.MaxValue)
            from r1 in Gen.Choose(1, int.MaxValue)
            from w2 in Gen.Choose(1, int.MaxValue)
            from r2 in Gen.Choose(1, int.MaxValue)
            select (w1, (long)r1 * 32, w2, (long)r2 * 32);
        Properties.Check(gen, t =>
        {
            CoupledPath a = new(t.Item1, Math.Min(t.Item2, CoupledPath.MaxRttTicks));
            CoupledPath b = new(t.Item3, Math.Min(t.Item4, CoupledPath.MaxRttTicks));
            return LinkedIncreases.Threshold([a], 0) == a.Window
                && LinkedIncreases.Threshold([a, b], 0) >= a.Window
                && LinkedIncreases.Threshold([a, b], 1) >= b.Window;
        }, tests: 5_000);
    }
}
