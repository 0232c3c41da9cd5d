using FsCheck;
using FsCheck.Fluent;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>IPv4 header view and encoder (RFC 791 §3.1).</summary>
public class Ipv4HeaderTests
{
    [Fact]
    public void Rfc791_3_1_ReadsEveryField_TcpdumpV0Syn()
    {
        byte[] packet = Hex.Bytes(WirePackets.V0Syn);
        Assert.True(Ipv4Header.TryParse(packet, out Ipv4Header header, out WireError error));
        Assert.Equal(WireError.None, error);
        Assert.Equal(4, header.Version);
        Assert.Equal(5, header.Ihl);
        Assert.Equal(20, header.HeaderLength);
        Assert.Equal(0, header.Dscp);
        Assert.Equal(0, header.Ecn);
        Assert.Equal(72, header.TotalLength);
        Assert.Equal(0x32e9, header.Identification);
        Assert.False(header.ReservedFlag);
        Assert.True(header.DontFragment);
        Assert.False(header.MoreFragments);
        Assert.Equal(0, header.FragmentOffset);
        Assert.False(header.IsFragment);
        Assert.Equal(64, header.Ttl);
        Assert.Equal(IpProtocol.Tcp, header.Protocol);
        Assert.Equal(0xf1c0, header.HeaderChecksum);
        Assert.True(header.IsHeaderChecksumValid);
        Assert.Equal("0a020102", Hex.Of(header.Source));
        Assert.Equal("0a010102", Hex.Of(header.Destination));
        Assert.True(header.Options.IsEmpty);
        Assert.Equal(20, header.Header.Length);
        Assert.Equal(52, header.Payload.Length);
        Assert.Equal(Hex.Of(packet.AsSpan(20)), Hex.Of(header.Payload));
        Assert.False(header.IsTruncated);
    }

    [Fact]
    public void Rfc791_3_1_ReadsEveryField_OptionsDscpEcnFragment()
    {
        byte[] packet = Hex.Bytes(WirePackets.V4WithOptions);
        Assert.True(Ipv4Header.TryParse(packet, out Ipv4Header header, out _));
        Assert.Equal(6, header.Ihl);
        Assert.Equal(24, header.HeaderLength);
        Assert.Equal(46, header.Dscp);
        Assert.Equal(1, header.Ecn);
        Assert.Equal(28, header.TotalLength);
        Assert.Equal(0xbeef, header.Identification);
        Assert.True(header.ReservedFlag);
        Assert.False(header.DontFragment);
        Assert.True(header.MoreFragments);
        Assert.Equal(0x123, header.FragmentOffset);
        Assert.True(header.IsFragment);
        Assert.Equal(1, header.Ttl);
        Assert.Equal(IpProtocol.Udp, header.Protocol);
        Assert.Equal(0xd7c4, header.HeaderChecksum);
        Assert.True(header.IsHeaderChecksumValid);
        Assert.Equal("c0000201", Hex.Of(header.Source));
        Assert.Equal("c6336407", Hex.Of(header.Destination));
        Assert.Equal("94040000", Hex.Of(header.Options));
        Assert.Equal("61626364", Hex.Of(header.Payload));
    }

    [Fact]
    public void Rfc791_3_1_Encode_IntoMarkerBuffer_WritesExactlyTheHeader()
    {
        var fields = new Ipv4HeaderFields
        {
            Dscp = 46,
            Ecn = 1,
            TotalLength = 28,
            Identification = 0xbeef,
            ReservedFlag = true,
            MoreFragments = true,
            FragmentOffset = 0x123,
            Ttl = 1,
            Protocol = IpProtocol.Udp,
            Source = 0xc0000201,
            Destination = 0xc6336407,
        };
        byte[] buffer = new byte[30];
        buffer.AsSpan().Fill(0xCC);

        Assert.Equal(24, fields.Encode(buffer, Hex.Bytes("94040000")));
        // Same bytes as the tshark-checked packet, checksum included.
        Assert.Equal(WirePackets.V4WithOptions[..48], Hex.Of(buffer.AsSpan(0, 24)));
        Assert.Equal("cccccccccccc", Hex.Of(buffer.AsSpan(24)));
    }

    [Fact]
    public void Rfc791_3_1_Encode_WithoutOptions_MatchesCapturedHeader()
    {
        var fields = new Ipv4HeaderFields
        {
            TotalLength = 72,
            Identification = 0x32e9,
            DontFragment = true,
            Ttl = 64,
            Protocol = IpProtocol.Tcp,
            Source = 0x0a020102,
            Destination = 0x0a010102,
        };
        byte[] buffer = new byte[21];
        buffer.AsSpan().Fill(0xCC);
        Assert.Equal(20, fields.EncodedLength);
        Assert.Equal(20, fields.Encode(buffer));
        Assert.Equal(WirePackets.V0Syn[..40], Hex.Of(buffer.AsSpan(0, 20)));
        Assert.Equal(0xCC, buffer[20]);
    }

    [Fact]
    public void Truncation_EveryLengthShorterThanHeader_IsTruncated()
    {
        byte[] packet = Hex.Bytes(WirePackets.V4WithOptions);
        for (int length = 0; length < 24; length++)
        {
            Assert.False(Ipv4Header.TryParse(packet.AsSpan(0, length), out _, out WireError error));
            Assert.Equal(WireError.Truncated, error);
        }
    }

    [Fact]
    public void Truncation_SnapLengthInsidePayload_KeepsWhatIsThere()
    {
        byte[] packet = Hex.Bytes(WirePackets.V0Syn);
        for (int length = 20; length < packet.Length; length++)
        {
            Assert.True(Ipv4Header.TryParse(packet.AsSpan(0, length), out Ipv4Header header, out _));
            Assert.True(header.IsTruncated);
            Assert.Equal(72, header.TotalLength);
            Assert.Equal(length - 20, header.Payload.Length);
            Assert.True(header.IsHeaderChecksumValid);
        }
    }

    [Fact]
    public void LinkPadding_PastTotalLength_IsNotPayload()
    {
        byte[] packet = [.. Hex.Bytes(WirePackets.V4WithOptions), 0, 0, 0, 0, 0, 0];
        Assert.True(Ipv4Header.TryParse(packet, out Ipv4Header header, out _));
        Assert.False(header.IsTruncated);
        Assert.Equal("61626364", Hex.Of(header.Payload));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void BadLength_IhlBelow5(int ihl)
    {
        byte[] packet = Hex.Bytes(WirePackets.V0Syn);
        packet[0] = (byte)(0x40 | ihl);
        Assert.False(Ipv4Header.TryParse(packet, out _, out WireError error));
        Assert.Equal(WireError.BadLength, error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    [InlineData(23)]
    public void BadLength_TotalLengthShorterThanHeader(int totalLength)
    {
        byte[] packet = Hex.Bytes(WirePackets.V4WithOptions);
        packet[2] = (byte)(totalLength >> 8);
        packet[3] = (byte)totalLength;
        Assert.False(Ipv4Header.TryParse(packet, out _, out WireError error));
        Assert.Equal(WireError.BadLength, error);
    }

    [Fact]
    public void BadLength_IhlPastBuffer_IsTruncated()
    {
        byte[] packet = Hex.Bytes(WirePackets.V0Syn).AsSpan(0, 40).ToArray();
        packet[0] = 0x4F; // 60-byte header in a 40-byte buffer
        Assert.False(Ipv4Header.TryParse(packet, out _, out WireError error));
        Assert.Equal(WireError.Truncated, error);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x65)]
    [InlineData(0xF5)]
    public void BadVersion(byte first)
    {
        byte[] packet = Hex.Bytes(WirePackets.V0Syn);
        packet[0] = first;
        Assert.False(Ipv4Header.TryParse(packet, out _, out WireError error));
        Assert.Equal(WireError.BadVersion, error);
    }

    [Fact]
    public void HeaderChecksum_AnyFlippedBit_IsInvalid()
    {
        byte[] packet = Hex.Bytes(WirePackets.V4WithOptions);
        for (int bit = 0; bit < 24 * 8; bit++)
        {
            byte[] copy = (byte[])packet.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            if (Ipv4Header.TryParse(copy, out Ipv4Header header, out _))
            {
                Assert.False(header.IsHeaderChecksumValid, $"bit {bit}");
            }
        }
    }

    [Theory]
    [InlineData(WirePackets.V0Syn)]
    [InlineData(WirePackets.V4WithOptions)]
    public void RoundTrip_ParseThenEncode_GivesSameHeader(string hex)
    {
        byte[] packet = Hex.Bytes(hex);
        Assert.True(Ipv4Header.TryParse(packet, out Ipv4Header header, out _));
        byte[] buffer = new byte[header.HeaderLength];
        header.ToFields().Encode(buffer, header.Options);
        Assert.Equal(Hex.Of(header.Header), Hex.Of(buffer));
    }

    [Fact]
    public void Encode_Misuse_Throws()
    {
        var fields = new Ipv4HeaderFields { Ttl = 64 };
        Assert.Throws<ArgumentException>(() => fields.Encode(new byte[19]));
        Assert.Throws<ArgumentException>(() => fields.Encode(new byte[60], new byte[3]));
        Assert.Throws<ArgumentException>(() => fields.Encode(new byte[80], new byte[44]));
        Assert.Throws<ArgumentException>(() => (fields with { Dscp = 64 }).Encode(new byte[20]));
        Assert.Throws<ArgumentException>(() => (fields with { Ecn = 4 }).Encode(new byte[20]));
        Assert.Throws<ArgumentException>(() => (fields with { FragmentOffset = 0x2000 }).Encode(new byte[20]));
    }

    private static Gen<byte[]> Ipv4ish() =>
        PropertyCheck.BytesStartingWith(80, 0x40, 0x44, 0x45, 0x46, 0x4F, 0x60).Select(bytes =>
        {
            // Often make Total Length plausible so that parsing succeeds.
            if (bytes.Length >= 4 && bytes[1] % 2 == 0)
            {
                int total = bytes.Length - (bytes[1] % 8);
                bytes[2] = (byte)(total >> 8);
                bytes[3] = (byte)total;
            }

            return bytes;
        });

    [Fact]
    public void Property_NeverThrows_OnArbitraryBytes() =>
        PropertyCheck.ForAll(Ipv4ish(), bytes =>
        {
            if (Ipv4Header.TryParse(bytes, out Ipv4Header h, out WireError error))
            {
                Assert.Equal(WireError.None, error);
                _ = (h.Version, h.Ihl, h.Dscp, h.Ecn, h.TotalLength, h.Identification, h.ReservedFlag, h.DontFragment,
                     h.MoreFragments, h.FragmentOffset, h.IsFragment, h.Ttl, h.Protocol, h.HeaderChecksum,
                     h.IsHeaderChecksumValid, h.Source.Length, h.Destination.Length, h.Options.Length, h.Payload.Length, h.IsTruncated);
                Assert.True(h.HeaderLength + h.Payload.Length <= bytes.Length);
            }
            else
            {
                Assert.NotEqual(WireError.None, error);
            }
        }, maxTest: 3000);

    [Fact]
    public void Property_ParseThenEncode_IsIdentity_ExceptChecksumWhichBecomesValid() =>
        PropertyCheck.ForAll(Ipv4ish(), bytes =>
        {
            if (!Ipv4Header.TryParse(bytes, out Ipv4Header header, out _) || header.Options.Length > 40)
            {
                return;
            }

            byte[] encoded = new byte[header.HeaderLength];
            header.ToFields().Encode(encoded, header.Options);
            Assert.True(Ipv4Header.TryParse([.. encoded, .. header.Payload], out Ipv4Header again, out _));
            Assert.True(again.IsHeaderChecksumValid);
            byte[] original = header.Header.ToArray();
            original[10] = encoded[10];
            original[11] = encoded[11];
            Assert.Equal(Hex.Of(original), Hex.Of(encoded));
            if (header.IsHeaderChecksumValid)
            {
                Assert.Equal(header.HeaderChecksum, again.HeaderChecksum);
            }
        }, maxTest: 3000);
}
