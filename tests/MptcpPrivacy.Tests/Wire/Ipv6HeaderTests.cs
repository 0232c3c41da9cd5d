using FsCheck;
using FsCheck.Fluent;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>IPv6 fixed header, extension header walk and encoder (RFC 8200 §3, §4).</summary>
public class Ipv6HeaderTests
{
    private const string Src = "20010db8000000000000000000000001";
    private const string Dst = "20010db8000000010000000000000002";

    [Fact]
    public void Rfc8200_3_ReadsEveryField()
    {
        byte[] packet = Hex.Bytes(WirePackets.V6Tcp);
        Assert.True(Ipv6Header.TryParse(packet, out Ipv6Header header, out WireError error));
        Assert.Equal(WireError.None, error);
        Assert.Equal(6, header.Version);
        Assert.Equal(0x2e, header.TrafficClass);
        Assert.Equal(0x2e >> 2, header.Dscp);
        Assert.Equal(0x2e & 3, header.Ecn);
        Assert.Equal(0x12345u, header.FlowLabel);
        Assert.Equal(59, header.PayloadLength);
        Assert.Equal(IpProtocol.Tcp, header.NextHeader);
        Assert.Equal(64, header.HopLimit);
        Assert.Equal(Src, Hex.Of(header.Source));
        Assert.Equal(Dst, Hex.Of(header.Destination));
        Assert.Equal(40, header.HeaderLength);
        Assert.True(header.ExtensionHeaders.IsEmpty);
        Assert.Equal(IpProtocol.Tcp, header.Protocol);
        Assert.Equal(Hex.Of(packet.AsSpan(40)), Hex.Of(header.Payload));
        Assert.False(header.IsTruncated);
        Assert.False(header.HasFragmentHeader);
        Assert.False(header.IsFragment);
        Assert.Equal(0, header.FragmentOffset);
        Assert.Equal(0u, header.FragmentIdentification);
    }

    [Fact]
    public void Rfc8200_4_WalksHopByHopRoutingFragmentDestinationOptions()
    {
        byte[] packet = Hex.Bytes(WirePackets.V6ExtensionChain);
        Assert.True(Ipv6Header.TryParse(packet, out Ipv6Header header, out _));
        Assert.Equal(IpProtocol.HopByHopOptions, header.NextHeader);
        Assert.Equal(IpProtocol.Tcp, header.Protocol);
        Assert.Equal(72, header.HeaderLength);
        Assert.Equal(32, header.ExtensionHeaders.Length);
        Assert.Equal(23, header.Payload.Length);
        Assert.Equal("be382710", Hex.Of(header.Payload[..4]));
        // RFC 8200 §4.5: a first fragment (offset 0, M=1) still starts with the upper-layer header.
        Assert.True(header.HasFragmentHeader);
        Assert.Equal(0, header.FragmentOffset);
        Assert.True(header.MoreFragments);
        Assert.True(header.IsFragment);
        Assert.Equal(0xdeadbeefu, header.FragmentIdentification);
    }

    [Fact]
    public void Rfc8200_4_5_NonFirstFragment_StopsAtFragmentHeader()
    {
        byte[] packet = Hex.Bytes(WirePackets.V6NonFirstFragment);
        Assert.True(Ipv6Header.TryParse(packet, out Ipv6Header header, out _));
        Assert.True(header.IsFragment);
        Assert.Equal(185, header.FragmentOffset);
        Assert.False(header.MoreFragments);
        Assert.Equal(IpProtocol.Tcp, header.Protocol);
        Assert.Equal(48, header.HeaderLength);
        Assert.Equal("tail-of-datagram", System.Text.Encoding.ASCII.GetString(header.Payload));
    }

    [Fact]
    public void Rfc4302_2_2_AuthenticationHeader_LengthIn4OctetUnitsMinus2()
    {
        byte[] packet = Hex.Bytes(WirePackets.V6AuthenticationHeader);
        Assert.True(Ipv6Header.TryParse(packet, out Ipv6Header header, out _));
        Assert.Equal(IpProtocol.Tcp, header.Protocol);
        Assert.Equal(64, header.HeaderLength);
        Assert.Equal(20, header.Payload.Length);
    }

    [Theory]
    [InlineData(IpProtocol.EncapsulatingSecurityPayload)]
    [InlineData(IpProtocol.NoNextHeader)]
    [InlineData(IpProtocol.Udp)]
    [InlineData((IpProtocol)135)]
    public void Rfc8200_4_WalkStops_AtEspNoNextHeaderAndUpperLayers(IpProtocol next)
    {
        byte[] packet = Hex.Bytes(WirePackets.V6ExtensionChain);
        packet[6] = (byte)next;
        Assert.True(Ipv6Header.TryParse(packet, out Ipv6Header header, out _));
        Assert.Equal(next, header.Protocol);
        Assert.Equal(40, header.HeaderLength);
        Assert.Equal(55, header.Payload.Length);
    }

    [Fact]
    public void Rfc8200_3_Encode_IntoMarkerBuffer_WritesExactlyTheFixedHeader()
    {
        var fields = new Ipv6HeaderFields
        {
            TrafficClass = 0x2e,
            FlowLabel = 0x12345,
            PayloadLength = 59,
            NextHeader = IpProtocol.Tcp,
            HopLimit = 64,
            Source = UInt128.Parse(Src, System.Globalization.NumberStyles.HexNumber),
            Destination = UInt128.Parse(Dst, System.Globalization.NumberStyles.HexNumber),
        };
        byte[] buffer = new byte[44];
        buffer.AsSpan().Fill(0xCC);
        Assert.Equal(40, fields.EncodedLength);
        Assert.Equal(40, fields.Encode(buffer));
        Assert.Equal(WirePackets.V6Tcp[..80], Hex.Of(buffer.AsSpan(0, 40)));
        Assert.Equal("cccccccc", Hex.Of(buffer.AsSpan(40)));
    }

    [Fact]
    public void Truncation_EveryLengthInsideHeaderChain_IsTruncated()
    {
        byte[] packet = Hex.Bytes(WirePackets.V6ExtensionChain);
        for (int length = 0; length < 72; length++)
        {
            Assert.False(Ipv6Header.TryParse(packet.AsSpan(0, length), out _, out WireError error));
            Assert.Equal(WireError.Truncated, error);
        }
    }

    [Fact]
    public void Truncation_SnapLengthInsidePayload_KeepsWhatIsThere()
    {
        byte[] packet = Hex.Bytes(WirePackets.V6ExtensionChain);
        for (int length = 72; length < packet.Length; length++)
        {
            Assert.True(Ipv6Header.TryParse(packet.AsSpan(0, length), out Ipv6Header header, out _));
            Assert.True(header.IsTruncated);
            Assert.Equal(IpProtocol.Tcp, header.Protocol);
            Assert.Equal(length - 72, header.Payload.Length);
        }
    }

    [Fact]
    public void LinkPadding_PastPayloadLength_IsNotPayload()
    {
        byte[] packet = [.. Hex.Bytes(WirePackets.V6NonFirstFragment), 0xEE, 0xEE];
        Assert.True(Ipv6Header.TryParse(packet, out Ipv6Header header, out _));
        Assert.False(header.IsTruncated);
        Assert.Equal(16, header.Payload.Length);
    }

    [Theory]
    [InlineData(0)]    // no room for even the Hop-by-Hop header's first two bytes
    [InlineData(7)]    // Hop-by-Hop needs 8
    [InlineData(31)]   // Destination Options ends one byte past Payload Length
    public void BadLength_ExtensionHeaderRunsPastPayloadLength(int payloadLength)
    {
        byte[] packet = Hex.Bytes(WirePackets.V6ExtensionChain);
        packet[4] = (byte)(payloadLength >> 8);
        packet[5] = (byte)payloadLength;
        Assert.False(Ipv6Header.TryParse(packet, out _, out WireError error));
        Assert.Equal(payloadLength == 0 ? WireError.Unsupported : WireError.BadLength, error);
    }

    [Fact]
    public void BadLength_HdrExtLenPastPayloadLength()
    {
        byte[] packet = Hex.Bytes(WirePackets.V6ExtensionChain);
        packet[41] = 10; // Hop-by-Hop claims 88 bytes of a 55-byte payload
        Assert.False(Ipv6Header.TryParse(packet, out _, out WireError error));
        Assert.Equal(WireError.BadLength, error);
    }

    [Fact]
    public void Rfc2675_Jumbogram_IsUnsupported()
    {
        byte[] packet = Hex.Bytes(WirePackets.V6ExtensionChain);
        packet[4] = 0;
        packet[5] = 0;
        Assert.False(Ipv6Header.TryParse(packet, out _, out WireError error));
        Assert.Equal(WireError.Unsupported, error);
    }

    [Fact]
    public void ZeroPayloadLength_WithoutHopByHop_IsAnEmptyPacket()
    {
        byte[] packet = Hex.Bytes(WirePackets.V6Tcp);
        packet[4] = 0;
        packet[5] = 0;
        Assert.True(Ipv6Header.TryParse(packet, out Ipv6Header header, out _));
        Assert.True(header.Payload.IsEmpty);
    }

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x00)]
    [InlineData(0x70)]
    public void BadVersion(byte first)
    {
        byte[] packet = Hex.Bytes(WirePackets.V6Tcp);
        packet[0] = first;
        Assert.False(Ipv6Header.TryParse(packet, out _, out WireError error));
        Assert.Equal(WireError.BadVersion, error);
    }

    [Theory]
    [InlineData(WirePackets.V6Tcp)]
    [InlineData(WirePackets.V6ExtensionChain)]
    [InlineData(WirePackets.V6NonFirstFragment)]
    [InlineData(WirePackets.V6AuthenticationHeader)]
    public void RoundTrip_ParseThenEncode_GivesSameFixedHeader(string hex)
    {
        byte[] packet = Hex.Bytes(hex);
        Assert.True(Ipv6Header.TryParse(packet, out Ipv6Header header, out _));
        byte[] buffer = new byte[40];
        header.ToFields().Encode(buffer);
        Assert.Equal(Hex.Of(header.FixedHeader), Hex.Of(buffer));
    }

    [Fact]
    public void Encode_Misuse_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Ipv6HeaderFields().Encode(new byte[39]));
        Assert.Throws<ArgumentException>(() => new Ipv6HeaderFields { FlowLabel = 0x100000 }.Encode(new byte[40]));
    }

    private static Gen<byte[]> Ipv6ish() =>
        PropertyCheck.BytesStartingWith(160, 0x60, 0x6f, 0x40).Select(bytes =>
        {
            if (bytes.Length >= 8)
            {
                // Payload Length often fits; Next Header often names an extension header.
                if (bytes[1] % 2 == 0)
                {
                    int payload = Math.Max(0, bytes.Length - 40 - (bytes[1] % 8));
                    bytes[4] = (byte)(payload >> 8);
                    bytes[5] = (byte)payload;
                }

                byte[] chain = [0, 43, 44, 51, 60, 6, 50, 59];
                bytes[6] = chain[bytes[2] % chain.Length];
                for (int i = 40; i + 8 < bytes.Length; i += 8)
                {
                    bytes[i] = chain[bytes[i] % chain.Length];
                    bytes[i + 1] %= 3;
                }
            }

            return bytes;
        });

    [Fact]
    public void Property_NeverThrows_OnArbitraryBytes() =>
        PropertyCheck.ForAll(Ipv6ish(), bytes =>
        {
            if (Ipv6Header.TryParse(bytes, out Ipv6Header h, out WireError error))
            {
                _ = (h.Version, h.TrafficClass, h.Dscp, h.Ecn, h.FlowLabel, h.PayloadLength, h.NextHeader, h.HopLimit,
                     h.Source.Length, h.Destination.Length, h.ExtensionHeaders.Length, h.Protocol, h.IsTruncated,
                     h.HasFragmentHeader, h.FragmentOffset, h.MoreFragments, h.FragmentIdentification, h.IsFragment);
                Assert.True(h.HeaderLength + h.Payload.Length <= bytes.Length);
                Assert.True(h.HeaderLength + h.Payload.Length <= 40 + h.PayloadLength);
            }
            else
            {
                Assert.NotEqual(WireError.None, error);
            }
        }, maxTest: 5000);

    [Fact]
    public void Property_ParseThenEncode_IsIdentityOnFixedHeader() =>
        PropertyCheck.ForAll(Ipv6ish(), bytes =>
        {
            if (Ipv6Header.TryParse(bytes, out Ipv6Header header, out _))
            {
                byte[] encoded = new byte[40];
                header.ToFields().Encode(encoded);
                Assert.Equal(Hex.Of(bytes.AsSpan(0, 40)), Hex.Of(encoded));
            }
        }, maxTest: 3000);
}
