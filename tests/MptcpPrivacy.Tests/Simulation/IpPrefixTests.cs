using MptcpPrivacy.Simulation;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>Prefixes and interface addresses: masking, membership, and text with its errors.</summary>
public class IpPrefixTests
{
    [Theory]
    [InlineData("198.51.100.77/24", "198.51.100.0/24")]
    [InlineData("192.0.2.130/25", "192.0.2.128/25")]
    [InlineData("203.0.113.9/32", "203.0.113.9/32")]
    [InlineData("203.0.113.9/0", "0.0.0.0/0")]
    [InlineData("2001:db8:1:2:3:4:5:6/64", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:3:4:5:6/65", "2001:db8:1:2::/65")]
    [InlineData("2001:db8:1:2:ffff:4:5:6/66", "2001:db8:1:2:c000::/66")]
    [InlineData("2001:db8:ffff::1/31", "2001:db8::/31")]
    [InlineData("2001:db8::1/128", "2001:db8::1/128")]
    [InlineData("2001:db8::1/0", "::/0")]
    public void A_prefix_clears_the_bits_past_its_length(string text, string expected)
    {
        IpPrefix prefix = IpPrefix.Parse(text);
        Assert.Equal(expected, prefix.ToString());
        Assert.Equal(IpPrefix.Parse(expected), prefix);
    }

    [Theory]
    [InlineData("192.0.2.128/25", "192.0.2.128", true)]
    [InlineData("192.0.2.128/25", "192.0.2.255", true)]
    [InlineData("192.0.2.128/25", "192.0.2.127", false)]
    [InlineData("0.0.0.0/0", "203.0.113.1", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("::/0", "192.0.2.1", false)]
    [InlineData("2001:db8:1::/48", "2001:db8:1:ffff::1", true)]
    [InlineData("2001:db8:1::/48", "2001:db8:2::1", false)]
    [InlineData("2001:db8::1/128", "2001:db8::1", true)]
    [InlineData("2001:db8::1/128", "2001:db8::2", false)]
    public void Contains_compares_the_family_and_the_leading_bits(string prefix, string address, bool expected) =>
        Assert.Equal(expected, IpPrefix.Parse(prefix).Contains(IpAddressBytes.Parse(address)));

    [Theory]
    [InlineData("198.51.100.0", "has no prefix length")]
    [InlineData("198.51.100.0/33", "bad prefix length \"33\" (0 to 32 for IPv4)")]
    [InlineData("2001:db8::/129", "(0 to 128 for IPv6)")]
    [InlineData("198.51.100.0/-1", "bad prefix length")]
    [InlineData("198.51.100.0/x", "bad prefix length \"x\"")]
    [InlineData("198.51.100/24", "is not an IPv4 address")]
    [InlineData("198.51.100.010/24", "is not an IPv4 address")]
    [InlineData("198.51.100.256/24", "is not an IPv4 address")]
    [InlineData("1/8", "is not an IPv4 address")]
    [InlineData("2001:db8::1%eth0/64", "is not an IPv4 address")]
    [InlineData("2001:db8::g/64", "or an IPv6 address")]
    [InlineData("/24", "is not an IPv4 address")]
    public void Bad_prefix_text_says_what_is_wrong(string text, string expected)
    {
        Assert.False(IpPrefix.TryParse(text, out _, out string error));
        Assert.Contains(expected, error);
        Assert.Contains(expected, Assert.Throws<FormatException>(() => IpPrefix.Parse(text)).Message);
    }

    [Fact]
    public void An_interface_address_keeps_its_host_bits_and_a_bare_address_is_a_host()
    {
        InterfaceAddress address = InterfaceAddress.Parse("192.0.2.130/25");
        Assert.Equal(IpAddressBytes.Parse("192.0.2.130"), address.Address);
        Assert.Equal(IpPrefix.Parse("192.0.2.128/25"), address.Prefix);
        Assert.Equal("192.0.2.130/25", address.ToString());
        Assert.Equal(InterfaceAddress.Host(IpAddressBytes.Parse("2001:db8::5")), InterfaceAddress.Parse("2001:db8::5"));
        Assert.Equal(128, InterfaceAddress.Parse("2001:db8::5").PrefixLength);
        Assert.Equal(32, InterfaceAddress.Parse("203.0.113.5").PrefixLength);
        Assert.False(InterfaceAddress.TryParse("203.0.113.5/40", out _, out string error));
        Assert.Contains("0 to 32", error);
    }

    [Fact]
    public void Misuse_in_code_throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IpPrefix(IpAddressBytes.Parse("192.0.2.1"), 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IpPrefix(IpAddressBytes.Parse("192.0.2.1"), -1));
        Assert.Throws<ArgumentException>(() => new IpPrefix(default, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InterfaceAddress(IpAddressBytes.Parse("2001:db8::1"), 129));
    }
}
