using System.Buffers.Binary;
using System.Text;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>
/// The KUnit vectors of Linux net/mptcp/crypto_test.c (mptcp-vectors.md §1.3). Their key and message
/// are C strings whose ASCII bytes the harness reads as be64 keys and a be32 nonce pair, exactly the
/// shape <c>MptcpHmac</c> takes.
/// </summary>
public class MptcpHmacTests
{
    [Theory]
    [InlineData(1, "0b0b0b0b0b0b0b0b", "48692054", "8385e24fb4235ac37556b6b886db106284a1da671699f46db1f235ec622dcafa")]
    [InlineData(2, "aaaaaaaaaaaaaaaa", "dddddddd", "2c5e219164ff1dca1c4a92318d847bb6b9d44492984e1eb71aff9022f71046e9")]
    [InlineData(3, "0102030405060708", "cdcdcdcd", "e73b9ba9969969cefb04aa0d6df18ec2fcc075b6f23b4d8c4da736a5dbbc6e7d")]
    public void KernelCryptoTest_Vector(int number, string asciiKey, string asciiMessage, string expected)
    {
        _ = number;
        byte[] key = Encoding.ASCII.GetBytes(asciiKey);
        byte[] message = Encoding.ASCII.GetBytes(asciiMessage);
        ulong key1 = BinaryPrimitives.ReadUInt64BigEndian(key);
        ulong key2 = BinaryPrimitives.ReadUInt64BigEndian(key.AsSpan(8));

        Span<byte> mac = stackalloc byte[32];
        Assert.Equal(32, MptcpHmac.Compute(key1, key2, message, MptcpVersion.V1, mac));
        Assert.Equal(expected, Hex.Of(mac));
    }

    [Theory]
    [InlineData("0b0b0b0b0b0b0b0b", "48692054", "8385e24fb4235ac37556b6b886db106284a1da671699f46db1f235ec622dcafa")]
    [InlineData("aaaaaaaaaaaaaaaa", "dddddddd", "2c5e219164ff1dca1c4a92318d847bb6b9d44492984e1eb71aff9022f71046e9")]
    [InlineData("0102030405060708", "cdcdcdcd", "e73b9ba9969969cefb04aa0d6df18ec2fcc075b6f23b4d8c4da736a5dbbc6e7d")]
    public void KernelCryptoTest_Gotcha_HexDecodedInputDoesNotMatch(string asciiKey, string asciiMessage, string expected)
    {
        // §1.3 gotcha: reading the strings as hex (8-byte key halves, 4-byte message) gives other MACs.
        byte[] key = Hex.Bytes(asciiKey);
        Span<byte> mac = stackalloc byte[32];
        MptcpHmac.Compute(BinaryPrimitives.ReadUInt64BigEndian(key), BinaryPrimitives.ReadUInt64BigEndian(key), Hex.Bytes(asciiMessage), MptcpVersion.V1, mac);
        Assert.NotEqual(expected, Hex.Of(mac));
    }

    [Fact]
    public void V0_IsHmacSha1_TwentyBytes()
    {
        // §3.1: HMAC-SHA1(B||A, R-B||R-A) of the tcpdump v0 join starts with the SYN/ACK's 5ab680c7884af03d.
        Span<byte> mac = stackalloc byte[32];
        int length = MptcpHmac.Compute(Hex.U64("967d2770b6960552"), Hex.U64("9c9eabd1e46a33b2"), Hex.Bytes("33abe9d5 1b665a18"), MptcpVersion.V0, mac);
        Assert.Equal(20, length);
        Assert.Equal("5ab680c7884af03d", Hex.Of(mac[..8]));
    }
}
