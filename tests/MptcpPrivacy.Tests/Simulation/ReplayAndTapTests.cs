using MptcpPrivacy.Capture;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Link;
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
        using var reader = CaptureReader.Open(new MemoryStream(pcapng));
        long count = 0;
        long lastClientArrival = 0;
        var perInterface = new long[2];
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            count++;
            Assert.Equal(LinkType.Raw, frame.LinkType);
            Assert.InRange(frame.TimestampNanoseconds, 5_000_000, 10_000_000_000);
            perInterface[frame.InterfaceId]++;
            lastClientArrival = frame.TimestampNanoseconds;
        }

        Assert.Null(reader.Error);
        Assert.Equal(packets, count);
        Assert.Equal(2, reader.Interfaces.Count);
        Assert.All(perInterface, n => Assert.True(n > 100));
        Assert.Equal(received[^1].Time, lastClientArrival);
    }

    [Fact]
    public void Tshark_reads_the_tap_capture_with_no_malformed_packets()
    {
        string tshark = ExternalTool.Require("tshark");
        var (pcapng, packets, _) = Run(11);
        using var dir = new TempDirectory();
        string path = dir.Write("sim.pcapng", pcapng);
        string all = ExternalTool.Run(tshark, ["-n", "-r", path, "-T", "fields", "-e", "frame.number"]);
        Assert.Equal(packets, all.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        string malformed = ExternalTool.Run(tshark, ["-n", "-r", path, "-Y", "_ws.malformed || _ws.expert.severity >= error"]);
        Assert.Equal("", malformed.Trim());
    }
}
