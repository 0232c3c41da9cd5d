using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Tests.Wire;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>
/// Sealed ADD_ADDR (RFC 8684 §3.4.1 lengths, SIV with HMAC-SHA256). Expected bytes computed with
/// Python's hmac following the construction in the design note, not with this code.
/// </summary>
public class SealedAddAddrTests
{
    private static readonly byte[] SealKey = [.. Enumerable.Range(0, 64).Select(i => (byte)i)];
    private static readonly byte[] EchoKey = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];

    private static byte[] Sealed(byte id, string address, ushort? port, byte[]? key = null)
    {
        byte[] option = new byte[40];
        int length = SealedAddAddr.Seal(key ?? SealKey, id, IpAddressBytes.Parse(address), port, option);
        return option[..length];
    }

    [Fact]
    public void Seal_MatchesIndependentVectors()
    {
        Assert.Equal("1e12306493a9162c02a63454e206995660f6", Hex.Of(Sealed(0x5a, "192.0.2.7", 8080)));
        Assert.Equal("1e1c3079bcdab2aa7226a6f0a26f470ce09b018ebecb9605116c961c", Hex.Of(Sealed(0x11, "2001:db8::1", null)));
    }

    [Theory]
    [InlineData("192.0.2.7", null, 16)]
    [InlineData("192.0.2.7", (ushort)443, 18)]
    [InlineData("2001:db8::7", null, 28)]
    [InlineData("2001:db8::7", (ushort)443, 30)]
    public void RoundTrip_InRfc8684Lengths_WithNoPlaintextByte(string address, ushort? port, int length)
    {
        byte[] option = Sealed(0xc3, address, port);
        Assert.Equal(length, option.Length);

        // Any RFC 8684 parser reads it as an ADD_ADDR with an HMAC: same shape on the wire.
        Assert.True(AddAddrOption.TryParse(option, out AddAddrOption parsed, out _));
        Assert.True(parsed.HasHmac);
        Assert.False(parsed.Echo);
        Assert.Equal(port is not null, parsed.HasPort);

        Assert.True(SealedAddAddr.TryOpen(SealKey, option, out OpenedAddAddr opened));
        Assert.Equal(new OpenedAddAddr(0xc3, IpAddressBytes.Parse(address), port), opened);

        byte[] plain = new byte[16];
        int n = IpAddressBytes.Parse(address).CopyTo(plain);
        Assert.False(option.AsSpan().IndexOf(plain.AsSpan(0, n)) >= 0);
        Assert.NotEqual(0xc3, option[3]);
    }

    [Fact]
    public void WrongKey_AndEveryFlippedBit_AreRefused()
    {
        byte[] option = Sealed(0x5a, "192.0.2.7", 8080);
        byte[] other = (byte[])SealKey.Clone();
        other[40] ^= 1;
        Assert.False(SealedAddAddr.TryOpen(other, option, out _));
        other = (byte[])SealKey.Clone();
        other[3] ^= 1;
        Assert.False(SealedAddAddr.TryOpen(other, option, out _));

        for (int bit = 0; bit < option.Length * 8; bit++)
        {
            byte[] tampered = (byte[])option.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(SealedAddAddr.TryOpen(SealKey, tampered, out _), $"bit {bit}");
        }

        Assert.False(SealedAddAddr.TryOpen(SealKey, option[..^1], out _));
    }

    [Fact]
    public void ReflectedToItsSender_DoesNotOpen()
    {
        var keys = ConnectionSecret.FromApplicationSecret(new byte[32], 1, 2).DeriveKeys();
        byte[] option = Sealed(7, "198.51.100.1", null, keys.AddAddrSealKey(PrivacyRole.A).ToArray());
        Assert.True(SealedAddAddr.TryOpen(keys.AddAddrSealKey(PrivacyRole.A), option, out _));
        Assert.False(SealedAddAddr.TryOpen(keys.AddAddrSealKey(PrivacyRole.B), option, out _));
    }

    [Fact]
    public void SameAnnouncement_GivesSameBytes_AnotherIdGivesUnrelatedBytes()
    {
        byte[] one = Sealed(0x10, "203.0.113.9", null), again = Sealed(0x10, "203.0.113.9", null), other = Sealed(0x11, "203.0.113.9", null);
        Assert.Equal(one, again);
        int equal = 0;
        for (int i = 3; i < one.Length; i++)
        {
            equal += one[i] == other[i] ? 1 : 0;
        }

        Assert.True(equal <= 3, $"{equal} equal bytes");
    }

    [Fact]
    public void Echo_MatchesIndependentVector_AndVerifies()
    {
        byte[] announcement = Sealed(0x5a, "192.0.2.7", 8080);
        byte[] echo = new byte[40];
        int length = SealedAddAddr.SealEcho(EchoKey, announcement, echo);
        Assert.Equal(10, length); // RFC 8684's echo length for IPv4 with port
        Assert.Equal("1e0a31d89cceec6a2dcc", Hex.Of(echo.AsSpan(0, length)));
        Assert.True(AddAddrOption.TryParse(echo.AsSpan(0, length), out AddAddrOption parsed, out _));
        Assert.True(parsed.Echo);

        Assert.True(SealedAddAddr.IsEchoOf(EchoKey, echo.AsSpan(0, length), announcement));
        Assert.False(SealedAddAddr.IsEchoOf(SealKey[..32], echo.AsSpan(0, length), announcement));
        Assert.False(SealedAddAddr.IsEchoOf(EchoKey, echo.AsSpan(0, length), Sealed(0x5b, "192.0.2.7", 8080)));
        echo[5] ^= 0x40;
        Assert.False(SealedAddAddr.IsEchoOf(EchoKey, echo.AsSpan(0, length), announcement));

        // The echo repeats no byte run of the announcement (no linking two paths by equal bytes).
        Assert.False(announcement.AsSpan(3).IndexOf(echo.AsSpan(3, 4)) >= 0);
    }

    [Theory]
    [InlineData("2001:db8::9", null, 20)]
    [InlineData("2001:db8::9", (ushort)80, 22)]
    [InlineData("10.1.2.3", null, 8)]
    public void Echo_HasRfc8684EchoLengths(string address, ushort? port, int length)
    {
        byte[] echo = new byte[40];
        Assert.Equal(length, SealedAddAddr.SealEcho(EchoKey, Sealed(9, address, port), echo));
    }

    [Fact]
    public void AddressIds_AreRandom_Distinct_AndRunOut()
    {
        var allocator = new AddressIdAllocator(PrivacyTestSupport.Seeded(7));
        var ids = new List<byte>();
        while (allocator.TryAllocate(out byte id))
        {
            ids.Add(id);
        }

        Assert.Equal(255, ids.Count);
        Assert.DoesNotContain((byte)0, ids);
        Assert.Equal(255, ids.Distinct().Count());
        Assert.NotEqual(Enumerable.Range(1, 255).Select(i => (byte)i), ids);
        Assert.NotEqual((byte)1, ids[0]);

        allocator.Free(ids[17]);
        Assert.True(allocator.TryAllocate(out byte again));
        Assert.Equal(ids[17], again);
    }
}
