using System.Buffers.Binary;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Tcp;
using static MptcpPrivacy.Tests.Simulation.SimPackets;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>The standard scenario network end to end: client, paths with middleboxes, router, server; timed changes; same seed, same capture.</summary>
public class TopologyTests
{
    private const long Ms = 1_000_000;

    private static readonly IpAddressBytes Server4 = IpAddressBytes.Parse("192.0.2.1");
    private static readonly IpAddressBytes Server6 = IpAddressBytes.Parse("2001:db8::1");

    private static readonly byte[] Mss = [2, 4, 0x05, 0xB4];
    private static readonly byte[] MpCapableSyn = [30, 4, 0x01, 0x81];                          // RFC 8684 §3.1
    private static readonly byte[] MpJoinSyn = [30, 12, 0x10, 0x01, 1, 2, 3, 4, 5, 6, 7, 8];    // RFC 8684 §3.2
    private static readonly byte[] Dss = [30, 8, 0x20, 0x01, 0, 0, 0, 9];                      // RFC 8684 §3.3

    private static IpAddressBytes Ip(string text) => IpAddressBytes.Parse(text);

    private static (SimulatedTopology Topology, HostDatagramNode Client, HostDatagramNode Server) Build(ScenarioSpec spec, Stream? capture = null)
    {
        var sim = new Simulator(new Random(spec.Seed));
        HostDatagramNode? client = null;
        HostDatagramNode? server = null;
        SimulatedTopology topology = SimulatedTopology.Build(
            sim,
            spec,
            interfaces => client = new HostDatagramNode("client", interfaces),
            interfaces => server = new HostDatagramNode("server", interfaces, echo: true),
            capture);
        return (topology, client!, server!);
    }

    private static ScenarioSpec Spec(params string[] arguments) => ScenarioSpec.FromArguments(arguments);

    private static int Ttl(byte[] packet) => packet[0] >> 4 == 4 ? packet[8] : packet[7];

    private static IpAddressBytes Source(byte[] packet)
    {
        IpPacket.TryParse(packet, out IpPacket ip, out _);
        return IpAddressBytes.FromSpan(ip.Source);
    }

    private static IpAddressBytes Destination(byte[] packet)
    {
        IpPacket.TryParse(packet, out IpPacket ip, out _);
        return IpAddressBytes.FromSpan(ip.Destination);
    }

    [Fact]
    public void Three_default_paths_give_the_standard_addresses_links_and_routes()
    {
        var (topology, client, server) = Build(Spec("--path", "", "--path", "", "--path", "", "--announce", "198.51.100.200"));
        Assert.Same(client, topology.Client);
        Assert.Same(server, topology.Server);
        Assert.Equal(
            ["0 198.51.100.2/24", "0 2001:db8:1::2/64", "1 203.0.113.2/24", "1 2001:db8:2::2/64", "2 192.0.2.130/25", "2 2001:db8:3::2/64"],
            topology.ClientInterfaces.AllAddresses.Select(a => $"{a.InterfaceIndex} {a.Address}"));
        Assert.Equal(["path1", "path2", "path3"], Enumerable.Range(0, 3).Select(topology.ClientInterfaces.InterfaceName));
        Assert.Equal(["192.0.2.1/25", "2001:db8::1/64", "198.51.100.200/32"], topology.ServerInterfaces.Addresses(0).Select(a => a.ToString()));
        Assert.Equal(["path1", "path2", "path3", "server"], topology.Simulator.Links.Select(l => l.Name));
        Assert.All(topology.Paths, p => Assert.Same(client, p.Link.A));
        Assert.All(topology.Paths, p => Assert.Same(topology.Router, p.Link.B));
        Assert.Equal([0, 1, 2], topology.Paths.Select(p => p.InterfaceIndex));
        Assert.Equal([0, 1, 2], topology.Paths.Select(p => p.Link.InterfaceA));
        Assert.Equal((3, 0), (topology.ServerLink.InterfaceA, topology.ServerLink.InterfaceB));
        Assert.All(topology.Paths, p => Assert.Null(p.Nat));
        Assert.All(topology.Paths, p => Assert.Null(p.Stripper));
        Assert.Null(topology.Tap);
        Assert.Equal(
            [
                "198.51.100.200/32 3", "192.0.2.128/25 2", "192.0.2.0/25 3", "198.51.100.0/24 0", "203.0.113.0/24 1",
                "2001:db8:1::/64 0", "2001:db8:2::/64 1", "2001:db8:3::/64 2", "2001:db8::/64 3",
            ],
            topology.Router.Routes.Select(r => $"{r.Prefix} {r.InterfaceIndex}"));
    }

    [Fact]
    public void Every_client_address_reaches_the_server_by_its_own_path_and_the_echo_comes_back_the_same_way()
    {
        var (topology, client, server) = Build(Spec("--path", "rate=100M,rtt=20ms", "--path", "rate=10M,rtt=60ms", "--path", "rate=unlimited,rtt=2ms"));
        int number = 0;
        var sent = new List<(int Number, int Path, IpAddressBytes Source)>();
        foreach (HostAddress address in topology.ClientInterfaces.AllAddresses)
        {
            IpAddressBytes source = address.Address.Address;
            client.SendUdpAt(0, source, source.IsV4 ? Server4 : Server6, number);
            sent.Add((number++, address.InterfaceIndex, source));
        }

        Assert.Equal(RunOutcome.Idle, topology.Run(maxEvents: 100_000));
        Assert.Equal(6, server.Received.Count);
        Assert.Equal(6, client.Received.Count);
        foreach (var (n, path, source) in sent)
        {
            ReceivedDatagram request = Assert.Single(server.Received, r => HostDatagramNode.NumberOf(r.Packet) == n);
            Assert.Equal(source, Source(request.Packet));
            Assert.Equal(63, Ttl(request.Packet));

            ReceivedDatagram reply = Assert.Single(client.Received, r => HostDatagramNode.NumberOf(r.Packet) == n);
            Assert.Equal(path, reply.InterfaceIndex);
            Assert.Equal(source, Destination(reply.Packet));
            Assert.Equal(63, Ttl(reply.Packet));
            long rtt = topology.Spec.Paths[path].DelayNs * 2;
            Assert.InRange(reply.Time, rtt, rtt + (1 * Ms));
        }

        Assert.Equal(12, topology.Router.Forwarded);
        Assert.Equal(0, topology.Router.DroppedTotal);
        Assert.Equal(6, topology.Paths.Sum(p => p.Link.Statistics(LinkDirection.AToB).Delivered));
    }

    [Fact]
    public void A_host_route_to_an_announced_server_address_beats_the_path_prefix_it_sits_in()
    {
        var (topology, client, server) = Build(Spec("--path", "", "--path", "", "--announce", "198.51.100.200"));
        client.SendUdpAt(0, Ip("203.0.113.2"), Ip("198.51.100.200"), 1);
        client.SendUdpAt(0, Ip("198.51.100.2"), Ip("198.51.100.200"), 2);
        client.SendUdpAt(0, Ip("198.51.100.2"), Ip("198.51.100.201"), 3);
        topology.Run(maxEvents: 10_000);
        Assert.Equal([1, 2], server.Received.Select(r => HostDatagramNode.NumberOf(r.Packet)));
        Assert.Equal([(1, 1), (0, 2)], client.Received.Select(r => (r.InterfaceIndex, HostDatagramNode.NumberOf(r.Packet))).OrderBy(x => x.Item2));
        Assert.All(client.Received, r => Assert.Equal(Ip("198.51.100.200"), Source(r.Packet)));

        // 198.51.100.201 is path 1's: the router sent it back down path 1, where no host has it.
        Assert.Equal(1, topology.ClientInterfaces.Statistics.DiscardedNotForUs);
    }

    [Fact]
    public void A_NAT_on_a_path_gives_the_server_its_public_address_and_maps_replies_back_leaving_IPv6_alone()
    {
        var (topology, client, server) = Build(Spec("--path", "nat", "--path", "nat=203.0.113.77"));
        client.SendUdpAt(0, Ip("198.51.100.2"), Server4, 1, sourcePort: 5000);
        client.SendUdpAt(0, Ip("203.0.113.2"), Server4, 2, sourcePort: 6000);
        client.SendUdpAt(0, Ip("2001:db8:1::2"), Server6, 3, sourcePort: 7000);
        topology.Run(maxEvents: 10_000);

        Assert.Equal(
            ["1 198.51.100.1:10000", "2 203.0.113.77:10000", "3 2001:db8:1::2:7000"],
            server.Received.Select(r => $"{HostDatagramNode.NumberOf(r.Packet)} {Source(r.Packet)}:{SourcePort(r.Packet)}").Order());
        Assert.All(server.Received, r => AssertUdpChecksumValid(r.Packet));
        Assert.Equal(
            ["1 198.51.100.2:5000 if0", "2 203.0.113.2:6000 if1", "3 2001:db8:1::2:7000 if0"],
            client.Received.Select(r => $"{HostDatagramNode.NumberOf(r.Packet)} {Destination(r.Packet)}:{DestinationPort(r.Packet)} if{r.InterfaceIndex}").Order());
        Assert.All(client.Received, r => AssertUdpChecksumValid(r.Packet));
        Assert.Equal(1, topology.Paths[0].Nat!.Mappings);
        Assert.Equal(Ip("203.0.113.77"), topology.Paths[1].Nat!.PublicAddress);
        Assert.True(topology.Router.TryLookup(Ip("203.0.113.77"), out int natPath));
        Assert.Equal(1, natPath);
    }

    [Fact]
    public void Each_path_strips_MPTCP_options_in_its_own_mode_and_a_NAT_with_a_stripper_keeps_checksums_right()
    {
        var (topology, client, server) = Build(Spec("--path", "strip=syn,nat", "--path", "strip=join", "--path", "strip=none"));
        IpAddressBytes[] sources = [Ip("198.51.100.2"), Ip("203.0.113.2"), Ip("192.0.2.130")];
        for (int path = 0; path < 3; path++)
        {
            client.SendPacketAt(path, Tcp(sources[path], Server4, 5000, 80, TcpFlags.Syn, [.. Mss, .. MpCapableSyn]));
            client.SendPacketAt(path, Tcp(sources[path], Server4, 5001, 80, TcpFlags.Syn, [.. Mss, .. MpJoinSyn]));
            client.SendPacketAt(path, Tcp(sources[path], Server4, 5000, 80, TcpFlags.Ack, Dss, [1, 2, 3]));
        }

        topology.Run(maxEvents: 10_000);
        Assert.Equal(9, server.Received.Count);
        var kept = new List<string>();
        foreach (ReceivedDatagram r in server.Received)
        {
            AssertChecksumsValid(r.Packet);
            IpPacket.TryParse(r.Packet, out IpPacket ip, out _);
            TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _);
            bool hasMptcp = false;
            foreach (var option in tcp.ReadOptions())
            {
                hasMptcp |= (byte)option.Kind == 30;
            }

            kept.Add($"{Source(r.Packet)} {(tcp.Flags.HasFlag(TcpFlags.Syn) ? "syn" : "ack")} {(hasMptcp ? "kept" : "stripped")}");
        }

        Assert.Equal(
            [
                "192.0.2.130 ack kept", "192.0.2.130 syn kept", "192.0.2.130 syn kept",
                "198.51.100.1 ack kept", "198.51.100.1 syn stripped", "198.51.100.1 syn stripped",
                "203.0.113.2 ack kept", "203.0.113.2 syn kept", "203.0.113.2 syn stripped",
            ],
            kept.Order());
        Assert.Equal(2, topology.Paths[0].Stripper!.SegmentsStripped);
        Assert.Equal(1, topology.Paths[1].Stripper!.SegmentsStripped);
        Assert.Null(topology.Paths[2].Stripper);
    }

    [Fact]
    public void A_path_link_goes_down_and_comes_back_at_its_times_and_the_other_path_carries_on()
    {
        var (topology, client, _) = Build(Spec("--path", "rate=100M,rtt=20ms", "--path", "rate=100M,rtt=20ms,down=100ms,up=200ms"));
        for (int i = 0; i <= 30; i++)
        {
            client.SendUdpAt(i * 10 * Ms, Ip("198.51.100.2"), Server4, i);
            client.SendUdpAt(i * 10 * Ms, Ip("203.0.113.2"), Server4, 100 + i);
        }

        topology.Run(maxEvents: 100_000);
        var answered = client.Received.Select(r => HostDatagramNode.NumberOf(r.Packet)).ToHashSet();
        Assert.All(Enumerable.Range(0, 31), i => Assert.Contains(i, answered));

        // Sent at 90 ms: the reply reaches the router 10 ms later, just as the link goes down.
        int[] expectedOnPath2 = [.. Enumerable.Range(0, 9).Concat(Enumerable.Range(20, 11)).Select(i => 100 + i)];
        Assert.Equal(expectedOnPath2, answered.Where(n => n >= 100).Order());
        Link link = topology.Paths[1].Link;
        Assert.Equal(10, link.Statistics(LinkDirection.AToB).DroppedLinkDown);
        Assert.Equal(1, link.Statistics(LinkDirection.BToA).DroppedLinkDown);
        Assert.True(link.IsUp);
    }

    [Fact]
    public void Addresses_appear_and_disappear_at_their_times_the_client_hears_of_it_at_once_and_sends_follow()
    {
        ScenarioSpec spec = Spec(
            "--path", "rate=100M,rtt=20ms", "--path", "rate=100M,rtt=20ms", "--path", "rate=100M,rtt=20ms",
            "--mobility", "at=50ms,path=2,add=203.0.113.9/24",
            "--mobility", "at=100ms,path=1,remove=198.51.100.2",
            "--mobility", "at=100ms,path=3,interface=down",
            "--mobility", "at=150ms,path=3,interface=up");
        var (topology, client, server) = Build(spec);
        client.SendUdpAt(40 * Ms, Ip("203.0.113.9"), Server4, 1);
        client.SendUdpAt(60 * Ms, Ip("203.0.113.9"), Server4, 2);
        client.SendUdpAt(90 * Ms, Ip("198.51.100.2"), Server4, 3);
        client.SendUdpAt(120 * Ms, Ip("198.51.100.2"), Server4, 4);
        client.SendUdpAt(120 * Ms, Ip("192.0.2.130"), Server4, 5);
        client.SendUdpAt(160 * Ms, Ip("192.0.2.130"), Server4, 6);
        topology.Run(maxEvents: 100_000);

        Assert.Equal(
            ["50000000 if1 Added 203.0.113.9/24", "100000000 if0 Removed 198.51.100.2/24", "100000000 if2 down", "150000000 if2 up"],
            client.Events);
        Assert.Contains(50 * Ms, client.PollTimes);
        Assert.Equal([2, 3, 6], server.Received.Select(r => HostDatagramNode.NumberOf(r.Packet)));

        // Number 3's reply arrives at 110 ms, after its address went away.
        Assert.Equal([(1, 2), (2, 6)], client.Received.Select(r => (r.InterfaceIndex, HostDatagramNode.NumberOf(r.Packet))));
        HostInterfaceStatistics stats = topology.ClientInterfaces.Statistics;
        Assert.Equal((2L, 1L, 1L), (stats.DroppedNoSourceAddress, stats.DroppedInterfaceDown, stats.DiscardedNotForUs));
    }

    /// <summary>Every impairment, a NAT and a stripper, link flaps and mobility, traffic on every path and family, all links tapped.</summary>
    private static (byte[] Capture, long Packets, string ClientLog) ImpairedRun(int seed)
    {
        ScenarioSpec spec = Spec(
            "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--duration", "5s",
            "--path", "rate=20M,rtt=20ms,jitter=2ms,loss=2%,reorder=2%,dup=1%,nat,strip=syn",
            "--path", "rate=5M,rtt=60ms,loss=ge:1%:20%,down=300ms,up=400ms,strip=join",
            "--path", "rate=50M,rtt=10ms,jitter=1ms,dup=2%",
            "--mobility", "at=200ms,path=2,add=203.0.113.9/24",
            "--mobility", "at=500ms,path=2,remove=203.0.113.2");
        using var capture = new MemoryStream();
        var (topology, client, _) = Build(spec, capture);
        using (topology)
        {
            int n = 0;
            for (int i = 0; i < 400; i++)
            {
                foreach (HostAddress address in topology.ClientInterfaces.AllAddresses)
                {
                    IpAddressBytes source = address.Address.Address;
                    client.SendUdpAt(i * 2 * Ms, source, source.IsV4 ? Server4 : Server6, n++, payloadLength: 100 + (i % 500));
                }

                client.SendUdpAt(i * 2 * Ms, Ip("203.0.113.9"), Server4, n++);
            }

            Assert.Equal(RunOutcome.Idle, topology.Run(maxEvents: 10_000_000));
        }

        string log = string.Join(";", client.Received.Select(r => $"{r.Time}/{r.InterfaceIndex}/{HostDatagramNode.NumberOf(r.Packet)}"));
        return (capture.ToArray(), topology.Tap!.PacketsWritten, log);
    }

    [Fact]
    public void The_same_seed_gives_byte_identical_captures_through_router_NAT_and_stripper_and_another_seed_differs()
    {
        var first = ImpairedRun(31);
        var second = ImpairedRun(31);
        var other = ImpairedRun(32);
        Assert.True(first.Packets > 5_000, $"only {first.Packets} packets");
        Assert.Equal(first.Capture, second.Capture);
        Assert.Equal(first.ClientLog, second.ClientLog);
        Assert.NotEqual(first.Capture, other.Capture);
    }

    [Fact]
    public void The_capture_has_one_named_raw_IP_interface_per_link_and_every_packet_reads()
    {
        var (capture, packets, _) = ImpairedRun(5);
        var (interfaces, perInterface, timestamps) = SimCaptures.ReadBack(capture);
        Assert.Equal(packets, timestamps.Count);
        Assert.Equal(["path1", "path2", "path3", "server"], interfaces);
        Assert.Equal(4, perInterface.Length);
        Assert.All(perInterface, n => Assert.True(n > 500, $"{n} packets on an interface"));
    }

    [Fact]
    public void Tshark_reads_the_topology_capture_with_no_malformed_packets()
    {
        var (capture, packets, _) = ImpairedRun(9);
        SimCaptures.AssertTsharkReadsCleanly(capture, packets);
    }

    [Fact]
    public void A_run_stops_at_the_scenario_duration()
    {
        var (topology, client, server) = Build(Spec("--duration", "50ms"));
        client.SendUdpAt(10 * Ms, Ip("198.51.100.2"), Server4, 1);
        client.SendUdpAt(60 * Ms, Ip("198.51.100.2"), Server4, 2);
        Assert.Equal(RunOutcome.TimeLimit, topology.Run());
        Assert.Equal([1], server.Received.Select(r => HostDatagramNode.NumberOf(r.Packet)));
        Assert.True(topology.Simulator.Now <= 50 * Ms);
    }

    [Fact]
    public void A_bad_scenario_or_a_missing_node_is_refused_before_anything_is_built()
    {
        var sim = new Simulator(new Random(1));
        var bad = new ScenarioSpec { Paths = [] };
        Assert.Throws<ScenarioFormatException>(() => SimulatedTopology.Build(sim, bad, i => new HostDatagramNode("c", i), i => new HostDatagramNode("s", i)));
        Assert.Empty(sim.Links);
        Assert.Throws<InvalidOperationException>(() => SimulatedTopology.Build(sim, new ScenarioSpec(), _ => null!, i => new HostDatagramNode("s", i)));
    }

    private static ushort SourcePort(byte[] packet)
    {
        IpPacket.TryParse(packet, out IpPacket ip, out _);
        return BinaryPrimitives.ReadUInt16BigEndian(ip.Payload);
    }

    private static ushort DestinationPort(byte[] packet)
    {
        IpPacket.TryParse(packet, out IpPacket ip, out _);
        return BinaryPrimitives.ReadUInt16BigEndian(ip.Payload[2..]);
    }

    private static void AssertUdpChecksumValid(byte[] packet)
    {
        IpPacket.TryParse(packet, out IpPacket ip, out _);
        var check = PseudoHeader.Start(ip.Source, ip.Destination, (byte)IpProtocol.Udp, ip.Payload.Length);
        check.Add(ip.Payload);
        Assert.Equal(0, check.Finish());
        Assert.NotEqual(0, BinaryPrimitives.ReadUInt16BigEndian(ip.Payload[6..]));
    }
}
