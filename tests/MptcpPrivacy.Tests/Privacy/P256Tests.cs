using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Tests.Wire;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>
/// P-256 compressed points (SEC 1 §2.3.3–2.3.4) and the key agreement. G is the curve's published
/// generator (FIPS 186-4 D.1.2.3); 2G, 3G and 6G were computed with an independent affine
/// implementation in Python (plain modular arithmetic, no library).
/// </summary>
public class P256Tests
{
    private const string G = "036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
    private const string GY = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
    private const string TwoG = "037cf27b188d034f7e8a52380304b51ac3c08969e277f21b35a60b48fc47669978";
    private const string TwoGY = "07775510db8ed040293d9ac69f7430dbba7dade63ce982299e04b79d227873d1";
    private const string ThreeGX = "5ecbe4d1a6330a44c8f7ef951d4bf165e6c6b721efada985fb41661bc6e7fd6c";
    private const string SixGX = "b01a172a76a4602c92d3242cb897dde3024c740debb215b4c6b0aae93c2291a9";

    private static byte[] Scalar(int value)
    {
        byte[] d = new byte[32];
        d[31] = (byte)value;
        return d;
    }

    [Theory]
    [InlineData(G, GY)]
    [InlineData(TwoG, TwoGY)]
    public void Decompress_RecoversY(string compressed, string y)
    {
        Span<byte> xs = stackalloc byte[32], ys = stackalloc byte[32];
        Assert.True(P256Point.TryDecompress(Hex.Bytes(compressed), xs, ys));
        Assert.Equal(y, Hex.Of(ys));
        Span<byte> again = stackalloc byte[33];
        Assert.Equal(33, P256Point.Compress(xs, ys, again));
        Assert.Equal(compressed, Hex.Of(again));
    }

    [Fact]
    public void Decompress_OtherParityGivesNegatedY()
    {
        byte[] even = Hex.Bytes(G);
        even[0] = 0x02;
        Span<byte> xs = stackalloc byte[32], ys = stackalloc byte[32];
        Assert.True(P256Point.TryDecompress(even, xs, ys));
        Assert.Equal(0, ys[^1] & 1);
        Assert.NotEqual(GY, Hex.Of(ys));
    }

    public static TheoryData<string> InvalidPoints => new()
    {
        "02" + "0000000000000000000000000000000000000000000000000000000000000001", // x = 1: x³ − 3x + b is not a square
        "04" + G[2..],                                                          // uncompressed prefix
        "00" + G[2..],                                                          // infinity's prefix
        "02" + "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", // x = p
        "03" + "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // x > p
        G[..64],                                                                // 32 bytes
        G + "00",                                                               // 34 bytes
        string.Empty,
    };

    [Theory]
    [MemberData(nameof(InvalidPoints))]
    public void Decompress_RefusesNonPoints(string bytes)
    {
        Span<byte> xs = stackalloc byte[32], ys = stackalloc byte[32];
        Assert.False(P256Point.TryDecompress(Hex.Bytes(bytes), xs, ys));
    }

    [Fact]
    public void KeyShare_OfKnownScalars_MatchesIndependentArithmetic()
    {
        using P256KeyShare one = P256KeyShare.FromPrivateScalar(Scalar(1));
        using P256KeyShare two = P256KeyShare.FromPrivateScalar(Scalar(2));
        using P256KeyShare three = P256KeyShare.FromPrivateScalar(Scalar(3));
        Assert.Equal(G, Hex.Of(one.PublicKey));
        Assert.Equal(TwoG, Hex.Of(two.PublicKey));

        Span<byte> secret = stackalloc byte[32];
        Assert.True(three.TryDeriveSharedSecret(one.PublicKey, secret));
        Assert.Equal(ThreeGX, Hex.Of(secret));
        Assert.True(two.TryDeriveSharedSecret(three.PublicKey, secret));
        Assert.Equal(SixGX, Hex.Of(secret));
        Assert.True(three.TryDeriveSharedSecret(two.PublicKey, secret));
        Assert.Equal(SixGX, Hex.Of(secret));
    }

    [Fact]
    public void KeyShares_FromSeededRandomness_AgreeAndRepeat()
    {
        using P256KeyShare a = P256KeyShare.Generate(PrivacyTestSupport.Seeded(1));
        using P256KeyShare b = P256KeyShare.Generate(PrivacyTestSupport.Seeded(2));
        using P256KeyShare aAgain = P256KeyShare.Generate(PrivacyTestSupport.Seeded(1));
        Assert.Equal(Hex.Of(a.PublicKey), Hex.Of(aAgain.PublicKey));
        Assert.NotEqual(Hex.Of(a.PublicKey), Hex.Of(b.PublicKey));

        Span<byte> ab = stackalloc byte[32], ba = stackalloc byte[32];
        Assert.True(a.TryDeriveSharedSecret(b.PublicKey, ab));
        Assert.True(b.TryDeriveSharedSecret(a.PublicKey, ba));
        Assert.True(ab.SequenceEqual(ba));
    }

    [Fact]
    public void KeyShare_RefusesInvalidPeerAndWritesNothing()
    {
        using P256KeyShare a = P256KeyShare.Generate(PrivacyTestSupport.Seeded(3));
        Span<byte> secret = stackalloc byte[32];
        secret.Fill(0xee);
        Assert.False(a.TryDeriveSharedSecret(Hex.Bytes("02" + "0000000000000000000000000000000000000000000000000000000000000001"), secret));
        Assert.False(a.TryDeriveSharedSecret(Hex.Bytes("05" + G[2..]), secret));
        Assert.All(secret.ToArray(), b => Assert.Equal(0xee, b));
    }

    [Fact]
    public void KeyShare_TamperedShare_IsRefusedOrGivesAnotherSecret()
    {
        using P256KeyShare a = P256KeyShare.Generate(PrivacyTestSupport.Seeded(4));
        using P256KeyShare b = P256KeyShare.Generate(PrivacyTestSupport.Seeded(5));
        Span<byte> good = stackalloc byte[32], bad = stackalloc byte[32];
        Assert.True(a.TryDeriveSharedSecret(b.PublicKey, good));
        int refused = 0;
        for (int bit = 1; bit < 33 * 8; bit++)
        {
            byte[] share = b.PublicKey.ToArray();
            share[bit / 8] ^= (byte)(1 << (bit % 8));
            if (a.TryDeriveSharedSecret(share, bad))
            {
                Assert.False(good.SequenceEqual(bad));
            }
            else
            {
                refused++;
            }
        }

        // About half of all x are on the curve; every prefix flip but the parity bit leaves 02/03.
        Assert.InRange(refused, 60, 200);

        // Bit 0 is y's parity: -Q gives the same x-only ECDH output. The transcript hash in the
        // connection secret is what catches it (ConnectionSecretTests.ParityFlippedShare_ChangesEveryKey).
        byte[] negated = b.PublicKey.ToArray();
        negated[0] ^= 1;
        Assert.True(a.TryDeriveSharedSecret(negated, bad));
        Assert.True(good.SequenceEqual(bad));
    }

    [Fact]
    public void Generate_RejectsScalarsOutOfRange()
    {
        int calls = 0;
        using P256KeyShare share = P256KeyShare.Generate(destination =>
        {
            // Three draws ≥ n (all ones), then 1: the share must be G.
            destination.Fill(calls++ < 3 ? (byte)0xff : (byte)0);
            if (calls > 3)
            {
                destination[^1] = 1;
            }
        });
        Assert.Equal(4, calls);
        Assert.Equal(G, Hex.Of(share.PublicKey));
    }
}
