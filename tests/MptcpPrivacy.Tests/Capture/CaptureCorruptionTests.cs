using MptcpPrivacy.Capture;
using static MptcpPrivacy.Tests.Capture.CaptureTestFiles;

using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Tests.Capture;

/// <summary>Damaged length fields and headers: each is reported at the right offset, after the good frames.</summary>
public class CaptureCorruptionTests
{
    // SHB (28 bytes) + IDB (20 bytes) + one good EPB (36 bytes): the damaged block starts at offset 84.
    private const long DamagedOffset = 28 + 20 + 36;

    private static PcapngBuilder GoodStart(bool bigEndian) => new PcapngBuilder()
        .Section(bigEndian)
        .Interface(bigEndian, 1, 65535)
        .Enhanced(bigEndian, 0, 1, Hex("01020304"));

    [Theory]
    [InlineData(8u, 8u, "block length 8 is shorter than the 32 bytes the enhanced packet block needs")]
    [InlineData(28u, 28u, "block length 28 is shorter than the 32 bytes the enhanced packet block needs")]
    [InlineData(38u, 38u, "block length 38 of the enhanced packet block is not a multiple of 4")]
    [InlineData(0x7FFF_FFFCu, 0x7FFF_FFFCu, "block length 2147483644 of the enhanced packet block is over the 16777216-byte limit")]
    [InlineData(16_777_220u, 16_777_220u, "is over the 16777216-byte limit")]
    [InlineData(1000u, 1000u, "enhanced packet block of length 1000 runs past the end of the file (only 72 of its bytes are there)")]
    [InlineData(36u, 40u, "trailing block length 40 of the enhanced packet block differs from the leading 36")]
    public void Pcapng_block_lengths(uint leading, uint trailing, string message)
    {
        foreach (var bigEndian in new[] { false, true })
        {
            var file = GoodStart(bigEndian)
                .Block(bigEndian, 6, new ByteWriter(bigEndian).U32(0).U32(0).U32(2).U32(4).U32(4).Raw(Hex("05060708")).ToArray(), leading, trailing)
                .Enhanced(bigEndian, 0, 3, Hex("09"))
                .ToArray();
            AssertDamaged(file, DamagedOffset, message);
        }
    }

    [Fact]
    public void Pcapng_unknown_block_with_a_bad_length_is_an_error_too()
    {
        var file = GoodStart(false).Block(false, 0x0BAD, new byte[8], leading: 20, trailing: 24).ToArray();
        AssertDamaged(file, DamagedOffset, "trailing block length 24 of the block of type 0x00000BAD differs from the leading 20");
    }

    [Theory]
    [InlineData("0a0d0d0a 0c000000 4d3c2b1a 0c000000", 0, "block length 12 is shorter than the 28 bytes the section header block needs")]
    [InlineData("0a0d0d0a 1c000000 1a2b3c4c 01000000 ffffffffffffffff 1c000000", 0, "section header byte-order magic 0x4C3C2B1A (read little-endian) is neither 1A2B3C4D nor 4D3C2B1A")]
    [InlineData("0a0d0d0a 1c000000 4d3c2b1a 02000000 ffffffffffffffff 1c000000", 0, "pcapng version 2.0 is not supported (only 1.x)")]
    [InlineData("0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffffffffffff 0000001c 0000000a", 28, "file ends 4 bytes into a block header")]
    [InlineData("0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffffffffffff 0000001c 0a0d0d0a 0000001c", 28, "file ends 8 bytes into a section header block")]
    [InlineData("0a0d0d0a", 0, "file ends 4 bytes into a block header")]
    public void Pcapng_section_headers(string hex, long offset, string message)
    {
        AssertDamaged(Hex(hex), offset, message, delivered: 0);
    }

    [Fact]
    public void Pcapng_packet_for_an_interface_not_described()
    {
        var file = GoodStart(true).Enhanced(true, 1, 2, Hex("05")).ToArray();
        AssertDamaged(file, DamagedOffset, "packet names interface 1, but the section has described 1");

        // A new section forgets the interfaces of the one before.
        file = GoodStart(false).Section(false).Enhanced(false, 0, 2, Hex("05")).ToArray();
        AssertDamaged(file, DamagedOffset + 28, "packet names interface 0, but the section has described 0");

        file = GoodStart(false).Section(false).Simple(false, 1, Hex("05")).ToArray();
        AssertDamaged(file, DamagedOffset + 28, "simple packet block before any interface description block in its section");
    }

    [Fact]
    public void Pcapng_captured_length_larger_than_the_block()
    {
        var body = new ByteWriter(false).U32(0).U32(0).U32(2).U32(5).U32(5).Raw(Hex("05060708")).ToArray();
        var file = GoodStart(false).Block(false, 6, body).ToArray();
        AssertDamaged(file, DamagedOffset, "captured length 5 does not fit in a block of length 36");
    }

    [Theory]
    [InlineData("0200 0800 6c6f0000", "an option of the interface description block runs past the end of the block")]
    [InlineData("0900 0200 0909 0000", "if_tsresol option has length 2, not 1")]
    [InlineData("0900 0100 ff000000", "if_tsresol 0xFF asks for more ticks per second than 64 bits can count")]
    [InlineData("0900 0100 14000000", "if_tsresol 0x14 asks for more ticks per second than 64 bits can count")]
    [InlineData("0e00 0400 00000000", "if_tsoffset option has length 4, not 8")]
    [InlineData("0d00 0200 04000000", "if_fcslen option has length 2, not 1")]
    public void Pcapng_interface_options(string options, string message)
    {
        var file = GoodStart(false).Interface(false, 101, 0, o => o.Raw(Hex(options))).Enhanced(false, 1, 2, Hex("05")).ToArray();
        AssertDamaged(file, DamagedOffset, message);
    }

    [Theory]
    [InlineData(16_777_217u, 65535u, "captured length 16777217 is larger than the snap length 65535 allows (at most 262144)")]
    [InlineData(300_000u, 65535u, "captured length 300000 is larger than the snap length 65535 allows (at most 262144)")]
    [InlineData(0xFFFF_FFFFu, 0xFFFF_FFFFu, "captured length 4294967295 is larger than the snap length 2147483647 allows (at most 16777216)")]
    [InlineData(500_001u, 500_000u, "captured length 500001 is larger than the snap length 500000 allows (at most 500000)")]
    public void Pcap_absurd_captured_lengths(uint capturedLength, uint snapLength, string message)
    {
        foreach (var bigEndian in new[] { false, true })
        {
            var file = new ByteWriter(bigEndian)
                .U32(0xA1B2C3D4).U16(2).U16(4).U32(0).U32(0).U32(snapLength).U32(1)
                .U32(1).U32(0).U32(2).U32(2).Raw(Hex("0102"))
                .U32(2).U32(0).U32(capturedLength).U32(capturedLength).Raw(new byte[64])
                .ToArray();
            AssertDamaged(file, 24 + 16 + 2, message);
        }
    }

    [Fact]
    public void Pcap_captured_length_over_the_snap_length_within_libpcap_limits_is_tolerated()
    {
        var file = new ByteWriter(false)
            .U32(0xA1B2C3D4).U16(2).U16(4).U32(0).U32(0).U32(10).U32(1)
            .U32(1).U32(0).U32(100).U32(100).Raw(new byte[100])
            .ToArray();
        var result = ReadAll(file);
        Assert.Null(result.Error);
        Assert.Equal(100, Assert.Single(result.Frames).Data.Length);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("d4c3b2", "the file is 3 bytes long, too short for a capture file header")]
    [InlineData("7f454c46 02010100", "not a pcap or pcapng file: magic number 0x464C457F (read little-endian)")]
    [InlineData("d4c3b2a1 0200 04", "pcap file header cut short: the file has 7 of its 24 bytes")]
    [InlineData("d4c3b2a1 0100 0000 00000000 00000000 ffff0000 01000000", "pcap version 1.0 is not supported (only 2.x)")]
    public void Not_a_capture(string hex, string message)
    {
        var bytes = Hex(hex);
        using var reader = CaptureReader.Open(new MemoryStream(bytes));
        Assert.NotNull(reader.Error);
        Assert.Equal(new CaptureError(0, 1, message), reader.Error);
        Assert.Equal($"byte offset 0 (frame 1): {message}", reader.Error.ToString());
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(bytes.Length >= 4 && bytes[0] == 0xD4 ? CaptureFormat.Pcap : CaptureFormat.Unknown, reader.Format);
    }

    [Fact]
    public void Streams_are_closed_unless_left_open()
    {
        var file = File.ReadAllBytes(Fixture("tcpdump", "mptcp-tcprst.pcap"));
        var stream = new MemoryStream(file);
        CaptureReader.Open(stream, leaveOpen: true).Dispose();
        Assert.True(stream.CanRead);
        CaptureReader.Open(stream).Dispose();
        Assert.False(stream.CanRead);

        var output = new MemoryStream();
        var pcap = new PcapWriter(output, LinkType.Raw, leaveOpen: true);
        pcap.Dispose();
        pcap.Dispose();
        Assert.True(output.CanWrite);
        var pcapng = new PcapngWriter(output);
        pcapng.Dispose();
        pcapng.Dispose();
        Assert.False(output.CanWrite);
    }

    private static void AssertDamaged(byte[] file, long offset, string message, int delivered = 1)
    {
        var result = ReadAll(file);
        Assert.Equal(delivered, result.Frames.Count);
        Assert.NotNull(result.Error);
        Assert.Equal(offset, result.Error.ByteOffset);
        Assert.Equal(delivered + 1, result.Error.FrameNumber);
        Assert.Contains(message, result.Error.Message);
    }
}
