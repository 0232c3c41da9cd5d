using MptcpPrivacy.Capture;
using static MptcpPrivacy.Tests.Capture.CaptureTestFiles;

using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Tests.Capture;

public class CaptureRoundTripTests
{
    private static readonly byte[] PacketA = Hex("4500001c 00010000 40110000 0a000001 0a000002 04d2162e 00080000");
    private static readonly byte[] PacketB = Hex("60000000 0020 3b40 20010db8000000000000000000000001 20010db8000000000000000000000002 cafe" + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d");

    [Fact]
    public void PcapWriter_writes_the_documented_bytes()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Raw, snapLength: 65535, nanosecond: false, leaveOpen: true))
        {
            writer.Write(1_620_829_639_175_792_123, Hex("45000004"), originalLength: 40);
        }

        Assert.Equal(
            "D4C3B2A1" + "02000400" + "00000000" + "00000000" + "FFFF0000" + "65000000"
            + "C7E59B60" + "B0AE0200" + "04000000" + "28000000" + "45000004",
            Convert.ToHexString(stream.ToArray()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Pcap_round_trip(bool nanosecond)
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Raw, snapLength: 60, nanosecond: nanosecond, leaveOpen: true))
        {
            writer.Write(1_000_000_000_123_456_789, PacketA);
            writer.Write(4_294_967_295_999_999_999, PacketB, originalLength: 1500); // the last representable second
            writer.Write(0, []);
        }

        var result = ReadAll(stream.ToArray());
        Assert.Null(result.Error);
        Assert.Equal(CaptureFormat.Pcap, result.Format);
        Assert.Equal(new CaptureInterface(LinkType.Raw, 60, null, nanosecond ? 1_000_000_000UL : 1_000_000UL, 0, -1), Assert.Single(result.Interfaces));
        Assert.Equal(3, result.Frames.Count);

        var truncateToMicroseconds = nanosecond ? 1L : 1000L;
        Assert.Equal(1_000_000_000_123_456_789 / truncateToMicroseconds * truncateToMicroseconds, result.Frames[0].TimestampNanoseconds);
        Assert.Equal(PacketA, result.Frames[0].Data);
        Assert.Equal(PacketA.Length, result.Frames[0].OriginalLength);

        // Longer than the snap length: cut, but the original length survives.
        Assert.Equal(4_294_967_295_999_999_999 / truncateToMicroseconds * truncateToMicroseconds, result.Frames[1].TimestampNanoseconds);
        Assert.Equal(PacketB[..60], result.Frames[1].Data);
        Assert.Equal(1500, result.Frames[1].OriginalLength);

        Assert.Equal(0, result.Frames[2].TimestampNanoseconds);
        Assert.Empty(result.Frames[2].Data);
        Assert.Equal(new[] { 24L, 24 + 16 + PacketA.Length, 24 + 16 + PacketA.Length + 16 + 60 }, result.Frames.Select(f => f.ByteOffset));
    }

    [Fact]
    public void Writers_refuse_what_the_format_cannot_hold()
    {
        var pcap = new PcapWriter(new MemoryStream(), LinkType.Ethernet);
        Assert.Throws<ArgumentOutOfRangeException>(() => pcap.Write(-1, PacketA));
        Assert.Throws<ArgumentOutOfRangeException>(() => pcap.Write(4_294_967_296_000_000_000, PacketA));
        Assert.Throws<ArgumentOutOfRangeException>(() => pcap.Write(0, PacketA, originalLength: PacketA.Length - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PcapWriter(new MemoryStream(), LinkType.Ethernet, snapLength: 0));

        var pcapng = new PcapngWriter(new MemoryStream());
        Assert.Throws<ArgumentOutOfRangeException>(() => pcapng.WriteEnhancedPacket(0, 0, PacketA));
        var id = pcapng.AddInterface(LinkType.Raw);
        Assert.Throws<ArgumentOutOfRangeException>(() => pcapng.WriteEnhancedPacket(id + 1, 0, PacketA));
        Assert.Throws<ArgumentOutOfRangeException>(() => pcapng.WriteEnhancedPacket(id, -5, PacketA));
        Assert.Throws<ArgumentOutOfRangeException>(() => pcapng.WriteEnhancedPacket(id, 0, PacketA, originalLength: 3));
    }

    [Fact]
    public void PcapngWriter_writes_the_documented_bytes()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapngWriter(stream, leaveOpen: true))
        {
            Assert.Equal(0, writer.AddInterface(LinkType.LinuxSll2, snapLength: 65535, name: "eth0"));
            writer.WriteEnhancedPacket(0, 0x0000_0001_0000_0002, Hex("010203"), originalLength: 9);
        }

        Assert.Equal(
            // SHB: type, length 28, magic, version 1.0, section length -1, length
            "0A0D0D0A" + "1C000000" + "4D3C2B1A" + "0100" + "0000" + "FFFFFFFFFFFFFFFF" + "1C000000"
            // IDB: type, length 40, SLL2, reserved, snap 65535, if_name "eth0", if_tsresol 9 (+3 padding), opt_endofopt, length
            + "01000000" + "28000000" + "1401" + "0000" + "FFFF0000" + "02000400" + "65746830" + "09000100" + "09000000" + "00000000" + "28000000"
            // EPB: type, length 36, interface 0, timestamp high, low, captured 3, original 9, data + 1 padding, length
            + "06000000" + "24000000" + "00000000" + "01000000" + "02000000" + "03000000" + "09000000" + "01020300" + "24000000",
            Convert.ToHexString(stream.ToArray()));
    }

    [Fact]
    public void Pcapng_round_trip_with_several_interfaces()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapngWriter(stream, leaveOpen: true))
        {
            var raw = writer.AddInterface(LinkType.Raw, name: "tun0");
            var ethernet = writer.AddInterface(LinkType.Ethernet, snapLength: 64, name: "eth1 ünïcode");
            var sll2 = writer.AddInterface(LinkType.LinuxSll2);
            writer.WriteEnhancedPacket(raw, 1_700_000_000_000_000_001, PacketA);
            writer.WriteEnhancedPacket(ethernet, 1_700_000_000_000_000_002, [.. new byte[14], .. PacketB], originalLength: 2000);
            writer.WriteEnhancedPacket(sll2, long.MaxValue, [.. new byte[20], .. PacketA]);
            for (var length = 0; length < 5; length++)
            {
                writer.WriteEnhancedPacket(raw, length, PacketA[..length]); // every padding length
            }
        }

        var result = ReadAll(stream.ToArray());
        Assert.Null(result.Error);
        Assert.Equal(CaptureFormat.Pcapng, result.Format);
        Assert.Equal(
            new[]
            {
                new CaptureInterface(LinkType.Raw, 262144, "tun0", 1_000_000_000UL, 0, -1),
                new CaptureInterface(LinkType.Ethernet, 64, "eth1 ünïcode", 1_000_000_000UL, 0, -1),
                new CaptureInterface(LinkType.LinuxSll2, 262144, null, 1_000_000_000UL, 0, -1),
            },
            result.Interfaces);
        Assert.Equal(8, result.Frames.Count);
        Assert.Equal(new[] { 0, 1, 2, 0, 0, 0, 0, 0 }, result.Frames.Select(f => f.InterfaceId));
        Assert.Equal(new[] { LinkType.Raw, LinkType.Ethernet, LinkType.LinuxSll2 }, result.Frames.Take(3).Select(f => f.LinkType));
        Assert.Equal(new[] { 1_700_000_000_000_000_001, 1_700_000_000_000_000_002, long.MaxValue, 0, 1, 2, 3, 4 }, result.Frames.Select(f => f.TimestampNanoseconds));
        Assert.Equal(PacketA, result.Frames[0].Data);
        Assert.Equal(64, result.Frames[1].Data.Length);
        Assert.Equal(2000, result.Frames[1].OriginalLength);
        Assert.Equal(20 + PacketA.Length, result.Frames[2].Data.Length);
        for (var length = 0; length < 5; length++)
        {
            Assert.Equal(PacketA[..length], result.Frames[3 + length].Data);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Pcap_in_either_byte_order_written_by_hand(bool bigEndian, bool nanosecond)
    {
        var file = new ByteWriter(bigEndian)
            .U32(nanosecond ? 0xA1B23C4Du : 0xA1B2C3D4u).U16(2).U16(4).U32(0).U32(0).U32(96).U32(0x0000_0001) // Ethernet
            .U32(1_600_000_000).U32(999_999).U32(4).U32(60).Raw(Hex("01020304"))
            .U32(1_600_000_001).U32(5).U32(0).U32(0)
            .ToArray();

        // The magic's first byte tells the order; check the hand-made file really is what it claims.
        Assert.Equal(bigEndian ? 0xA1 : nanosecond ? 0x4D : 0xD4, file[0]);

        var result = ReadAll(file);
        Assert.Null(result.Error);
        Assert.Equal(new CaptureInterface(LinkType.Ethernet, 96, null, nanosecond ? 1_000_000_000UL : 1_000_000UL, 0, -1), Assert.Single(result.Interfaces));
        Assert.Equal(2, result.Frames.Count);
        var unit = nanosecond ? 1L : 1000L;
        Assert.Equal((1_600_000_000 * 1_000_000_000L) + (999_999 * unit), result.Frames[0].TimestampNanoseconds);
        Assert.Equal((1_600_000_001 * 1_000_000_000L) + (5 * unit), result.Frames[1].TimestampNanoseconds);
        Assert.Equal(Hex("01020304"), result.Frames[0].Data);
        Assert.Equal(60, result.Frames[0].OriginalLength);
        Assert.Equal(44L, result.Frames[1].ByteOffset);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Kuznetsov_pcap_records_are_eight_bytes_longer(bool bigEndian)
    {
        var file = new ByteWriter(bigEndian)
            .U32(0xA1B2CD34).U16(2).U16(4).U32(0).U32(0).U32(65535).U32(101)
            .U32(10).U32(20).U32(2).U32(2).U32(7).U16(0x0800).U8(0).U8(0).Raw(Hex("4500"))
            .U32(11).U32(21).U32(1).U32(1).U32(7).U16(0x0800).U8(4).U8(0).Raw(Hex("60"))
            .ToArray();
        var result = ReadAll(file);
        Assert.Null(result.Error);
        Assert.Equal(new[] { 24L, 24 + 24 + 2 }, result.Frames.Select(f => f.ByteOffset));
        Assert.Equal(new[] { 10_000_020_000L, 11_000_021_000L }, result.Frames.Select(f => f.TimestampNanoseconds));
        Assert.Equal(Hex("60"), result.Frames[1].Data);
    }

    [Fact]
    public void Pcap_link_type_field_carries_the_fcs_length_in_its_upper_bits()
    {
        // P bit (0x04000000) set, FCS length 2 sixteen-bit words: the link type is still Ethernet.
        var file = new ByteWriter(bigEndian: false)
            .U32(0xA1B2C3D4).U16(2).U16(4).U32(0).U32(0).U32(65535).U32(0x2400_0001)
            .ToArray();
        var result = ReadAll(file);
        Assert.Null(result.Error);
        Assert.Equal(LinkType.Ethernet, result.Interfaces[0].LinkType);
        Assert.Equal(4, result.Interfaces[0].FcsLength);

        file[20 + 3] = 0x20; // FCS length without the P bit: unknown
        Assert.Equal(-1, ReadAll(file).Interfaces[0].FcsLength);
    }

    [Fact]
    public void Big_endian_pcapng_with_interfaces_of_several_link_types_and_options()
    {
        const bool be = true;
        var file = new PcapngBuilder()
            .Section(be, options: o => o.U16(4).U16(5).Raw("tests"u8).Pad().U16(0).U16(0)) // shb_userappl
            .Interface(be, 1, 1514, o => o.U16(2).U16(4).Raw("eth0"u8).U16(9).U16(1).U8(0x8A).Pad().U16(0).U16(0)) // 2^-10 s
            .Interface(be, 101, 0, o => o.U16(9).U16(1).U8(3).Pad().U16(14).U16(8).U64(1000).U16(0).U16(0)) // ms, +1000 s
            .Interface(be, 276, 128, o => o.U16(13).U16(1).U8(4).Pad()) // if_fcslen, no opt_endofopt
            .Interface(be, 0, 65535, o => o.U16(9).U16(1).U8(19).Pad().U16(3).U16(3).Raw("dsc"u8).Pad()) // 10^-19 s, if_description ignored
            .Enhanced(be, 0, (1024 * 5) + 512, Hex("aabbcc"))
            .Enhanced(be, 1, 2500, Hex("45"))
            .Enhanced(be, 2, 7, new byte[20], originalLength: 21)
            .Enhanced(be, 3, 10_000_000_000_000_000_000, Hex("02000000"))
            .ToArray();

        var result = ReadAll(file);
        Assert.Null(result.Error);
        Assert.Equal(
            new[]
            {
                new CaptureInterface(LinkType.Ethernet, 1514, "eth0", 1024UL, 0, -1),
                new CaptureInterface(LinkType.Raw, 0, null, 1000UL, 1000, -1),
                new CaptureInterface(LinkType.LinuxSll2, 128, null, 1_000_000UL, 0, 4),
                new CaptureInterface(LinkType.Null, 65535, null, 10_000_000_000_000_000_000UL, 0, -1),
            },
            result.Interfaces);
        Assert.Equal(new[] { 5_500_000_000L, 1_002_500_000_000L, 7_000L, 1_000_000_000L }, result.Frames.Select(f => f.TimestampNanoseconds));
        Assert.Equal(new[] { LinkType.Ethernet, LinkType.Raw, LinkType.LinuxSll2, LinkType.Null }, result.Frames.Select(f => f.LinkType));
        Assert.Equal(Hex("aabbcc"), result.Frames[0].Data);
        Assert.Equal(21, result.Frames[2].OriginalLength);
    }

    [Fact]
    public void Sections_switch_byte_order_and_restart_interface_ids()
    {
        var file = new PcapngBuilder()
            .Section(bigEndian: true)
            .Interface(true, 1, 65535)
            .Enhanced(true, 0, 1, Hex("11"))
            .Section(bigEndian: false, minor: 2, sectionLength: 20 + 20 + 36 + 36) // a given section length, not -1
            .Interface(false, 101, 65535)
            .Interface(false, 113, 65535)
            .Enhanced(false, 1, 2, Hex("2222"))
            .Enhanced(false, 0, 3, Hex("333333"))
            .ToArray();

        using var reader = CaptureReader.Open(new MemoryStream(file));
        Assert.True(reader.TryReadNext(out var frame));
        Assert.Equal(LinkType.Ethernet, frame.LinkType);
        var firstSection = reader.Interfaces;
        Assert.Equal(LinkType.Ethernet, Assert.Single(firstSection).LinkType);

        Assert.True(reader.TryReadNext(out frame));
        Assert.Equal((1, LinkType.LinuxSll, 2L), (frame.InterfaceId, frame.LinkType, frame.Number));
        Assert.Equal(new[] { LinkType.Raw, LinkType.LinuxSll }, reader.Interfaces.Select(i => i.LinkType));
        Assert.Single(firstSection); // a list handed out earlier is not changed behind the caller's back

        Assert.True(reader.TryReadNext(out frame));
        Assert.Equal((0, LinkType.Raw, 3L), (frame.InterfaceId, frame.LinkType, frame.Number));
        Assert.Equal(Hex("333333"), frame.Data.ToArray());
        Assert.False(reader.TryReadNext(out _));
        Assert.Null(reader.Error);
    }

    [Fact]
    public void Simple_and_obsolete_packet_blocks()
    {
        var file = new PcapngBuilder()
            .Section(bigEndian: false)
            .Interface(false, 101, 4, o => o.U16(9).U16(1).U8(9).Pad())
            .Simple(false, 6, Hex("010203040506")) // snap length 4 wins
            .Simple(false, 2, Hex("0708090a")) // original length 2 wins over the padding
            .Obsolete(false, 0, 123, Hex("0b0c"))
            .ToArray();

        var result = ReadAll(file);
        Assert.Null(result.Error);
        Assert.Equal(3, result.Frames.Count);
        Assert.Equal((0L, 6, "01020304"), (result.Frames[0].TimestampNanoseconds, result.Frames[0].OriginalLength, Convert.ToHexString(result.Frames[0].Data)));
        Assert.Equal((0L, 2, "0708"), (result.Frames[1].TimestampNanoseconds, result.Frames[1].OriginalLength, Convert.ToHexString(result.Frames[1].Data)));
        Assert.Equal((123L, "0B0C"), (result.Frames[2].TimestampNanoseconds, Convert.ToHexString(result.Frames[2].Data)));
        Assert.All(result.Frames, f => Assert.Equal(LinkType.Raw, f.LinkType));
    }

    [Theory]
    [InlineData(4u)] // name resolution
    [InlineData(5u)] // interface statistics
    [InlineData(0x0Au)] // decryption secrets
    [InlineData(0x0BADu)] // custom, may be copied
    [InlineData(0x40000BADu)] // custom, must not be copied
    [InlineData(0x80000001u)] // local use
    [InlineData(0x00000BB0u)] // unassigned
    public void Unknown_and_uninteresting_blocks_are_skipped(uint type)
    {
        var file = new PcapngBuilder()
            .Section(bigEndian: true)
            .Block(true, type, [])
            .Interface(true, 1, 65535)
            .Block(true, type, Hex("0102030405060708"))
            .Enhanced(true, 0, 1, Hex("99"))
            .Block(true, type, new byte[1000])
            .ToArray();
        var result = ReadAll(file);
        Assert.Null(result.Error);
        var frame = Assert.Single(result.Frames);
        Assert.Equal(28 + 12 + 20 + 20, frame.ByteOffset);
        Assert.Equal(Hex("99"), frame.Data);
    }
}
