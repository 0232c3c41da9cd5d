using MptcpPrivacy.Simulation;
using static MptcpPrivacy.Tests.Simulation.SimPackets;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>The serialiser and its queue over time: what waits, what is on the line, what a link going down takes.</summary>
public class LinkQueueTests
{
    /// <summary>A 1500-byte packet takes 1.2 ms on 10 Mbit/s.</summary>
    private const long OnLine = 1_200_000;

    private static (Simulator Sim, DatagramNode A, DatagramNode B, Link Link) Pair(int queuePackets)
    {
        var sim = new Simulator(new Random(1));
        var a = new DatagramNode("a");
        var b = new DatagramNode("b");
        a.AddInterface(A4);
        b.AddInterface(B4);
        sim.AddNode(a);
        sim.AddNode(b);
        return (sim, a, b, sim.Connect(a, 0, b, 0, new LinkConfig { RateBitsPerSecond = 10_000_000, QueuePackets = queuePackets }, "ab"));
    }

    [Fact]
    public void The_queue_frees_a_place_when_the_packet_ahead_goes_on_the_line()
    {
        var (sim, a, b, link) = Pair(queuePackets: 1);
        a.SendPacketAt(0, 0, Numbered(0, 1500));
        a.SendPacketAt(0, 0, Numbered(1, 1500));
        a.SendPacketAt(0, 0, Numbered(2, 1500));
        a.SendPacketAt(OnLine + 100_000, 0, Numbered(3, 1500));
        a.SendPacketAt(OnLine + 200_000, 0, Numbered(4, 1500));
        sim.RunUntilIdle(long.MaxValue, 1000);

        // 0 on the line, 1 waiting, 2 dropped; once 0 is off, 1 is on the line and 3 waits; 4 finds the queue full.
        Assert.Equal([0, 1, 3], b.Received.Select(r => NumberOf(r.Packet)));
        Assert.Equal([OnLine, 2 * OnLine, 3 * OnLine], b.Received.Select(r => r.Time));
        Assert.Equal(2, link.Statistics(LinkDirection.AToB).DroppedQueueFull);
    }

    [Fact]
    public void A_link_going_down_drops_the_waiting_packets_and_still_delivers_the_one_on_the_line()
    {
        var (sim, a, b, link) = Pair(queuePackets: 10);
        for (int i = 0; i < 5; i++)
        {
            a.SendPacketAt(0, 0, Numbered(i, 1500));
        }

        sim.ScheduleLinkState(link, (2 * OnLine) + 600_000, up: false);
        sim.ScheduleLinkState(link, 4_000_000, up: true);
        a.SendPacketAt(5_000_000, 0, Numbered(5, 1500));
        sim.RunUntilIdle(long.MaxValue, 1000);

        // Packet 2 is on the line from 2.4 to 3.6 ms when the link goes down at 3.0 ms; 3 and 4 wait.
        // The line is free again when the link comes back, so 5 goes at once.
        Assert.Equal([0, 1, 2, 5], b.Received.Select(r => NumberOf(r.Packet)));
        Assert.Equal([OnLine, 2 * OnLine, 3 * OnLine, 5_000_000 + OnLine], b.Received.Select(r => r.Time));
        LinkStatistics stats = link.Statistics(LinkDirection.AToB);
        Assert.Equal(2, stats.DroppedLinkDown);
        Assert.Equal(stats.Offered, stats.Delivered + stats.DroppedLinkDown);
    }
}
