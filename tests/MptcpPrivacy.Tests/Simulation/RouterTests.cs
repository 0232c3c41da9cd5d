using System.Buffers.Binary;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Ip;
using static MptcpPrivacy.Tests.Simulation.SimPackets;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>The router: longest-prefix match for IPv4 and IPv6, TTL and hop limit, drop counters, checksums.</summary>
public class RouterTests
{
    private static readonly IpAddressBytes Left4 = IpAddressBytes.Parse("198.51.100.2");
    private static readonly IpAddressBytes Right4 = IpAddressBytes.Parse("203.0.113.7");
    private static readonly IpAddressBytes Left6 = IpAddressBytes.Parse("2001:db8:1::2");
    private static readonly IpAddressBytes Right6 = IpAddressBytes.Parse("2001:db8:2::7");

    private static IpAddressBytes Ip(string text) => IpAddressBytes.Parse(text);

    private static IpPrefix Prefix(string text) => IpPrefix.Parse(text);

    /// <summary>Two datagram nodes on either side of a router: left on router interface 0, right on 1.</summary>
    private static (Simulator Sim, DatagramNode Left, Router Router, DatagramNode Right) Line()
    {
        var sim = new Simulator(new Random(1));
        var left = new DatagramNode("left");
        var right = new DatagramNode("right");
        var router = new Router("router");
        left.AddInterface(Left4, Left6);
        right.AddInterface(Right4, Right6);
        sim.AddNode(left);
        sim.AddNode(router);
        sim.AddNode(right);
        sim.Connect(left, 0, router, 0, new LinkConfig { DelayNs = 1_000 });
        sim.Connect(router, 1, right, 0, new LinkConfig { DelayNs = 2_000 });
        router.AddRoute(Prefix("198.51.100.0/24"), 0);
        router.AddRoute(Prefix("203.0.113.0/24"), 1);
        router.AddRoute(Prefix("2001:db8:1::/64"), 0);
        router.AddRoute(Prefix("2001:db8:2::/64"), 1);
        return (sim, left, router, right);
    }

    private static byte[] Datagram(IpAddressBytes source, IpAddressBytes destination, byte ttl, int number = 0) =>
        IpPacketBuilder.Build(source, destination, Experimental, BitConverter.GetBytes(number), ttl);

    public static TheoryData<string, int> V4Lookups => new()
    {
        { "192.0.2.130", 2 },
        { "192.0.2.255", 2 },
        { "192.0.2.128", 2 },
        { "192.0.2.127", 1 },
        { "192.0.2.5", 1 },
        { "192.0.2.77", 4 },
        { "203.0.113.1", 3 },
        { "198.51.100.1", 3 },
    };

    [Theory]
    [MemberData(nameof(V4Lookups))]
    public void The_longest_IPv4_prefix_wins_whatever_order_the_routes_were_added_in(string destination, int expected)
    {
        AssertLookupInEveryOrder([("0.0.0.0/0", 3), ("192.0.2.0/24", 1), ("192.0.2.128/25", 2), ("192.0.2.77/32", 4)], destination, expected);
    }

    public static TheoryData<string, int> V6Lookups => new()
    {
        { "2001:db8:1:2::5", 4 },
        { "2001:db8:1:2::6", 3 },
        { "2001:db8:1:3::5", 2 },
        { "2001:db8:7fff::1", 1 },
        { "2001:db8:8000::1", -1 },
        { "2001:db8:1:2:8000::", 3 },
    };

    [Theory]
    [MemberData(nameof(V6Lookups))]
    public void The_longest_IPv6_prefix_wins_across_the_64_bit_halves(string destination, int expected)
    {
        AssertLookupInEveryOrder([("2001:db8::/33", 1), ("2001:db8:1::/48", 2), ("2001:db8:1:2::/64", 3), ("2001:db8:1:2::5/128", 4)], destination, expected);
    }

    [Fact]
    public void A_default_route_of_one_family_never_matches_the_other()
    {
        var router = new Router("r");
        router.AddRoute(Prefix("0.0.0.0/0"), 1);
        Assert.True(router.TryLookup(Ip("203.0.113.9"), out _));
        Assert.False(router.TryLookup(Ip("2001:db8::9"), out _));
        router.AddRoute(Prefix("::/0"), 2);
        Assert.True(router.TryLookup(Ip("2001:db8::9"), out int v6));
        Assert.Equal(2, v6);
        Assert.True(router.TryLookup(Ip("203.0.113.9"), out int v4));
        Assert.Equal(1, v4);
    }

    [Fact]
    public void The_same_route_twice_is_one_route_and_a_clashing_one_is_refused()
    {
        var router = new Router("r");
        router.AddRoute(Prefix("198.51.100.0/24"), 0);
        router.AddRoute(IpPrefix.Parse("198.51.100.0/24"), 0);
        Assert.Single(router.Routes);
        var clash = Assert.Throws<InvalidOperationException>(() => router.AddRoute(Prefix("198.51.100.0/24"), 1));
        Assert.Contains("198.51.100.0/24", clash.Message);
        Assert.True(router.RemoveRoute(Prefix("198.51.100.0/24")));
        Assert.False(router.RemoveRoute(Prefix("198.51.100.0/24")));
        Assert.False(router.TryLookup(Ip("198.51.100.1"), out _));
        router.AddRoute(Prefix("198.51.100.0/24"), 1);
        Assert.Equal([new Route(Prefix("198.51.100.0/24"), 1)], router.Routes);
    }

    [Fact]
    public void Forwarded_packets_cross_with_the_TTL_and_hop_limit_one_lower_and_nothing_else_changed()
    {
        var (sim, left, router, right) = Line();
        byte[] v4 = Datagram(Left4, Right4, ttl: 64, number: 1);
        byte[] v6 = Datagram(Left6, Right6, ttl: 255, number: 2);
        left.SendPacketAt(0, 0, (byte[])v4.Clone());
        left.SendPacketAt(0, 0, (byte[])v6.Clone());
        sim.RunUntilIdle(long.MaxValue, 1000);

        Assert.Equal(2, right.Received.Count);
        Assert.All(right.Received, r => Assert.Equal(3_000, r.Time));
        byte[] got4 = right.Received[0].Packet;
        IpPacket.TryParse(got4, out IpPacket ip4, out _);
        Assert.Equal(63, ip4.Ipv4.Ttl);
        Assert.True(ip4.Ipv4.IsHeaderChecksumValid);
        AssertSameExcept(v4, got4, 8, 10, 11);

        byte[] got6 = right.Received[1].Packet;
        Assert.Equal(254, got6[7]);
        AssertSameExcept(v6, got6, 7);
        Assert.Equal(2, router.Forwarded);
        Assert.Equal(0, router.DroppedTotal);
    }

    [Fact]
    public void An_echo_behind_the_router_answers_by_the_route_back()
    {
        var sim = new Simulator(new Random(1));
        var left = new DatagramNode("left");
        var right = new DatagramNode("right", echo: true);
        var router = new Router("router");
        left.AddInterface(Left4);
        right.AddInterface(Right4);
        sim.AddNode(left);
        sim.AddNode(router);
        sim.AddNode(right);
        sim.Connect(left, 0, router, 0, new LinkConfig { DelayNs = 1_000 });
        sim.Connect(router, 1, right, 0, new LinkConfig { DelayNs = 2_000 });
        router.AddRoute(Prefix("198.51.100.0/24"), 0);
        router.AddRoute(Prefix("203.0.113.0/24"), 1);
        left.SendPacketAt(0, 0, Datagram(Left4, Right4, 64, number: 7));
        sim.RunUntilIdle(long.MaxValue, 1000);
        var reply = Assert.Single(left.Received);
        Assert.Equal(6_000, reply.Time);
        Assert.Equal(63, reply.Packet[8]);
        Assert.Equal(2, router.Forwarded);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(255, true)]
    public void A_packet_whose_TTL_or_hop_limit_would_reach_zero_is_dropped_and_counted(byte ttl, bool forwarded)
    {
        var (sim, left, router, right) = Line();
        left.SendPacketAt(0, 0, Datagram(Left4, Right4, ttl));
        left.SendPacketAt(0, 0, Datagram(Left6, Right6, ttl));
        sim.RunUntilIdle(long.MaxValue, 1000);
        Assert.Equal(forwarded ? 2 : 0, right.Received.Count);
        Assert.Equal(forwarded ? 0 : 2, router.Dropped(RouterDropReason.TtlExpired));
        Assert.All(right.Received, r => Assert.Equal(ttl - 1, r.Packet[0] >> 4 == 4 ? r.Packet[8] : r.Packet[7]));
    }

    [Fact]
    public void Packets_with_no_route_are_dropped_and_counted_before_their_TTL_is_looked_at()
    {
        var (sim, left, router, right) = Line();
        left.SendPacketAt(0, 0, Datagram(Left4, Ip("192.0.2.9"), 64));
        left.SendPacketAt(0, 0, Datagram(Left6, Ip("2001:db8:3::1"), 64));
        left.SendPacketAt(0, 0, Datagram(Left4, Ip("192.0.2.9"), 1));
        sim.RunUntilIdle(long.MaxValue, 1000);
        Assert.Empty(right.Received);
        Assert.Equal(3, router.Dropped(RouterDropReason.NoRoute));
        Assert.Equal(0, router.Dropped(RouterDropReason.TtlExpired));
        Assert.Equal(0, router.Forwarded);
    }

    [Fact]
    public void Malformed_packets_and_bad_IPv4_header_checksums_are_dropped_and_counted_by_reason()
    {
        var router = new Router("r");
        router.AddRoute(Prefix("0.0.0.0/0"), 1);
        router.AddRoute(Prefix("::/0"), 1);
        byte[] good4 = Datagram(Left4, Right4, 64);
        byte[] good6 = Datagram(Left6, Right6, 64);

        byte[] badChecksum = (byte[])good4.Clone();
        badChecksum[10] ^= 0x01;
        byte[] longer4 = (byte[])good4.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(longer4.AsSpan(2), (ushort)(good4.Length + 1));
        byte[] badIhl = (byte[])good4.Clone();
        badIhl[0] = 0x44;
        byte[] longer6 = (byte[])good6.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(longer6.AsSpan(4), (ushort)(good6.Length - 39));
        byte[][] malformed = [[], [0x50, 0, 0, 0], good4[..19], longer4, badIhl, good6[..39], longer6];
        foreach (byte[] packet in malformed)
        {
            router.OnPacket(0, 0, packet);
        }

        router.OnPacket(0, 0, badChecksum);
        Assert.False(router.PollTransmit(0, out _));
        Assert.Equal(malformed.Length, router.Dropped(RouterDropReason.Malformed));
        Assert.Equal(1, router.Dropped(RouterDropReason.BadHeaderChecksum));
        Assert.Equal(malformed.Length + 1, router.DroppedTotal);
        Assert.Equal(long.MaxValue, router.NextDeadline(0));
    }

    [Fact]
    public void Link_padding_past_the_IP_length_is_not_forwarded()
    {
        var router = new Router("r");
        router.AddRoute(Prefix("0.0.0.0/0"), 3);
        router.AddRoute(Prefix("::/0"), 4);
        byte[] v4 = Datagram(Left4, Right4, 64);
        byte[] v6 = Datagram(Left6, Right6, 64);
        router.OnPacket(0, 0, [.. v4, 0, 0, 0, 0]);
        router.OnPacket(0, 0, [.. v6, 0xEE, 0xEE]);
        Assert.Equal(0, router.NextDeadline(0));
        Assert.True(router.PollTransmit(0, out OutgoingPacket first));
        Assert.True(router.PollTransmit(0, out OutgoingPacket second));
        Assert.False(router.PollTransmit(0, out _));
        Assert.Equal((3, v4.Length), (first.InterfaceIndex, first.Data.Length));
        Assert.Equal((4, v6.Length), (second.InterfaceIndex, second.Data.Length));
    }

    [Fact]
    public void The_incremental_checksum_update_equals_a_full_recomputation_for_every_TTL_and_many_headers()
    {
        // RFC 1624 §3: the incremental update must agree with summing the header again, including
        // the headers whose checksum is 0x0000 or 0xFFFF, where RFC 1141's shortcut went wrong.
        var random = new Random(1624);
        var router = new Router("r");
        router.AddRoute(Prefix("0.0.0.0/0"), 1);
        int checkedHeaders = 0;
        for (int i = 0; i < 20_000; i++)
        {
            var header = new byte[20];
            random.NextBytes(header);
            header[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), 20);
            header[8] = (byte)random.Next(2, 256);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), 0);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), InternetChecksum.Compute(header));

            router.OnPacket(0, 0, header);
            Assert.True(router.PollTransmit(0, out OutgoingPacket forwarded), $"seed 1624 header {i}");
            var expected = (byte[])header.Clone();
            expected[8]--;
            BinaryPrimitives.WriteUInt16BigEndian(expected.AsSpan(10), 0);
            BinaryPrimitives.WriteUInt16BigEndian(expected.AsSpan(10), InternetChecksum.Compute(expected));
            Assert.Equal(0, InternetChecksum.Compute(forwarded.Data));
            Assert.Equal(expected, forwarded.Data);
            checkedHeaders++;
        }

        Assert.Equal(20_000, checkedHeaders);
    }

    [Fact]
    public void A_header_whose_new_checksum_is_zero_gets_zero_and_not_minus_zero()
    {
        // RFC 1624 §3-4: with the TTL lowered, make the other words sum to 0xFFFF, so the right
        // checksum is 0x0000; RFC 1141's update gave 0xFFFF there.
        var header = new byte[20];
        header[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), 20);
        header[8] = 0x40;
        header[9] = 17;
        Right4.CopyTo(header.AsSpan(12));
        Left4.CopyTo(header.AsSpan(16));
        var after = (byte[])header.Clone();
        after[8]--;
        uint sum = 0;
        for (int i = 0; i < 20; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(after.AsSpan(i));
        }

        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), (ushort)(0xFFFF - sum));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), InternetChecksum.Compute(header));

        var router = new Router("r");
        router.AddRoute(Prefix("0.0.0.0/0"), 1);
        router.OnPacket(0, 0, header);
        Assert.True(router.PollTransmit(0, out OutgoingPacket forwarded));
        Assert.Equal(0x3F, forwarded.Data[8]);
        Assert.Equal(0x0000, BinaryPrimitives.ReadUInt16BigEndian(forwarded.Data.AsSpan(10)));
        Assert.Equal(0, InternetChecksum.Compute(forwarded.Data));
    }

    [Fact]
    public void Dropping_allocates_nothing_and_forwarding_only_the_copy()
    {
        var router = new Router("r");
        router.AddRoute(Prefix("203.0.113.0/24"), 1);
        byte[] forward = Datagram(Left4, Right4, 64);
        byte[] noRoute = Datagram(Left4, Ip("192.0.2.1"), 64);
        byte[] expired = Datagram(Left4, Right4, 1);
        for (int i = 0; i < 3; i++)
        {
            router.OnPacket(0, 0, forward);
            router.PollTransmit(0, out _);
            router.OnPacket(0, 0, noRoute);
            router.OnPacket(0, 0, expired);
        }

        long dropping = long.MaxValue;
        long forwarding = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                router.OnPacket(0, 0, noRoute);
                router.OnPacket(0, 0, expired);
            }

            dropping = Math.Min(dropping, GC.GetAllocatedBytesForCurrentThread() - before);
            before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                router.OnPacket(0, 0, forward);
                router.PollTransmit(0, out _);
            }

            forwarding = Math.Min(forwarding, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, dropping);

        // One array per packet: its bytes plus the array header, rounded to 8.
        Assert.InRange(forwarding, 100 * forward.Length, 100 * (forward.Length + 32));
    }

    /// <summary>Adds the routes in every order and checks that <paramref name="destination"/> always finds <paramref name="expected"/> (-1: no route).</summary>
    private static void AssertLookupInEveryOrder((string Prefix, int Interface)[] routes, string destination, int expected)
    {
        foreach (var order in Permutations(routes))
        {
            var router = new Router("r");
            foreach (var (prefix, index) in order)
            {
                router.AddRoute(Prefix(prefix), index);
            }

            Assert.Equal(expected >= 0, router.TryLookup(Ip(destination), out int found));
            Assert.Equal(expected, found);
        }
    }

    private static void AssertSameExcept(byte[] expected, byte[] actual, params int[] offsets)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (!offsets.Contains(i))
            {
                Assert.True(expected[i] == actual[i], $"byte {i} changed from {expected[i]:x2} to {actual[i]:x2}");
            }
        }
    }

    private static IEnumerable<T[]> Permutations<T>(T[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (int i = 0; i < items.Length; i++)
        {
            T[] rest = [.. items[..i], .. items[(i + 1)..]];
            foreach (T[] tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }
}
