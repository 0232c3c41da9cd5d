using MptcpPrivacy.Simulation;
using MptcpPrivacy.Wire.Tcp;
using static MptcpPrivacy.Tests.Simulation.SimPackets;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>Same seed, same bytes; and the pcapng tap writes files our reader and tshark accept.</summary>
public class ReplayAndTapTests
{
    /// <summary>Two hosts with two paths each (one IPv4, one IPv6), lossy and jittery, an echo on the far side, both links tapped.</summary>
    private static (byte[] Pcapng, long Packets, IReadOnlyList<ReceivedDatagram> Received) Run(int seed)
    {
        var sim = new Simulator(new Random(seed));
        var a = new DatagramNode("client");
        var b = new DatagramNode("server", echo: true);
        a.AddInterface(A4);
        a.AddInterface(A6);
        b.AddInterface(B4);
        b.AddInterface(B6);
        sim.AddNode(a);
        sim.AddNode(b);
        var impaired = new LinkConfig
        {
            RateBitsPerSecond = 20_000_000,
            DelayNs = 5_000_000,
            JitterNs = 1_000_000,
            Loss = new BernoulliLoss(0.05),
            ReorderProbability = 0.02,
            DuplicateProbability = 0.02,
        };
        var path1 = sim.Connect(a, 0, b, 0, impaired, "path-v4");
        var path2 = sim.Connect(a, 1, b, 1, impaired with { Loss = new GilbertElliottLoss(0.02, 0.3), DelayNs = 20_000_000 }, "path-v6");
        using var stream = new MemoryStream();
        using (var tap = new PcapngTap(stream, leaveOpen: true))
        {
            tap.Attach(path1);
            tap.Attach(path2);
            for (int i = 0; i < 300; i++)
            {
                a.SendPacketAt(i * 200_000L, 0, i % 3 == 0 ? Tcp(A4, B4, 5000, 80, TcpFlags.Ack, [1, 1, 4, 2], [(byte)i]) : Numbered(i, 60 + i));
                a.SendPacketAt(i * 200_000L, 1, Numbered(i, 100 + i, v6: true));
            }

            Assert.Equal(RunOutcome.Idle, sim.RunUntilIdle(10_000_000_000, 1_000_000));
            return (stream.ToArray(), tap.PacketsWritten, a.Received);
        }
    }

    [Fact]
    public void The_same_seed_gives_byte_identical_captures_and_another_seed_differs()
    {
        var first = Run(2024);
        var second = Run(2024);
        var other = Run(2025);
        Assert.True(first.Packets > 500, $"only {first.Packets} packets");
        Assert.Equal(first.Pcapng, second.Pcapng);
        Assert.NotEqual(first.Pcapng, other.Pcapng);
    }

    [Fact]
    public void The_tap_capture_reads_back_with_one_raw_ip_interface_per_link_and_virtual_timestamps()
    {
        var (pcapng, packets, received) = Run(7);
        var (interfaces, perInterface, timestamps) = SimCaptures.ReadBack(pcapng);
        Assert.Equal(packets, timestamps.Count);
        Assert.All(timestamps, t => Assert.InRange(t, 5_000_000, 10_000_000_000));
        Assert.Equal(["path-v4", "path-v6"], interfaces);
        Assert.Equal(2, perInterface.Length);
        Assert.All(perInterface, n => Assert.True(n > 100));
        Assert.Equal(received[^1].Time, timestamps[^1]);
    }

    [Fact]
    public void Tshark_reads_the_tap_capture_with_no_malformed_packets()
    {
        var (pcapng, packets, _) = Run(11);
        SimCaptures.AssertTsharkReadsCleanly(pcapng, packets);
    }
}
