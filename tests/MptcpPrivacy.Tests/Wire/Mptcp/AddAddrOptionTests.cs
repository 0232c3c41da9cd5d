using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using static MptcpPrivacy.Tests.Wire.Mptcp.OptionBytes;

namespace MptcpPrivacy.Tests.Wire.Mptcp;

/// <summary>RFC 8684 §3.4.1 and RFC 6824 §3.4.1. Vectors: mptcp-vectors.md §3.1, §3.4, §3.5, §3.6.</summary>
public class AddAddrOptionTests
{
    [Fact]
    public void Rfc8684_3_4_1_Ipv4WithHmac_TcpdumpAaV1()
    {
        const string hex = "1e103001c0a888e1669928744366716c";
        AddAddrOption o = Parse(hex, MptcpSubtype.AddAddr).AddAddr;
        Assert.False(o.IsVersion0);
        Assert.False(o.Echo);
        Assert.Equal(1, o.AddressId);
        Assert.Equal(IpAddressBytes.Parse("192.168.136.225"), o.Address);
        Assert.False(o.HasPort);
        Assert.True(o.HasHmac);
        Assert.Equal(0x669928744366716cUL, o.TruncatedHmac);
        AssertWritesBackAndRefusesTruncation(hex);
        AssertOtherLengthsRefused(hex, 8, 10, 18, 20, 22, 28, 30);
    }

    [Fact]
    public void Rfc8684_3_4_1_Ipv4EchoAndAnnouncement_TcpdumpAaEcho()
    {
        AddAddrOption announced = Parse("1e1030010a000201f8295862f645df19", MptcpSubtype.AddAddr).AddAddr;
        AddAddrOption echo = Parse("1e0831010a000201", MptcpSubtype.AddAddr).AddAddr;
        Assert.True(echo.Echo);
        Assert.False(echo.HasHmac);
        Assert.False(echo.IsVersion0);
        Assert.Equal(announced.Address, echo.Address);
        Assert.Equal(AddAddrOption.EchoOf(1, IpAddressBytes.Parse("10.0.2.1"), null), echo);
        AssertWritesBackAndRefusesTruncation("1e0831010a000201");
        AssertWritesBackAndRefusesTruncation("1e1030010a000201f8295862f645df19");
    }

    [Fact]
    public void Rfc8684_3_4_1_Ipv4WithPortAndHmac_Linux618()
    {
        const string hex = "1e1230067f00000327744cbe3f13dbd2987e";
        AddAddrOption o = Parse(hex, MptcpSubtype.AddAddr).AddAddr;
        Assert.Equal(6, o.AddressId);
        Assert.Equal(IpAddressBytes.Parse("127.0.0.3"), o.Address);
        Assert.True(o.HasPort);
        Assert.Equal(10100, o.Port);
        Assert.Equal(0x4cbe3f13dbd2987eUL, o.TruncatedHmac);
        Assert.Equal(AddAddrOption.Announce(6, IpAddressBytes.Parse("127.0.0.3"), 10100, 0x4cbe3f13dbd2987e), o);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc8684_3_4_1_Ipv4EchoWithPort_Linux618()
    {
        const string hex = "1e0a31067f0000032774";
        AddAddrOption o = Parse(hex, MptcpSubtype.AddAddr).AddAddr;
        Assert.True(o.Echo);
        Assert.Equal(10100, o.Port);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc8684_3_4_1_Ipv6WithHmacAndEcho_Linux618()
    {
        const string announced = "1e1c300700000000000000000000000000000002f8a8445239c3a9c2";
        const string echo = "1e14310700000000000000000000000000000002";
        AddAddrOption a = Parse(announced, MptcpSubtype.AddAddr).AddAddr;
        Assert.Equal(IpAddressBytes.Parse("::2"), a.Address);
        Assert.Equal(7, a.AddressId);
        Assert.Equal(0xf8a8445239c3a9c2UL, a.TruncatedHmac);
        AddAddrOption e = Parse(echo, MptcpSubtype.AddAddr).AddAddr;
        Assert.True(e.Echo);
        Assert.Equal(a.Address, e.Address);
        AssertWritesBackAndRefusesTruncation(announced);
        AssertWritesBackAndRefusesTruncation(echo);
    }

    [Fact]
    public void Rfc8684_3_4_1_Ipv6WithPortAndHmac_Layout()
    {
        const string hex = "1e1e300920010db8000000000000000000000001 1f90 0102030405060708";
        AddAddrOption o = Parse(hex, MptcpSubtype.AddAddr).AddAddr;
        Assert.Equal(IpAddressBytes.Parse("2001:db8::1"), o.Address);
        Assert.Equal(8080, o.Port);
        Assert.Equal(0x0102030405060708UL, o.TruncatedHmac);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc6824_3_4_1_V0Ipv4_TcpdumpV0()
    {
        const string hex = "1e0834010a010202";
        AddAddrOption o = Parse(hex, MptcpSubtype.AddAddr).AddAddr;
        Assert.True(o.IsVersion0);
        Assert.False(o.Echo);
        Assert.False(o.HasHmac);
        Assert.Equal(1, o.AddressId);
        Assert.Equal(IpAddressBytes.Parse("10.1.2.2"), o.Address);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc6824_3_4_1_V0Ipv6WithPort_Layout()
    {
        const string hex = "1e16360320010db80000000000000000000000020050";
        AddAddrOption o = Parse(hex, MptcpSubtype.AddAddr).AddAddr;
        Assert.True(o.IsVersion0);
        Assert.Equal(IpAddressBytes.Parse("2001:db8::2"), o.Address);
        Assert.Equal(80, o.Port);
        AssertWritesBackAndRefusesTruncation(hex);
    }
}
