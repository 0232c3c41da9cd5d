using MptcpPrivacy.Simulation;
using static MptcpPrivacy.Tests.Simulation.SimPackets;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>Link arithmetic and impairments, with two datagram nodes and no TCP.</summary>
public class LinkTests
{
    private static (Simulator Sim, DatagramNode A, DatagramNode B, Link Link) Pair(int seed, LinkConfig config)
    {
        var sim = new Simulator(new Random(seed));
        var a = new DatagramNode("a");
        var b = new DatagramNode("b", echo: false);
        a.AddInterface(A4, A6);
        b.AddInterface(B4, B6);
        sim.AddNode(a);
        sim.AddNode(b);
        return (sim, a, b, sim.Connect(a, 0, b, 0, config, "ab"));
    }

    [Fact]
    public void A_1500_byte_packet_on_10_Mbit_with_10_ms_arrives_after_exactly_1_2_ms_plus_10_ms()
    {
        var (sim, a, b, _) = Pair(1, new LinkConfig { RateBitsPerSecond = 10_000_000, DelayNs = 10_000_000 });
        a.SendPacketAt(0, 0, Numbered(0, 1500));
        a.SendPacketAt(0, 0, Numbered(1, 1500, v6: true));
        Assert.Equal(RunOutcome.Idle, sim.RunUntilIdle(long.MaxValue, 1000));
        Assert.Equal([11_200_000L, 12_400_000L], b.Received.Select(r => r.Time));
    }

    [Fact]
    public void A_full_queue_drops_the_tail()
    {
        var (sim, a, b, link) = Pair(1, new LinkConfig { RateBitsPerSecond = 10_000_000, DelayNs = 0, QueuePackets = 2 });
        for (int i = 0; i < 5; i++)
        {
            a.SendPacketAt(0, 0, Numbered(i, 1500));
        }

        sim.RunUntilIdle(long.MaxValue, 1000);
        Assert.Equal([0, 1, 2], b.Received.Select(r => NumberOf(r.Packet)));
        Assert.Equal([1_200_000L, 2_400_000L, 3_600_000L], b.Received.Select(r => r.Time));
        Assert.Equal(2, link.Statistics(LinkDirection.AToB).DroppedQueueFull);
        Assert.Equal(5, link.Statistics(LinkDirection.AToB).Offered);
    }

    [Fact]
    public void Packets_over_the_MTU_are_dropped_and_counted()
    {
        var (sim, a, b, link) = Pair(1, new LinkConfig { Mtu = 1280 });
        a.SendPacketAt(0, 0, Numbered(0, 1281));
        a.SendPacketAt(0, 0, Numbered(1, 1280));
        sim.RunUntilIdle(long.MaxValue, 1000);
        Assert.Equal([1], b.Received.Select(r => NumberOf(r.Packet)));
        Assert.Equal(1, link.Statistics(LinkDirection.AToB).DroppedOverMtu);
    }

    [Fact]
    public void Bernoulli_loss_of_10_percent_over_100000_packets_is_within_tolerance()
    {
        var (sim, a, b, link) = Pair(12345, new LinkConfig { Loss = new BernoulliLoss(0.1), DelayNs = 1000 });
        for (int i = 0; i < 100_000; i++)
        {
            a.SendPacketAt(i * 1000L, 0, Numbered(i, 40));
        }

        sim.RunUntilIdle(long.MaxValue, 10_000_000);
        var stats = link.Statistics(LinkDirection.AToB);
        Assert.Equal(100_000, stats.Offered);
        Assert.Equal(100_000, stats.Delivered + stats.DroppedLoss);
        Assert.InRange(stats.DroppedLoss, 9_500, 10_500);
    }

    [Fact]
    public void Gilbert_Elliott_loss_has_the_stationary_rate_and_comes_in_bursts()
    {
        // Good->bad 1 %, bad->good 10 %, lose everything in bad: stationary loss 0.01 / 0.11 = 9.09 %, mean burst 10.
        var (sim, a, b, link) = Pair(777, new LinkConfig { Loss = new GilbertElliottLoss(0.01, 0.1) });
        for (int i = 0; i < 100_000; i++)
        {
            a.SendPacketAt(i * 1000L, 0, Numbered(i, 40));
        }

        sim.RunUntilIdle(long.MaxValue, 10_000_000);
        long lost = link.Statistics(LinkDirection.AToB).DroppedLoss;
        Assert.InRange(lost, 8_000, 10_200);
        int gaps = 0;
        int previous = -1;
        foreach (var r in b.Received)
        {
            int n = NumberOf(r.Packet);
            if (n != previous + 1)
            {
                gaps++;
            }

            previous = n;
        }

        Assert.InRange((double)lost / gaps, 7.0, 13.0);
    }

    [Fact]
    public void Reordering_and_duplication_happen_and_are_counted()
    {
        var config = new LinkConfig { DelayNs = 1_000_000, ReorderProbability = 0.05, ReorderDelayNs = 500_000, DuplicateProbability = 0.05 };
        var (sim, a, b, link) = Pair(99, config);
        for (int i = 0; i < 2000; i++)
        {
            a.SendPacketAt(i * 100_000L, 0, Numbered(i));
        }

        sim.RunUntilIdle(long.MaxValue, 1_000_000);
        var stats = link.Statistics(LinkDirection.AToB);
        var numbers = b.Received.Select(r => NumberOf(r.Packet)).ToList();
        Assert.InRange(stats.Reordered, 50, 150);
        Assert.InRange(stats.Duplicated, 50, 150);
        Assert.Equal(2000 + stats.Duplicated, stats.Delivered);
        Assert.Equal(stats.Delivered, numbers.Count);
        Assert.Equal(2000, numbers.Distinct().Count());
        int outOfOrder = numbers.Zip(numbers.Skip(1)).Count(p => p.Second < p.First);
        Assert.True(outOfOrder > 0);
        
        // Each held-back packet arrives after later ones once (twice when it was also duplicated).
        Assert.InRange(stats.ArrivedOutOfOrder, stats.Reordered, stats.Reordered + stats.Duplicated);
    }

    [Fact]
    public void Jitter_stays_within_its_bound()
    {
        var (sim, a, b, _) = Pair(5, new LinkConfig { DelayNs = 1_000_000, JitterNs = 200_000 });
        for (int i = 0; i < 1000; i++)
        {
            a.SendPacketAt(i * 10_000_000L, 0, Numbered(i));
        }

        sim.RunUntilIdle(long.MaxValue, 100_000);
        var delays = b.Received.Select(r => r.Time - (NumberOf(r.Packet) * 10_000_000L)).ToList();
        Assert.All(delays, d => Assert.InRange(d, 1_000_000, 1_200_000));
        Assert.True(delays.Distinct().Count() > 500);
    }

    [Fact]
    public void A_link_down_drops_from_its_scheduled_time_and_up_resumes_at_its_own()
    {
        var (sim, a, b, link) = Pair(1, new LinkConfig { DelayNs = 1_000_000 });
        sim.ScheduleLinkState(link, 5_000_000, up: false);
        sim.ScheduleLinkState(link, 10_000_000, up: true);
        for (int i = 0; i < 15; i++)
        {
            a.SendPacketAt((i * 1_000_000L) + 500_000, 0, Numbered(i));
        }

        sim.RunUntil(100_000_000);
        Assert.Equal([0, 1, 2, 3, 4, 10, 11, 12, 13, 14], b.Received.Select(r => NumberOf(r.Packet)));
        Assert.Equal(5, link.Statistics(LinkDirection.AToB).DroppedLinkDown);
        Assert.Equal(100_000_000, sim.Now);
    }

    [Fact]
    public void An_echo_node_replies_over_the_reverse_direction()
    {
        var sim = new Simulator(new Random(1));
        var a = new DatagramNode("a");
        var b = new DatagramNode("b", echo: true);
        a.AddInterface(A4);
        b.AddInterface(B4);
        sim.AddNode(a);
        sim.AddNode(b);
        var link = sim.Connect(a, 0, b, 0, new LinkConfig { DelayNs = 3_000_000 }, reverse: new LinkConfig { DelayNs = 7_000_000 });
        a.SendPacketAt(1_000, 0, Numbered(42));
        sim.RunUntilIdle(long.MaxValue, 100);
        var reply = Assert.Single(a.Received);
        Assert.Equal(10_001_000, reply.Time);
        Assert.Equal(42, NumberOf(reply.Packet));
        Assert.Equal(1, link.Statistics(LinkDirection.BToA).Delivered);
    }

    [Fact]
    public void Run_limits_stop_on_time_and_on_event_count()
    {
        var (sim, a, _, _) = Pair(1, new LinkConfig { DelayNs = 1_000_000 });
        for (int i = 0; i < 10; i++)
        {
            a.SendPacketAt(i * 1_000_000L, 0, Numbered(i));
        }

        Assert.Equal(RunOutcome.TimeLimit, sim.RunUntilIdle(4_500_000, 1_000));
        Assert.True(sim.Now <= 4_500_000);
        Assert.Equal(RunOutcome.EventLimit, sim.RunUntilIdle(long.MaxValue, 3));
        Assert.Equal(RunOutcome.Idle, sim.RunUntilIdle(long.MaxValue, 1_000));
    }

    [Fact]
    public void Traffic_on_one_link_does_not_change_the_losses_of_another()
    {
        // Which packets path 1 loses must not depend on how much went over path 2: runs that differ
        // only on one path (say, a second subflow) must see the same impairments on the others.
        IReadOnlyList<int> LostOnPathOne(int packetsOnPathTwo)
        {
            var sim = new Simulator(new Random(99));
            var a = new DatagramNode("a");
            var b = new DatagramNode("b");
            a.AddInterface(A4);
            a.AddInterface(A4);
            b.AddInterface(B4);
            b.AddInterface(B4);
            sim.AddNode(a);
            sim.AddNode(b);
            var lossy = new LinkConfig { DelayNs = 1_000_000, Loss = new BernoulliLoss(0.3) };
            sim.Connect(a, 0, b, 0, lossy, "path1");
            sim.Connect(a, 1, b, 1, lossy, "path2");
            for (int i = 0; i < 200; i++)
            {
                a.SendPacketAt(i * 10_000L, 0, Numbered(i));
            }

            for (int i = 0; i < packetsOnPathTwo; i++)
            {
                a.SendPacketAt(i * 7_000L, 1, Numbered(1000 + i));
            }

            sim.RunUntilIdle(long.MaxValue, 1_000_000);
            var arrived = b.Received.Where(r => r.InterfaceIndex == 0).Select(r => NumberOf(r.Packet)).ToHashSet();
            return Enumerable.Range(0, 200).Where(i => !arrived.Contains(i)).ToList();
        }

        IReadOnlyList<int> quiet = LostOnPathOne(0);
        Assert.NotEmpty(quiet);
        Assert.Equal(quiet, LostOnPathOne(500));
    }
}
