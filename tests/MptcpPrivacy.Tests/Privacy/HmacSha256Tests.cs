using System.Security.Cryptography;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Tests.Wire;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>The profile's HMAC-SHA256 against RFC 4231's vectors and the library's HMAC.</summary>
public class HmacSha256Tests
{
    [Fact]
    public void Rfc4231_TestCase2()
    {
        // Key "Jefe", data "what do ya want for nothing?".
        byte[] mac = new byte[32];
        HmacSha256.Compute("Jefe"u8, "what do ya want for nothing?"u8, mac);
        Assert.Equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", Hex.Of(mac));
    }

    [Fact]
    public void AgreesWithTheLibrary_OnEveryKeyAndMessageLength()
    {
        var random = new Random(31);
        byte[] mine = new byte[32], library = new byte[32];
        for (int keyLength = 0; keyLength <= 64; keyLength += 4)
        {
            for (int messageLength = 0; messageLength <= 64; messageLength += 3)
            {
                byte[] key = new byte[keyLength], message = new byte[messageLength];
                random.NextBytes(key);
                random.NextBytes(message);
                HmacSha256.Compute(key, message, mine);
                HMACSHA256.HashData(key, message, library);
                Assert.Equal(Hex.Of(library), Hex.Of(mine));
            }
        }

        Assert.Throws<ArgumentException>(() => HmacSha256.Compute(new byte[65], [], mine));
    }
}
