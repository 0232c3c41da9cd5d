using System.Net.Sockets;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Tcp;
using static MptcpPrivacy.Tests.Simulation.SimPackets;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>A host's interfaces: addresses and interfaces that change at given times, events, source-interface choice, the receive filter.</summary>
public class HostInterfacesTests
{
    private static readonly InterfaceAddress Wifi4 = InterfaceAddress.Parse("198.51.100.2/24");
    private static readonly InterfaceAddress Wifi6 = InterfaceAddress.Parse("2001:db8:1::2/64");
    private static readonly InterfaceAddress Lte4 = InterfaceAddress.Parse("203.0.113.2/24");
    private static readonly InterfaceAddress Lte4Later = InterfaceAddress.Parse("203.0.113.9/24");
    private static readonly IpAddressBytes Server4 = IpAddressBytes.Parse("192.0.2.1");
    private static readonly IpAddressBytes Server6 = IpAddressBytes.Parse("2001:db8::1");

    private static (HostInterfaces Interfaces, List<string> Events) TwoInterfaces()
    {
        var interfaces = new HostInterfaces();
        var events = new List<string>();
        Assert.Equal(0, interfaces.AddInterface("wifi"));
        Assert.Equal(1, interfaces.AddInterface());
        interfaces.AddAddress(0, 0, Wifi4);
        interfaces.AddAddress(0, 0, Wifi6);
        interfaces.AddAddress(0, 1, Lte4);
        interfaces.AddressChanged += (sender, e) =>
        {
            Assert.Same(interfaces, sender);
            events.Add($"{e.Time} if{e.InterfaceIndex} {e.Kind} {e.Address}");
        };
        interfaces.InterfaceStateChanged += (_, e) => events.Add($"{e.Time} if{e.InterfaceIndex} {(e.IsUp ? "up" : "down")}");
        return (interfaces, events);
    }

    [Fact]
    public void Interfaces_are_numbered_in_order_named_and_start_up()
    {
        var (interfaces, _) = TwoInterfaces();
        Assert.Equal(2, interfaces.Count);
        Assert.Equal("wifi", interfaces.InterfaceName(0));
        Assert.Equal("if1", interfaces.InterfaceName(1));
        Assert.True(interfaces.IsUp(0) && interfaces.IsUp(1));
        Assert.Equal([Wifi4, Wifi6], interfaces.Addresses(0));
        Assert.Equal([new HostAddress(0, Wifi4), new HostAddress(0, Wifi6), new HostAddress(1, Lte4)], interfaces.AllAddresses);
        Assert.True(interfaces.TryGetSourceAddress(0, AddressFamily.InterNetworkV6, out IpAddressBytes v6));
        Assert.Equal(Wifi6.Address, v6);
        Assert.False(interfaces.TryGetSourceAddress(1, AddressFamily.InterNetworkV6, out _));
    }

    [Fact]
    public void Scheduled_changes_happen_at_their_times_in_order_and_raise_events_with_the_interface()
    {
        var (interfaces, events) = TwoInterfaces();
        var sim = new Simulator(new Random(1));
        interfaces.ScheduleAddAddress(sim, 3_000, 1, Lte4Later);
        interfaces.ScheduleRemoveAddress(sim, 5_000, 0, Wifi4.Address);
        interfaces.ScheduleInterfaceState(sim, 5_000, 1, up: false);
        interfaces.ScheduleInterfaceState(sim, 7_000, 1, up: true);
        interfaces.ScheduleInterfaceState(sim, 7_000, 1, up: true);
        interfaces.ScheduleRemoveAddress(sim, 8_000, 0, Wifi4.Address);

        sim.RunUntil(2_999);
        Assert.Empty(events);
        Assert.False(interfaces.HasAddress(Lte4Later.Address));
        sim.RunUntil(3_000);
        Assert.True(interfaces.TryFindInterface(Lte4Later.Address, out int holder));
        Assert.Equal(1, holder);
        sim.RunUntil(10_000);

        // Removing an address that is already gone, or raising an interface that is up, says nothing.
        Assert.Equal(
            [
                "3000 if1 Added 203.0.113.9/24",
                "5000 if0 Removed 198.51.100.2/24",
                "5000 if1 down",
                "7000 if1 up",
            ],
            events);
        Assert.Equal([Wifi6], interfaces.Addresses(0));
        Assert.Equal([Lte4, Lte4Later], interfaces.Addresses(1));
    }

    [Fact]
    public void An_address_lives_on_one_interface_and_misuse_throws()
    {
        var (interfaces, events) = TwoInterfaces();
        var twice = Assert.Throws<InvalidOperationException>(() => interfaces.AddAddress(0, 1, Wifi4));
        Assert.Contains("already on interface 0 (wifi)", twice.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => interfaces.AddAddress(0, 2, Lte4Later));
        Assert.Throws<ArgumentOutOfRangeException>(() => interfaces.IsUp(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => interfaces.ScheduleAddAddress(new Simulator(new Random(1)), 5, 9, Lte4Later));
        Assert.False(interfaces.RemoveAddress(0, 1, Wifi4.Address));
        Assert.Empty(events);
    }

    [Fact]
    public void A_packet_leaves_by_the_interface_of_its_source_address()
    {
        var (interfaces, _) = TwoInterfaces();
        Assert.True(interfaces.TrySend(Wifi4.Address, Server4, Experimental, [1, 2, 3], out OutgoingPacket a));
        Assert.True(interfaces.TrySend(Lte4.Address, Server4, Experimental, [1, 2, 3], out OutgoingPacket b));
        Assert.True(interfaces.TrySend(Wifi6.Address, Server6, Experimental, [1, 2, 3], out OutgoingPacket c));
        Assert.True(interfaces.TrySend(IpPacketBuilder.Build(Lte4.Address, Server4, Experimental, [9]), out OutgoingPacket d));
        Assert.Equal([0, 1, 0, 1], new[] { a, b, c, d }.Select(p => p.InterfaceIndex));
        IpPacket.TryParse(b.Data, out IpPacket ip, out _);
        Assert.Equal(Lte4.Address, IpAddressBytes.FromSpan(ip.Source));
        Assert.Equal(Server4, IpAddressBytes.FromSpan(ip.Destination));
        Assert.Equal(4, interfaces.Statistics.Sent);
    }

    [Fact]
    public void Packets_from_an_address_the_host_no_longer_has_or_from_a_down_interface_are_dropped_and_counted()
    {
        var (interfaces, _) = TwoInterfaces();
        interfaces.RemoveAddress(10, 0, Wifi4.Address);
        Assert.False(interfaces.TrySend(Wifi4.Address, Server4, Experimental, [1], out _));
        Assert.False(interfaces.TrySend(IpPacketBuilder.Build(Wifi4.Address, Server4, Experimental, [1]), out _));
        Assert.False(interfaces.TrySend(IpAddressBytes.Parse("192.0.2.200"), Server4, Experimental, [1], out _));
        interfaces.SetInterfaceState(11, 1, up: false);
        Assert.False(interfaces.TrySend(Lte4.Address, Server4, Experimental, [1], out _));
        Assert.True(interfaces.TrySend(Wifi6.Address, Server6, Experimental, [1], out _));
        Assert.Equal(3, interfaces.Statistics.DroppedNoSourceAddress);
        Assert.Equal(1, interfaces.Statistics.DroppedInterfaceDown);
        Assert.Equal(1, interfaces.Statistics.Sent);
        Assert.Throws<ArgumentException>(() => interfaces.TrySend([0x45, 0, 0], out _));
    }

    [Fact]
    public void Sending_fills_in_the_transport_checksum_unless_told_not_to()
    {
        var (interfaces, _) = TwoInterfaces();
        byte[] segment = Tcp(Wifi4.Address, Server4, 5000, 80, TcpFlags.Syn, [2, 4, 5, 0xB4])[20..];
        segment[16] ^= 0xFF;
        Assert.True(interfaces.TrySend(Wifi4.Address, Server4, IpProtocol.Tcp, segment, out OutgoingPacket fixedUp));
        AssertChecksumsValid(fixedUp.Data);
        Assert.True(interfaces.TrySend(Wifi4.Address, Server4, IpProtocol.Tcp, segment, out OutgoingPacket asIs, writeTransportChecksum: false));
        Assert.Equal(segment, asIs.Data[20..]);
        Assert.Throws<ArgumentException>(() => interfaces.TrySend(Wifi4.Address, Server6, IpProtocol.Tcp, segment, out _));
    }

    [Fact]
    public void Arriving_packets_are_accepted_only_when_addressed_to_the_host_well_formed_and_on_an_up_interface()
    {
        var (interfaces, _) = TwoInterfaces();
        byte[] toWifi = IpPacketBuilder.Build(Server4, Wifi4.Address, Experimental, [1]);
        byte[] toLteOnWifi = IpPacketBuilder.Build(Server4, Lte4.Address, Experimental, [2]);
        byte[] toV6 = IpPacketBuilder.Build(Server6, Wifi6.Address, Experimental, [3]);
        byte[] toStranger = IpPacketBuilder.Build(Server4, IpAddressBytes.Parse("198.51.100.3"), Experimental, [4]);
        byte[] badChecksum = (byte[])toWifi.Clone();
        badChecksum[10] ^= 1;
        byte[] cut = toWifi[..21];
        cut[3] = 30;

        Assert.True(interfaces.TryAccept(0, toWifi, out IpPacket ip));
        Assert.Equal(Experimental, ip.Protocol);
        Assert.Equal([1], ip.Payload.ToArray());

        // The weak host model: the host's address arriving on another interface is still the host's.
        Assert.True(interfaces.TryAccept(0, toLteOnWifi, out _));
        Assert.True(interfaces.TryAccept(0, toV6, out _));
        Assert.False(interfaces.TryAccept(0, toStranger, out _));
        Assert.False(interfaces.TryAccept(0, badChecksum, out _));
        Assert.False(interfaces.TryAccept(0, cut, out _));
        Assert.False(interfaces.TryAccept(0, [], out _));
        interfaces.RemoveAddress(1, 0, Wifi4.Address);
        Assert.False(interfaces.TryAccept(0, toWifi, out _));
        interfaces.SetInterfaceState(2, 1, up: false);
        Assert.False(interfaces.TryAccept(1, toLteOnWifi, out _));
        Assert.True(interfaces.TryAccept(0, toLteOnWifi, out _));

        HostInterfaceStatistics stats = interfaces.Statistics;
        Assert.Equal((4L, 3L, 2L, 1L), (stats.Accepted, stats.DiscardedMalformed, stats.DiscardedNotForUs, stats.DiscardedInterfaceDown));
        Assert.Contains("accepted 4", stats.ToString());
    }

    [Fact]
    public void A_node_holding_interfaces_sends_by_source_at_the_moment_it_sends_and_hears_the_events()
    {
        // The shape an MPTCP host node takes: the address set at send time decides.
        var sim = new Simulator(new Random(1));
        var interfaces = new HostInterfaces();
        interfaces.AddInterface("wifi");
        interfaces.AddInterface("lte");
        interfaces.AddAddress(0, 0, Wifi4);
        var node = new HostDatagramNode("client", interfaces);
        var sink = new DatagramNode("sink");
        sink.AddInterface(Server4);
        sink.AddInterface(Server4);
        sim.AddNode(node);
        sim.AddNode(sink);
        sim.Connect(node, 0, sink, 0, new LinkConfig { DelayNs = 100 }, "wifi");
        sim.Connect(node, 1, sink, 1, new LinkConfig { DelayNs = 100 }, "lte");
        interfaces.ScheduleAddAddress(sim, 1_000, 1, Lte4Later);
        interfaces.ScheduleRemoveAddress(sim, 2_000, 0, Wifi4.Address);
        node.SendUdpAt(500, Lte4Later.Address, Server4, 1);
        node.SendUdpAt(1_500, Lte4Later.Address, Server4, 2);
        node.SendUdpAt(1_500, Wifi4.Address, Server4, 3);
        node.SendUdpAt(2_500, Wifi4.Address, Server4, 4);
        sim.RunUntilIdle(long.MaxValue, 1_000);

        Assert.Equal([(1, 2), (0, 3)], sink.Received.Select(r => (r.InterfaceIndex, HostDatagramNode.NumberOf(r.Packet))));
        Assert.Equal(["1000 if1 Added 203.0.113.9/24", "2000 if0 Removed 198.51.100.2/24"], node.Events);
        Assert.Equal(2, interfaces.Statistics.DroppedNoSourceAddress);
    }
}
