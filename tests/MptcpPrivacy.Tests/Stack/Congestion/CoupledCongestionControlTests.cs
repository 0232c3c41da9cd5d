using FsCheck;
using FsCheck.Fluent;
using MptcpPrivacy.Stack.Congestion;
using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Stack.Congestion;

/// <summary>What LIA and OLIA share: NewReno outside congestion avoidance, group membership, no coupling before an RTT sample.</summary>
public sealed class CoupledCongestionControlTests
{
    public static TheoryData<string> Algorithms => new() { "lia", "olia" };

    /// <summary>One call a subflow makes on its controller.</summary>
    public readonly record struct Step(int Kind, int Bytes, int Flight, int Count, int RttMs);

    private static CoupledCongestionControl Create(string algorithm, CoupledCongestionGroup group) =>
        algorithm == "lia" ? new LinkedIncreases(group) : new Olia(group);

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Rfc6356_3_ASingleSubflowGroupBehavesExactlyLikeNewReno(string algorithm)
    {
        // Also with a second member that never gets an RTT sample: it is not coupled with (Linux skips srtt_us == 0).
        foreach (bool silentMember in new[] { false, true })
        {
            Gen<(int, Step[])> gen =
                from mss in Gen.Choose(100, 1460)
                from steps in Gen.ListOf(
                    from kind in Gen.Choose(0, 9)
                    from bytes in Gen.Choose(1, 4000)
                    from flight in Gen.Choose(0, 200_000)
                    from count in Gen.Choose(1, 6)
                    from rtt in Gen.Choose(1, 500)
                    select new Step(kind, bytes, flight, count, rtt))
                select (mss, steps.ToArray());
            Properties.Check(gen, t => SameAsNewReno(algorithm, silentMember, t.Item1, t.Item2), tests: 2_000);
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void BeforeAnyRttSampleAMemberIsUncoupled(string algorithm)
    {
        var group = new CoupledCongestionGroup();
        CongestionDriver a = new CongestionDriver(Create(algorithm, group), 1000).EnterAvoidance(20_000);
        new CongestionDriver(Create(algorithm, group), 1000).EnterAvoidance(20_000).Rtt(50);

        // a has no sample: one MSS per window acknowledged, as NewReno, although coupled b has one.
        a.AckOneWindow();
        Assert.Equal(21_000, a.Window);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void ARemovedMemberNoLongerCounts(string algorithm)
    {
        var group = new CoupledCongestionGroup();
        CoupledCongestionControl first = Create(algorithm, group), second = Create(algorithm, group);
        CongestionDriver a = new CongestionDriver(first, 1000).EnterAvoidance(20_000).Rtt(100);
        CongestionDriver b = new CongestionDriver(second, 1000).EnterAvoidance(20_000).Rtt(100);

        // Coupled with an equal path: LIA needs 4 windows per MSS, OLIA (w/S^2) also 4 windows.
        a.AckOneWindow();
        Assert.Equal(20_000, a.Window);

        Assert.True(second.Leave());
        Assert.False(second.Leave());
        Assert.Equal(1, group.Count);
        Assert.Same(first, Assert.Single(group.Members));

        // Alone, a is NewReno again: the window's credit it already holds plus one segment buys one MSS.
        a.AckSegments(1);
        Assert.Equal(21_000, a.Window);

        // The member that left keeps working, uncoupled.
        b.AckOneWindow();
        Assert.Equal(21_000, b.Window);
    }

    [Fact]
    public void AGroupRunsOneAlgorithm()
    {
        var group = new CoupledCongestionGroup();
        _ = new LinkedIncreases(group);
        Assert.Throws<InvalidOperationException>(() => new Olia(group));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void DuringFastRecoveryOthersSeeSsthreshNotTheInflatedWindow(string algorithm)
    {
        var group = new CoupledCongestionGroup();
        CoupledCongestionControl member = Create(algorithm, group);
        new CongestionDriver(member, 1000).EnterAvoidance(20_000).Rtt(100);
        Assert.True(member.OnDuplicateAck(3, 20_000, new SeqNum32(100_000)));
        Assert.True(member.InFastRecovery);
        Assert.Equal(13_000, member.CongestionWindow); // ssthresh 10 000 + 3 MSS (RFC 5681 §3.2)
        Assert.Equal(10_000, member.CoupledWindow);
    }

    private static bool SameAsNewReno(string algorithm, bool silentMember, int mss, Step[] steps)
    {
        var group = new CoupledCongestionGroup();
        CoupledCongestionControl coupled = Create(algorithm, group);
        if (silentMember)
        {
            Create(algorithm, group).Initialize(mss);
        }

        ICongestionControl reno = new NewReno();
        coupled.Initialize(mss);
        reno.Initialize(mss);
        uint ack = 1000;
        foreach (Step s in steps)
        {
            bool a, b;
            switch (s.Kind)
            {
                case <= 5:
                    ack += (uint)s.Bytes;
                    a = coupled.OnAck(new SeqNum32(ack), s.Bytes, s.Flight);
                    b = reno.OnAck(new SeqNum32(ack), s.Bytes, s.Flight);
                    break;
                case 6 or 7:
                    a = coupled.OnDuplicateAck(s.Count, s.Flight, new SeqNum32(ack + (uint)s.Flight));
                    b = reno.OnDuplicateAck(s.Count, s.Flight, new SeqNum32(ack + (uint)s.Flight));
                    break;
                case 8:
                    coupled.OnRetransmissionTimeout(s.Flight);
                    reno.OnRetransmissionTimeout(s.Flight);
                    a = b = false;
                    break;
                default:
                    coupled.OnRttSample(TimeSpan.FromMilliseconds(s.RttMs));
                    reno.OnRttSample(TimeSpan.FromMilliseconds(s.RttMs));
                    a = b = false;
                    break;
            }

            if (a != b || coupled.CongestionWindow != reno.CongestionWindow
                || coupled.SlowStartThreshold != reno.SlowStartThreshold || coupled.InFastRecovery != ((NewReno)reno).InFastRecovery)
            {
                return false;
            }
        }

        return true;
    }
}
