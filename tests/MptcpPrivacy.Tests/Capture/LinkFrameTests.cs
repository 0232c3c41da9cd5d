using FsCheck;
using FsCheck.Fluent;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Link;
using static MptcpPrivacy.Tests.Capture.CaptureTestFiles;

namespace MptcpPrivacy.Tests.Capture;

public class LinkFrameTests
{
    // dst 00:11:22:33:44:55, src 66:77:88:99:aa:bb, IPv4, then two payload bytes.
    private static readonly byte[] EthernetIpv4 = Hex("001122334455 66778899aabb 0800 4500");

    // The first frame of tcpdump's mptcp-aa-echo.pcap: SLL, packet type 4 (outgoing), ARPHRD_ETHER,
    // address 06:d8:ef:e1:38:28, IPv4.
    private static readonly byte[] SllFromTcpdump = Hex("0004 0001 0006 06d8efe138280000 0800 4500004c");

    // SLL2: IPv6, reserved, ifindex 0x01020304, ARPHRD_ETHER, packet type 3, address length 6.
    private static readonly byte[] Sll2Ipv6 = Hex("86dd 0000 01020304 0001 03 06 001122334455 0000 6000");

    [Fact]
    public void Ethernet_reads_every_field()
    {
        Assert.True(EthernetHeader.TryParse(EthernetIpv4, out var header, out var error));
        Assert.Equal(WireError.None, error);
        Assert.Equal(0x001122334455UL, header.Destination.Value);
        Assert.Equal(0x66778899AABBUL, header.Source.Value);
        Assert.Equal("66:77:88:99:aa:bb", header.Source.ToString());
        Assert.Equal(0x0800, header.EtherType);

        Assert.True(LinkFrame.TryParse(LinkType.Ethernet, EthernetIpv4, out var frame, out error));
        Assert.Equal(WireError.None, error);
        Assert.Equal(NetworkProtocol.Ipv4, frame.NetworkProtocol);
        Assert.Equal(0x0800, frame.EtherType);
        Assert.Equal(-1, frame.InterfaceIndex);
        Assert.Equal(0, frame.PacketType);
        Assert.Equal(0, frame.VlanTagCount);
        Assert.Equal(14, frame.HeaderLength);
        Assert.Equal(Hex("4500"), frame.Payload.ToArray());
    }

    [Theory]
    [InlineData("86dd", NetworkProtocol.Ipv6)]
    [InlineData("0806", NetworkProtocol.Other)] // ARP
    [InlineData("0040", NetworkProtocol.Other)] // an 802.3 length, LLC follows
    [InlineData("88f7", NetworkProtocol.Other)] // PTP
    public void Ethernet_maps_ethertypes(string etherType, NetworkProtocol expected)
    {
        var bytes = Hex("001122334455 66778899aabb" + etherType + "ffff");
        Assert.True(LinkFrame.TryParse(LinkType.Ethernet, bytes, out var frame, out _));
        Assert.Equal(expected, frame.NetworkProtocol);
        Assert.Equal(Convert.ToUInt16(etherType, 16), frame.EtherType);
        Assert.Equal(2, frame.Payload.Length);
    }

    [Theory]
    [InlineData("8100 e07b 0800", 1, NetworkProtocol.Ipv4)]
    [InlineData("88a8 0064 8100 00c8 86dd", 2, NetworkProtocol.Ipv6)]
    [InlineData("9100 0001 88a8 0002 8100 0003 0800", 3, NetworkProtocol.Ipv4)]
    [InlineData("8100 0005 0806", 1, NetworkProtocol.Other)]
    public void Ethernet_skips_vlan_stacks(string tags, int count, NetworkProtocol expected)
    {
        var header = Hex("001122334455 66778899aabb" + tags);
        var bytes = header.Concat(Hex("45")).ToArray();
        Assert.True(LinkFrame.TryParse(LinkType.Ethernet, bytes, out var frame, out var error));
        Assert.Equal(WireError.None, error);
        Assert.Equal(count, frame.VlanTagCount);
        Assert.Equal(expected, frame.NetworkProtocol);
        Assert.Equal(header.Length, frame.HeaderLength);
        Assert.Equal(14 + (4 * count), frame.HeaderLength);
        Assert.Equal(Hex("45"), frame.Payload.ToArray());

        // Every cut inside the header or the tag stack is a truncation, never a misread.
        for (var cut = 0; cut < header.Length; cut++)
        {
            Assert.False(LinkFrame.TryParse(LinkType.Ethernet, bytes.AsSpan(0, cut), out frame, out error));
            Assert.Equal(WireError.Truncated, error);
            Assert.True(frame.Payload.IsEmpty);
        }

        // At exactly the header length the payload is empty but the frame parses.
        Assert.True(LinkFrame.TryParse(LinkType.Ethernet, header, out frame, out _));
        Assert.True(frame.Payload.IsEmpty);
    }

    [Fact]
    public void VlanTag_reads_every_field()
    {
        Assert.True(VlanTag.TryParse(Hex("f07b86dd"), out var tag, out var error));
        Assert.Equal(WireError.None, error);
        Assert.Equal(0xF07B, tag.ControlInformation);
        Assert.Equal(7, tag.Priority);
        Assert.True(tag.DropEligible);
        Assert.Equal(0x07B, tag.VlanId);
        Assert.Equal(0x86DD, tag.EtherType);

        Assert.True(VlanTag.TryParse(Hex("200a0800"), out tag, out _));
        Assert.Equal(1, tag.Priority);
        Assert.False(tag.DropEligible);
        Assert.Equal(10, tag.VlanId);

        for (var cut = 0; cut < VlanTag.Length; cut++)
        {
            Assert.False(VlanTag.TryParse(new byte[cut], out _, out error));
            Assert.Equal(WireError.Truncated, error);
        }
    }

    [Fact]
    public void LinuxSll_reads_every_field_of_a_tcpdump_frame()
    {
        Assert.True(LinuxSllHeader.TryParse(SllFromTcpdump, out var header, out var error));
        Assert.Equal(WireError.None, error);
        Assert.Equal(4, header.PacketType);
        Assert.Equal(1, header.ArphrdType);
        Assert.Equal(6, header.AddressLength);
        Assert.Equal(0x06D8EFE138280000UL, header.Address);
        Assert.Equal(0x0800, header.ProtocolType);

        Assert.True(LinkFrame.TryParse(LinkType.LinuxSll, SllFromTcpdump, out var frame, out error));
        Assert.Equal(NetworkProtocol.Ipv4, frame.NetworkProtocol);
        Assert.Equal(4, frame.PacketType);
        Assert.Equal(-1, frame.InterfaceIndex);
        Assert.Equal(16, frame.HeaderLength);
        Assert.Equal(Hex("4500004c"), frame.Payload.ToArray());
    }

    [Fact]
    public void LinuxSll2_reads_every_field()
    {
        Assert.True(LinuxSll2Header.TryParse(Sll2Ipv6, out var header, out var error));
        Assert.Equal(WireError.None, error);
        Assert.Equal(0x86DD, header.ProtocolType);
        Assert.Equal(0x01020304, header.InterfaceIndex);
        Assert.Equal(1, header.ArphrdType);
        Assert.Equal(3, header.PacketType);
        Assert.Equal(6, header.AddressLength);
        Assert.Equal(0x0011223344550000UL, header.Address);

        Assert.True(LinkFrame.TryParse(LinkType.LinuxSll2, Sll2Ipv6, out var frame, out error));
        Assert.Equal(NetworkProtocol.Ipv6, frame.NetworkProtocol);
        Assert.Equal(0x01020304, frame.InterfaceIndex);
        Assert.Equal(3, frame.PacketType);
        Assert.Equal(20, frame.HeaderLength);
        Assert.Equal(Hex("6000"), frame.Payload.ToArray());
    }

    [Fact]
    public void Cooked_headers_skip_reinserted_vlan_tags()
    {
        var bytes = Hex("8100 0000 00000002 0001 00 06 001122334455 0000 0064 0800 45");
        Assert.True(LinkFrame.TryParse(LinkType.LinuxSll2, bytes, out var frame, out _));
        Assert.Equal(1, frame.VlanTagCount);
        Assert.Equal(NetworkProtocol.Ipv4, frame.NetworkProtocol);
        Assert.Equal(24, frame.HeaderLength);
        Assert.False(LinkFrame.TryParse(LinkType.LinuxSll2, bytes.AsSpan(0, 22), out _, out var error));
        Assert.Equal(WireError.Truncated, error);
    }

    [Theory]
    [InlineData(LinkType.Ethernet, 14)]
    [InlineData(LinkType.LinuxSll, 16)]
    [InlineData(LinkType.LinuxSll2, 20)]
    [InlineData(LinkType.Null, 4)]
    [InlineData(LinkType.Loop, 4)]
    [InlineData(LinkType.Raw, 1)]
    public void Every_truncation_of_a_link_header_is_reported(LinkType linkType, int headerLength)
    {
        var frame = new byte[headerLength];
        for (var cut = 0; cut < headerLength; cut++)
        {
            Assert.False(LinkFrame.TryParse(linkType, frame.AsSpan(0, cut), out var result, out var error));
            Assert.Equal(WireError.Truncated, error);
            Assert.Equal(NetworkProtocol.Other, result.NetworkProtocol);
        }

        Assert.True(LinkFrame.TryParse(linkType, frame, out _, out _));
    }

    [Theory]
    [InlineData(LinkType.Null, "02000000", NetworkProtocol.Ipv4)] // little-endian host
    [InlineData(LinkType.Null, "00000002", NetworkProtocol.Ipv4)] // big-endian host
    [InlineData(LinkType.Null, "18000000", NetworkProtocol.Ipv6)] // OpenBSD / NetBSD
    [InlineData(LinkType.Null, "0000001c", NetworkProtocol.Ipv6)] // FreeBSD, big-endian host
    [InlineData(LinkType.Null, "1e000000", NetworkProtocol.Ipv6)] // macOS
    [InlineData(LinkType.Null, "07000000", NetworkProtocol.Other)]
    [InlineData(LinkType.Loop, "00000002", NetworkProtocol.Ipv4)]
    [InlineData(LinkType.Loop, "00000018", NetworkProtocol.Ipv6)]
    [InlineData(LinkType.Loop, "02000000", NetworkProtocol.Other)] // LOOP is always network order
    public void Loopback_families_in_either_byte_order(LinkType linkType, string header, NetworkProtocol expected)
    {
        var bytes = Hex(header + "abcd");
        Assert.True(LinkFrame.TryParse(linkType, bytes, out var frame, out var error));
        Assert.Equal(WireError.None, error);
        Assert.Equal(expected, frame.NetworkProtocol);
        Assert.Equal(4, frame.HeaderLength);
        Assert.Equal(0, frame.EtherType);
        Assert.Equal(-1, frame.InterfaceIndex);
        Assert.Equal(Hex("abcd"), frame.Payload.ToArray());
    }

    [Fact]
    public void LoopbackHeader_reports_the_order_it_found()
    {
        Assert.True(LoopbackHeader.TryParse(Hex("0000001e"), networkOrder: false, out var header, out _));
        Assert.Equal(new LoopbackHeader(30, BigEndian: true), header);
        Assert.True(LoopbackHeader.TryParse(Hex("1e000000"), networkOrder: false, out header, out _));
        Assert.Equal(new LoopbackHeader(30, BigEndian: false), header);
    }

    [Theory]
    [InlineData(LinkType.Raw, "4500", NetworkProtocol.Ipv4)]
    [InlineData(LinkType.Raw, "6000", NetworkProtocol.Ipv6)]
    [InlineData(LinkType.Raw, "0000", NetworkProtocol.Other)]
    [InlineData(LinkType.Raw, "f0", NetworkProtocol.Other)]
    [InlineData(LinkType.Ipv4, "6000", NetworkProtocol.Ipv4)] // the link type decides, not the nibble
    [InlineData(LinkType.Ipv6, "4500", NetworkProtocol.Ipv6)]
    [InlineData(LinkType.Ipv4, "", NetworkProtocol.Ipv4)]
    public void Headerless_link_types(LinkType linkType, string bytes, NetworkProtocol expected)
    {
        var frame = Hex(bytes);
        Assert.True(LinkFrame.TryParse(linkType, frame, out var result, out var error));
        Assert.Equal(WireError.None, error);
        Assert.Equal(expected, result.NetworkProtocol);
        Assert.Equal(0, result.HeaderLength);
        Assert.Equal(frame, result.Payload.ToArray());
    }

    [Theory]
    [InlineData((ushort)105)] // IEEE 802.11
    [InlineData((ushort)12)] // DLT_RAW on some BSDs, never a LINKTYPE_ in a file
    [InlineData((ushort)0xFFFF)]
    public void Unknown_link_types_are_unsupported(ushort linkType)
    {
        Assert.False(LinkFrame.TryParse((LinkType)linkType, EthernetIpv4, out var frame, out var error));
        Assert.Equal(WireError.Unsupported, error);
        Assert.True(frame.Payload.IsEmpty);
    }

    [Fact]
    public void Header_encoders_write_exactly_their_bytes()
    {
        AssertEncodes(Hex("001122334455 66778899aabb 86dd"), b => new EthernetHeader(new MacAddress(0x001122334455), new MacAddress(0x66778899AABB), 0x86DD).Encode(b));
        AssertEncodes(Hex("f07b 0800"), b => new VlanTag(0xF07B, 0x0800).Encode(b));
        AssertEncodes(SllFromTcpdump[..16], b => new LinuxSllHeader(4, 1, 6, 0x06D8EFE138280000, 0x0800).Encode(b));
        AssertEncodes(Sll2Ipv6[..20], b => new LinuxSll2Header(0x86DD, 0x01020304, 1, 3, 6, 0x0011223344550000).Encode(b));
        AssertEncodes(Hex("0000001e"), b => new LoopbackHeader(30, BigEndian: true).Encode(b));
        AssertEncodes(Hex("1e000000"), b => new LoopbackHeader(30, BigEndian: false).Encode(b));
    }

    [Fact]
    public void Header_structs_round_trip()
    {
        Assert.True(EthernetHeader.TryParse(EthernetIpv4, out var ethernet, out _));
        AssertEncodes(EthernetIpv4[..14], b => ethernet.Encode(b));
        Assert.True(LinuxSllHeader.TryParse(SllFromTcpdump, out var sll, out _));
        AssertEncodes(SllFromTcpdump[..16], b => sll.Encode(b));
        Assert.True(LinuxSll2Header.TryParse(Sll2Ipv6, out var sll2, out _));
        AssertEncodes(Sll2Ipv6[..20], b => sll2.Encode(b));
        Assert.Equal(14, ethernet.EncodedLength);
        Assert.Equal(16, sll.EncodedLength);
        Assert.Equal(20, sll2.EncodedLength);
    }

    [Fact]
    public void Sll2_reserved_field_is_ignored_on_reading_and_zero_on_writing()
    {
        var bytes = (byte[])Sll2Ipv6.Clone();
        bytes[2] = 0xAB;
        Assert.True(LinuxSll2Header.TryParse(bytes, out var header, out _));
        AssertEncodes(Sll2Ipv6[..20], b => header.Encode(b));
    }

    [Theory]
    [InlineData(LinkType.Ethernet, NetworkProtocol.Ipv4, "000000000000 000000000000 0800")]
    [InlineData(LinkType.Ethernet, NetworkProtocol.Ipv6, "000000000000 000000000000 86dd")]
    [InlineData(LinkType.LinuxSll, NetworkProtocol.Ipv4, "0004 0001 0006 0000000000000000 0800")]
    [InlineData(LinkType.LinuxSll2, NetworkProtocol.Ipv6, "86dd 0000 00000007 0001 04 06 0000000000000000")]
    [InlineData(LinkType.Loop, NetworkProtocol.Ipv6, "00000018")]
    [InlineData(LinkType.Null, NetworkProtocol.Ipv4, "02000000")]
    [InlineData(LinkType.Raw, NetworkProtocol.Ipv6, "")]
    [InlineData(LinkType.Ipv4, NetworkProtocol.Ipv4, "")]
    [InlineData(LinkType.Ipv6, NetworkProtocol.Ipv6, "")]
    public void EncodeHeader_is_what_TryParse_reads_back(LinkType linkType, NetworkProtocol protocol, string expected)
    {
        Assert.True(BitConverter.IsLittleEndian, "the Null expectation assumes a little-endian host");
        var header = Hex(expected);
        Assert.Equal(header.Length, LinkFrame.EncodedHeaderLength(linkType));
        AssertEncodes(header, b => LinkFrame.EncodeHeader(linkType, protocol, b, interfaceIndex: 7));

        var frame = new byte[header.Length + 1];
        LinkFrame.EncodeHeader(linkType, protocol, frame, interfaceIndex: 7);
        frame[^1] = protocol == NetworkProtocol.Ipv4 ? (byte)0x45 : (byte)0x60;
        Assert.True(LinkFrame.TryParse(linkType, frame, out var parsed, out _));
        Assert.Equal(protocol, parsed.NetworkProtocol);
        Assert.Equal(header.Length, parsed.HeaderLength);
        Assert.Equal(1, parsed.Payload.Length);
    }

    [Fact]
    public void Encoders_refuse_what_they_cannot_write()
    {
        var buffer = new byte[32];
        Assert.Throws<ArgumentOutOfRangeException>(() => LinkFrame.EncodeHeader(LinkType.Ethernet, NetworkProtocol.Other, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinkFrame.EncodeHeader(LinkType.Ipv4, NetworkProtocol.Ipv6, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinkFrame.EncodeHeader((LinkType)105, NetworkProtocol.Ipv4, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinkFrame.EncodedHeaderLength((LinkType)105));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinkFrame.EncodeHeader(LinkType.Ethernet, NetworkProtocol.Ipv4, new byte[13]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MacAddress(1UL << 48));
    }

    [Fact]
    public void Parsing_allocates_nothing()
    {
        var frames = new[] { EthernetIpv4, SllFromTcpdump, Sll2Ipv6, Hex("001122334455 66778899aabb 88a8 0064 8100 00c8 86dd 60") };
        var types = new[] { LinkType.Ethernet, LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Ethernet };
        var total = 0;
        // The runtime may allocate once while it tiers the loop up; the quietest of several rounds must be free.
        var fewest = long.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                var k = i % frames.Length;
                if (LinkFrame.TryParse(types[k], frames[k], out var frame, out _))
                {
                    total += frame.Payload.Length;
                }
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
        Assert.True(total > 0);
    }

    [Fact]
    public void Arbitrary_bytes_never_throw_and_the_payload_is_the_tail()
    {
        var linkTypes = Enum.GetValues<LinkType>().Select(t => (ushort)t).Append((ushort)105).ToArray();
        var property = Prop.ForAll(
            Arb.From(Gen.Elements(linkTypes)),
            ArbMap.Default.ArbFor<byte[]>(),
            (linkType, bytes) =>
            {
                bytes ??= [];
                if (!LinkFrame.TryParse((LinkType)linkType, bytes, out var frame, out var error))
                {
                    return error is WireError.Truncated or WireError.Unsupported;
                }

                return error == WireError.None
                    && frame.HeaderLength + frame.Payload.Length == bytes.Length
                    && bytes.AsSpan(frame.HeaderLength).SequenceEqual(frame.Payload);
            });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }

    private static void AssertEncodes(byte[] expected, Func<byte[], int> encode)
    {
        const byte marker = 0xEE;
        var buffer = Enumerable.Repeat(marker, expected.Length + 8).ToArray();
        Assert.Equal(expected.Length, encode(buffer));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(buffer, 0, expected.Length));
        Assert.All(buffer[expected.Length..], b => Assert.Equal(marker, b));
    }
}
