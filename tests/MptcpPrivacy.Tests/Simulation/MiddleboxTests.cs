using System.Buffers.Binary;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Tcp;
using static MptcpPrivacy.Tests.Simulation.SimPackets;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>NAT and MPTCP option stripper, on a link between two datagram nodes.</summary>
public class MiddleboxTests
{
    private static readonly IpAddressBytes Public = IpAddressBytes.Parse("198.51.100.1");

    private static readonly byte[] Mss = [2, 4, 0x05, 0xB4];
    private static readonly byte[] SackPermitted = [1, 1, 4, 2];
    private static readonly byte[] MpCapableSyn = [30, 4, 0x01, 0x81];                          // RFC 8684 §3.1, v1, H=1
    private static readonly byte[] MpJoinSyn = [30, 12, 0x10, 0x01, 1, 2, 3, 4, 5, 6, 7, 8];    // RFC 8684 §3.2, B=1, id 1
    private static readonly byte[] Dss = [30, 8, 0x20, 0x01, 0, 0, 0, 9];                      // RFC 8684 §3.3, Data ACK only

    private static (Simulator Sim, DatagramNode A, DatagramNode B, Link Link) Pair()
    {
        var sim = new Simulator(new Random(1));
        var a = new DatagramNode("a");
        var b = new DatagramNode("b");
        a.AddInterface(A4);
        b.AddInterface(B4, Public);
        sim.AddNode(a);
        sim.AddNode(b);
        return (sim, a, b, sim.Connect(a, 0, b, 0, new LinkConfig { DelayNs = 1_000_000 }));
    }

    [Fact]
    public void Nat_rewrites_the_source_keeps_checksums_valid_and_maps_replies_back()
    {
        var (sim, a, b, link) = Pair();
        var nat = new Nat44(LinkDirection.AToB, Public, firstPort: 40000);
        link.AddElement(nat);
        a.SendPacketAt(0, 0, Tcp(A4, B4, 5000, 80, TcpFlags.Syn, [.. Mss, .. MpCapableSyn]));
        a.SendPacketAt(1, 0, Tcp(A4, IpAddressBytes.Parse("203.0.113.5"), 5000, 443, TcpFlags.Syn, Mss));
        a.SendPacketAt(2, 0, Tcp(A4, B4, 5001, 80, TcpFlags.Syn, Mss));
        b.SendPacketAt(10_000_000, 0, Tcp(B4, Public, 80, 40000, TcpFlags.Syn | TcpFlags.Ack, Mss, [1, 2, 3]));
        b.SendPacketAt(10_000_000, 0, Tcp(B4, Public, 80, 49999, TcpFlags.Ack, []));
        sim.RunUntilIdle(long.MaxValue, 1000);

        Assert.Equal(3, b.Received.Count);
        var ports = new List<ushort>();
        foreach (var r in b.Received)
        {
            AssertChecksumsValid(r.Packet);
            IpPacket.TryParse(r.Packet, out IpPacket ip, out _);
            Assert.Equal(Public, IpAddressBytes.FromSpan(ip.Source));
            ports.Add(BinaryPrimitives.ReadUInt16BigEndian(ip.Payload));
        }

        // Endpoint-independent: 192.0.2.2:5000 keeps port 40000 towards both destinations.
        Assert.Equal([(ushort)40000, (ushort)40000, (ushort)40001], ports);
        Assert.Equal(2, nat.Mappings);

        var reply = Assert.Single(a.Received);
        AssertChecksumsValid(reply.Packet);
        IpPacket.TryParse(reply.Packet, out IpPacket back, out _);
        Assert.Equal(A4, IpAddressBytes.FromSpan(back.Destination));
        Assert.Equal(5000, BinaryPrimitives.ReadUInt16BigEndian(back.Payload[2..]));
        Assert.Equal(1, nat.Dropped);
        Assert.Equal(1, link.Statistics(LinkDirection.BToA).DroppedByElement);
    }

    [Fact]
    public void Nat_leaves_ipv6_alone()
    {
        var (sim, a, b, link) = Pair();
        link.AddElement(new Nat44(LinkDirection.AToB, Public));
        var packet = Tcp(A6, B6, 5000, 80, TcpFlags.Syn, Mss);
        var copy = (byte[])packet.Clone();
        a.SendPacketAt(0, 0, packet);
        sim.RunUntilIdle(long.MaxValue, 100);
        Assert.Equal(0, link.Statistics(LinkDirection.AToB).DroppedByElement);
        Assert.Equal(copy, packet);
        Assert.Equal(1, link.Statistics(LinkDirection.AToB).Delivered);
    }

    public static TheoryData<OptionStripMode, bool, bool, bool> StripCases => new()
    {
        // mode, MP_CAPABLE SYN stripped, MP_JOIN SYN stripped, DSS on ACK stripped
        { OptionStripMode.AllSegments, true, true, true },
        { OptionStripMode.SynOnly, true, true, false },
        { OptionStripMode.MpJoinSynOnly, false, true, false },
    };

    [Theory]
    [MemberData(nameof(StripCases))]
    public void Stripper_replaces_kind_30_with_nops_in_each_mode_and_keeps_other_options(OptionStripMode mode, bool capable, bool join, bool dss)
    {
        var (sim, a, b, link) = Pair();
        var stripper = new MptcpOptionStripper(mode);
        link.AddElement(stripper);
        var sent = new[]
        {
            Tcp(A4, B4, 5000, 80, TcpFlags.Syn, [.. Mss, .. MpCapableSyn, .. SackPermitted]),
            Tcp(A4, B4, 5001, 80, TcpFlags.Syn, [.. Mss, .. MpJoinSyn]),
            Tcp(A4, B4, 5000, 80, TcpFlags.Ack, [.. Dss], [0xAA, 0xBB]),
        };
        var expectStripped = new[] { capable, join, dss };
        for (int i = 0; i < sent.Length; i++)
        {
            a.SendPacketAt(i, 0, (byte[])sent[i].Clone());
        }

        sim.RunUntilIdle(long.MaxValue, 100);
        Assert.Equal(3, b.Received.Count);
        for (int i = 0; i < 3; i++)
        {
            byte[] got = b.Received[i].Packet;
            AssertChecksumsValid(got);
            Assert.Equal(sent[i].Length, got.Length);
            IpPacket.TryParse(got, out IpPacket ip, out _);
            TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _);
            var kinds = new List<TcpOptionKind>();
            foreach (var option in tcp.ReadOptions())
            {
                kinds.Add(option.Kind);
            }

            Assert.Equal(!expectStripped[i], kinds.Contains((TcpOptionKind)30));
            Assert.Equal(i < 2, kinds.Contains(TcpOptionKind.MaximumSegmentSize));
            Assert.Equal(i == 0, kinds.Contains(TcpOptionKind.SackPermitted));
            Assert.Equal(i == 2 ? [0xAA, 0xBB] : [], tcp.Payload.ToArray());
            if (!expectStripped[i])
            {
                Assert.Equal(sent[i], got);
            }
        }

        Assert.Equal(expectStripped.Count(x => x), stripper.SegmentsStripped);
    }
}
