using FsCheck;
using FsCheck.Fluent;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>TCP header view and encoder (RFC 9293 §3.1).</summary>
public class TcpHeaderTests
{
    private static byte[] V0SynSegment => Hex.Bytes(WirePackets.V0Syn)[20..];

    // Ports 1 → 2, every control bit, reserved bits 101, Data Offset 5.
    private const string AllFlags = "00010002fffffffe80000001" + "5bff" + "0000" + "1234" + "abcd";

    [Fact]
    public void Rfc9293_3_1_ReadsEveryField_TcpdumpV0Syn()
    {
        byte[] segment = V0SynSegment;
        Assert.True(TcpHeader.TryParse(segment, out TcpHeader header, out WireError error));
        Assert.Equal(WireError.None, error);
        Assert.Equal(35961, header.SourcePort);
        Assert.Equal(22, header.DestinationPort);
        Assert.Equal(0xad989359u, header.SequenceNumber);
        Assert.Equal(0u, header.AcknowledgmentNumber);
        Assert.Equal(13, header.DataOffset);
        Assert.Equal(52, header.HeaderLength);
        Assert.Equal(TcpFlags.Syn, header.Flags);
        Assert.Equal(0, header.Reserved);
        Assert.Equal(14600, header.Window);
        Assert.Equal(0xda99, header.Checksum);
        Assert.Equal(0, header.UrgentPointer);
        Assert.Equal("020405b40402080affffa1b00000000001030306" + "1e0c00819c9eabd1e46a33b2", Hex.Of(header.Options));
        Assert.True(header.Payload.IsEmpty);
        Assert.Equal(52, header.Segment.Length);
        Assert.True(header.IsChecksumValid(Hex.Bytes("0a020102"), Hex.Bytes("0a010102")));
        Assert.False(header.IsChecksumValid(Hex.Bytes("0a010102"), Hex.Bytes("0a020103")));
    }

    [Fact]
    public void Rfc9293_3_1_ReadsEveryControlBit_AeAndReserved()
    {
        Assert.True(TcpHeader.TryParse(Hex.Bytes(AllFlags), out TcpHeader header, out _));
        Assert.Equal(TcpFlags.Fin | TcpFlags.Syn | TcpFlags.Rst | TcpFlags.Psh | TcpFlags.Ack | TcpFlags.Urg | TcpFlags.Ece | TcpFlags.Cwr | TcpFlags.Ae, header.Flags);
        Assert.Equal(5, header.Reserved);
        Assert.Equal(0xfffffffeu, header.SequenceNumber);
        Assert.Equal(0x80000001u, header.AcknowledgmentNumber);
        Assert.Equal(0, header.Window);
        Assert.Equal(0x1234, header.Checksum);
        Assert.Equal(0xabcd, header.UrgentPointer);
        Assert.True(header.Options.IsEmpty);
    }

    [Theory]
    [InlineData(0x01, TcpFlags.Fin)]
    [InlineData(0x02, TcpFlags.Syn)]
    [InlineData(0x04, TcpFlags.Rst)]
    [InlineData(0x08, TcpFlags.Psh)]
    [InlineData(0x10, TcpFlags.Ack)]
    [InlineData(0x20, TcpFlags.Urg)]
    [InlineData(0x40, TcpFlags.Ece)]
    [InlineData(0x80, TcpFlags.Cwr)]
    public void Rfc9293_3_1_EachControlBit_InByte13(byte bit, TcpFlags flag)
    {
        byte[] segment = Hex.Bytes(AllFlags);
        segment[12] = 0x50;
        segment[13] = bit;
        Assert.True(TcpHeader.TryParse(segment, out TcpHeader header, out _));
        Assert.Equal(flag, header.Flags);
        Assert.Equal(0, header.Reserved);
    }

    [Fact]
    public void Rfc9293_3_1_Encode_IntoMarkerBuffer_WritesExactlyTheHeader()
    {
        var fields = new TcpHeaderFields
        {
            SourcePort = 35961,
            DestinationPort = 22,
            SequenceNumber = 0xad989359,
            Flags = TcpFlags.Syn,
            Window = 14600,
            Checksum = 0xda99,
        };
        byte[] options = V0SynSegment[20..52];
        byte[] buffer = new byte[56];
        buffer.AsSpan().Fill(0xCC);
        Assert.Equal(52, fields.Encode(buffer, options));
        Assert.Equal(Hex.Of(V0SynSegment), Hex.Of(buffer.AsSpan(0, 52)));
        Assert.Equal("cccccccc", Hex.Of(buffer.AsSpan(52)));
    }

    [Fact]
    public void Encode_AllFlagsAndReserved()
    {
        var fields = new TcpHeaderFields
        {
            SourcePort = 1,
            DestinationPort = 2,
            SequenceNumber = 0xfffffffe,
            AcknowledgmentNumber = 0x80000001,
            Flags = (TcpFlags)0x1FF,
            Reserved = 5,
            Checksum = 0x1234,
            UrgentPointer = 0xabcd,
        };
        byte[] buffer = new byte[20];
        Assert.Equal(20, fields.EncodedLength);
        Assert.Equal(20, fields.Encode(buffer));
        Assert.Equal(AllFlags, Hex.Of(buffer));
    }

    [Theory]
    [InlineData("1e0351", "1e035101")]                   // MP_PRIO: one NOP after, as Linux sends it
    [InlineData("01030306", "01030306")]                 // already aligned: nothing added
    [InlineData("1e12300a7f0000032774aabbccddeeff0011", "1e12300a7f0000032774aabbccddeeff00110101")]
    [InlineData("02", "02010101")]
    public void Encode_PadsOptionsWithTrailingNops(string options, string expected)
    {
        byte[] buffer = new byte[60];
        buffer.AsSpan().Fill(0xCC);
        int length = new TcpHeaderFields().Encode(buffer, Hex.Bytes(options));
        Assert.Equal(TcpHeaderFields.HeaderLength(Hex.Bytes(options).Length), length);
        Assert.Equal(20 + (expected.Length / 2), length);
        Assert.Equal((length / 4) << 4, buffer[12]);
        Assert.Equal(expected, Hex.Of(buffer.AsSpan(20, length - 20)));
        Assert.Equal(0xCC, buffer[length]);
    }

    [Fact]
    public void Truncation_EveryLengthShorterThanHeader_IsTruncated()
    {
        byte[] segment = V0SynSegment;
        for (int length = 0; length < 52; length++)
        {
            Assert.False(TcpHeader.TryParse(segment.AsSpan(0, length), out _, out WireError error));
            Assert.Equal(WireError.Truncated, error);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void BadLength_DataOffsetBelow5(int dataOffset)
    {
        byte[] segment = V0SynSegment;
        segment[12] = (byte)(dataOffset << 4);
        Assert.False(TcpHeader.TryParse(segment, out _, out WireError error));
        Assert.Equal(WireError.BadLength, error);
    }

    [Fact]
    public void DataOffsetPastBuffer_IsTruncated()
    {
        byte[] segment = V0SynSegment;
        segment[12] = 0xF0; // 60 bytes claimed, 52 present
        Assert.False(TcpHeader.TryParse(segment, out _, out WireError error));
        Assert.Equal(WireError.Truncated, error);
    }

    [Fact]
    public void Payload_IsEverythingAfterDataOffset()
    {
        byte[] segment = [.. Hex.Bytes(AllFlags), .. "hello"u8];
        Assert.True(TcpHeader.TryParse(segment, out TcpHeader header, out _));
        Assert.Equal("hello"u8.ToArray(), header.Payload.ToArray());
    }

    [Fact]
    public void ReadOptions_WalksTheOptionsArea()
    {
        Assert.True(TcpHeader.TryParse(V0SynSegment, out TcpHeader header, out _));
        var kinds = new List<TcpOptionKind>();
        foreach (TcpOption option in header.ReadOptions())
        {
            kinds.Add(option.Kind);
        }

        Assert.Equal([TcpOptionKind.MaximumSegmentSize, TcpOptionKind.SackPermitted, TcpOptionKind.Timestamps, TcpOptionKind.NoOperation, TcpOptionKind.WindowScale, TcpOptionKind.Mptcp], kinds);
    }

    [Fact]
    public void RoundTrip_ParseThenEncode_GivesSameHeader()
    {
        foreach (byte[] segment in new[] { V0SynSegment, Hex.Bytes(AllFlags) })
        {
            Assert.True(TcpHeader.TryParse(segment, out TcpHeader header, out _));
            byte[] buffer = new byte[header.HeaderLength];
            header.ToFields().Encode(buffer, header.Options);
            Assert.Equal(Hex.Of(header.Header), Hex.Of(buffer));
        }
    }

    [Fact]
    public void Encode_ThenChecksum_IsValid_Rfc9293_3_1()
    {
        byte[] segment = new byte[24 + 3];
        int length = new TcpHeaderFields { SourcePort = 1, DestinationPort = 2, Flags = TcpFlags.Ack | TcpFlags.Psh }.Encode(segment, Hex.Bytes("1e0351"));
        "abc"u8.CopyTo(segment.AsSpan(length));
        TcpChecksum.Write(Hex.Bytes("7f000001"), Hex.Bytes("7f000002"), segment);
        Assert.True(TcpHeader.TryParse(segment, out TcpHeader header, out _));
        Assert.True(header.IsChecksumValid(Hex.Bytes("7f000001"), Hex.Bytes("7f000002")));
    }

    [Fact]
    public void Encode_Misuse_Throws()
    {
        Assert.Throws<ArgumentException>(() => new TcpHeaderFields().Encode(new byte[19]));
        Assert.Throws<ArgumentException>(() => new TcpHeaderFields().Encode(new byte[23], new byte[1]));
        Assert.Throws<ArgumentException>(() => new TcpHeaderFields().Encode(new byte[80], new byte[41]));
        Assert.Throws<ArgumentException>(() => new TcpHeaderFields { Reserved = 8 }.Encode(new byte[20]));
        Assert.Throws<ArgumentException>(() => new TcpHeaderFields { Flags = (TcpFlags)0x200 }.Encode(new byte[20]));
    }

    private static Gen<byte[]> Tcpish() =>
        PropertyCheck.Bytes(90).Select(bytes =>
        {
            if (bytes.Length > 12 && bytes[0] % 2 == 0)
            {
                // A Data Offset that often fits the buffer.
                bytes[12] = (byte)((Math.Min(15, bytes.Length / 4) << 4) | (bytes[12] & 0x0F));
            }

            return bytes;
        });

    [Fact]
    public void Property_NeverThrows_OnArbitraryBytes() =>
        PropertyCheck.ForAll(Tcpish(), bytes =>
        {
            if (TcpHeader.TryParse(bytes, out TcpHeader h, out WireError error))
            {
                _ = (h.SourcePort, h.DestinationPort, h.SequenceNumber, h.AcknowledgmentNumber, h.DataOffset, h.Flags,
                     h.Reserved, h.Window, h.Checksum, h.UrgentPointer, h.Options.Length, h.Payload.Length);
                Assert.Equal(bytes.Length, h.HeaderLength + h.Payload.Length);
                foreach (TcpOption option in h.ReadOptions())
                {
                    _ = (option.Kind, option.Data.Length);
                }
            }
            else
            {
                Assert.NotEqual(WireError.None, error);
            }
        }, maxTest: 3000);

    [Fact]
    public void Property_ParseThenEncode_IsIdentity() =>
        PropertyCheck.ForAll(Tcpish(), bytes =>
        {
            if (TcpHeader.TryParse(bytes, out TcpHeader header, out _))
            {
                byte[] encoded = new byte[header.HeaderLength];
                header.ToFields().Encode(encoded, header.Options);
                Assert.Equal(Hex.Of(header.Header), Hex.Of(encoded));
            }
        }, maxTest: 3000);
}
