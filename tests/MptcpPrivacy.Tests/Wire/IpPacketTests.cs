using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>Version dispatch over IPv4 (RFC 791) and IPv6 (RFC 8200).</summary>
public class IpPacketTests
{
    // Lambdas cannot capture a ref struct; they parse again.
    private static IpPacket Reparse(byte[] bytes) =>
        IpPacket.TryParse(bytes, out IpPacket packet, out _) ? packet : throw new InvalidOperationException("does not parse");

    [Fact]
    public void Ipv4_TcpdumpV0Syn()
    {
        byte[] bytes = Hex.Bytes(WirePackets.V0Syn);
        Assert.True(IpPacket.TryParse(bytes, out IpPacket packet, out WireError error));
        Assert.Equal(WireError.None, error);
        Assert.Equal(4, packet.Version);
        Assert.Equal("0a020102", Hex.Of(packet.Source));
        Assert.Equal("0a010102", Hex.Of(packet.Destination));
        Assert.Equal(IpProtocol.Tcp, packet.Protocol);
        Assert.Equal(Hex.Of(bytes.AsSpan(20)), Hex.Of(packet.Payload));
        Assert.False(packet.IsFragment);
        Assert.False(packet.MoreFragments);
        Assert.False(packet.IsTruncated);
        Assert.Equal(0x32e9, packet.Ipv4.Identification);
        Assert.Throws<InvalidOperationException>(() => Reparse(bytes).Ipv6.HopLimit);
    }

    [Fact]
    public void Ipv6_Tcp()
    {
        byte[] bytes = Hex.Bytes(WirePackets.V6Tcp);
        Assert.True(IpPacket.TryParse(bytes, out IpPacket packet, out _));
        Assert.Equal(6, packet.Version);
        Assert.Equal(16, packet.Source.Length);
        Assert.Equal("20010db8000000010000000000000002", Hex.Of(packet.Destination));
        Assert.Equal(IpProtocol.Tcp, packet.Protocol);
        Assert.Equal(59, packet.Payload.Length);
        Assert.False(packet.IsFragment);
        Assert.Equal(64, packet.Ipv6.HopLimit);
        Assert.Throws<InvalidOperationException>(() => Reparse(bytes).Ipv4.Ttl);
    }

    [Fact]
    public void Ipv6_ProtocolIsAfterExtensionHeaders_FirstFragmentStartsWithTcp()
    {
        Assert.True(IpPacket.TryParse(Hex.Bytes(WirePackets.V6ExtensionChain), out IpPacket packet, out _));
        Assert.Equal(IpProtocol.Tcp, packet.Protocol);
        Assert.Equal(23, packet.Payload.Length);
        Assert.False(packet.IsFragment);
        Assert.True(packet.MoreFragments);
    }

    [Fact]
    public void Ipv6_NonFirstFragment_IsFragment()
    {
        Assert.True(IpPacket.TryParse(Hex.Bytes(WirePackets.V6NonFirstFragment), out IpPacket packet, out _));
        Assert.True(packet.IsFragment);
        Assert.False(packet.MoreFragments);
    }

    [Theory]
    [InlineData(0x0000, false, false)]
    [InlineData(0x2000, false, true)]  // MF, offset 0: first fragment, starts with the upper-layer header
    [InlineData(0x2001, true, true)]   // middle fragment
    [InlineData(0x0001, true, false)]  // last fragment
    [InlineData(0x4000, false, false)] // DF alone
    public void Ipv4_IsFragment_OnlyWhenPayloadDoesNotStartWithUpperLayerHeader(int flagsAndOffset, bool isFragment, bool moreFragments)
    {
        byte[] bytes = Hex.Bytes(WirePackets.V0Syn);
        bytes[6] = (byte)(flagsAndOffset >> 8);
        bytes[7] = (byte)flagsAndOffset;
        Assert.True(IpPacket.TryParse(bytes, out IpPacket packet, out _));
        Assert.Equal(isFragment, packet.IsFragment);
        Assert.Equal(moreFragments, packet.MoreFragments);
    }

    [Fact]
    public void Truncated_Ipv4AndIpv6()
    {
        Assert.True(IpPacket.TryParse(Hex.Bytes(WirePackets.V0Syn).AsSpan(0, 50), out IpPacket v4, out _));
        Assert.True(v4.IsTruncated);
        Assert.Equal(30, v4.Payload.Length);
        Assert.True(IpPacket.TryParse(Hex.Bytes(WirePackets.V6Tcp).AsSpan(0, 60), out IpPacket v6, out _));
        Assert.True(v6.IsTruncated);
        Assert.Equal(20, v6.Payload.Length);
    }

    [Theory]
    [InlineData("", WireError.Truncated)]
    [InlineData("45", WireError.Truncated)]
    [InlineData("60", WireError.Truncated)]
    [InlineData("50000000", WireError.BadVersion)]
    [InlineData("00000000", WireError.BadVersion)]
    [InlineData("f0000000", WireError.BadVersion)]
    public void Errors_ComeFromTheVersionsParser(string hex, WireError expected)
    {
        Assert.False(IpPacket.TryParse(Hex.Bytes(hex), out _, out WireError error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Property_NeverThrows_OnArbitraryBytes() =>
        PropertyCheck.ForAll(PropertyCheck.BytesStartingWith(100, 0x45, 0x46, 0x60, 0x50), bytes =>
        {
            if (IpPacket.TryParse(bytes, out IpPacket p, out _))
            {
                _ = (p.Version, p.Source.Length, p.Destination.Length, p.Protocol, p.Payload.Length, p.IsFragment, p.MoreFragments, p.IsTruncated);
                Assert.Equal(p.Version == 4 ? 4 : 16, p.Source.Length);
            }
        }, maxTest: 3000);
}
