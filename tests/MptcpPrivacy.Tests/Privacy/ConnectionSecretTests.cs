using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Tests.Wire;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>
/// The key schedule (HKDF-SHA256, RFC 5869). Expected values were computed with Python's hmac and
/// hashlib following docs/design/privacy-profile.md, not with this code.
/// </summary>
public class ConnectionSecretTests
{
    private const ulong KeyA = 0x0102030405060708, KeyB = 0x1112131415161718;

    private static byte[] Z => [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    private static byte[] ShareA => [0x02, .. Enumerable.Range(0xa0, 32).Select(i => (byte)i)];

    private static byte[] ShareB => [0x03, .. Enumerable.Range(0xc0, 32).Select(i => (byte)i)];

    private static ConnectionSecret Secret() => ConnectionSecret.FromKeyAgreement(Z, KeyA, KeyB, ShareA, ShareB);

    [Fact]
    public void KeyAgreement_Subkeys_MatchIndependentHkdf()
    {
        ProfileKeys keys = Secret().DeriveKeys();
        Assert.Equal("dd3ce5f33b77d6b948650c178984f1087c6a2d351cde54395618c14e78f442b9", Hex.Of(keys.JoinTokenKey(PrivacyRole.A)));
        Assert.Equal(0xea8b8389291fe156UL, keys.Idsn(PrivacyRole.B));
    }

    [Fact]
    public void ApplicationSecret_Subkeys_MatchIndependentHkdf()
    {
        ProfileKeys keys = ConnectionSecret.FromApplicationSecret(Enumerable.Repeat((byte)0x42, 32).ToArray(), KeyA, KeyB).DeriveKeys();
        Assert.Equal(
            "212bdf558c858734848c9ee309752eaaec33fad18fec5116be773f199bb1d421e8ab5342505598eec92693fa88e19fbcacc54d7e7e79a8ac28e5a0c7736d6049",
            Hex.Of(keys.AddAddrSealKey(PrivacyRole.B)));
    }

    [Fact]
    public void Split_SecondStage_MatchesIndependentHkdf_AndDiffersFromFirst()
    {
        byte[] z2 = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];
        byte[] shareA2 = [0x03, .. Enumerable.Range(0x10, 32).Select(i => (byte)i)];
        byte[] shareB2 = [0x02, .. Enumerable.Range(0x30, 32).Select(i => (byte)i)];
        ConnectionSecret first = Secret();
        ConnectionSecret split = first.CombineSplit(z2, shareA2, shareB2, 0xaabbccdd, 0x11223344);
        Assert.Equal(SecretSource.SplitKeyAgreement, split.Source);
        Assert.Equal("316b9818307314fbf334bf877c97e2e40690036107c4dc5c9d0ca2ad1f609bbb", Hex.Of(split.DeriveKeys().DsnOffsetKey(PrivacyRole.A)));
        Assert.NotEqual(Hex.Of(first.DeriveKeys().DsnOffsetKey(PrivacyRole.A)), Hex.Of(split.DeriveKeys().DsnOffsetKey(PrivacyRole.A)));

        // Knowing only one of the two ECDH outputs (an attacker on one path) gives other keys.
        byte[] wrongZ2 = (byte[])z2.Clone();
        wrongZ2[0] ^= 1;
        Assert.NotEqual(
            Hex.Of(split.DeriveKeys().JoinTokenKey(PrivacyRole.B)),
            Hex.Of(first.CombineSplit(wrongZ2, shareA2, shareB2, 0xaabbccdd, 0x11223344).DeriveKeys().JoinTokenKey(PrivacyRole.B)));
    }

    [Fact]
    public void EveryInput_ChangesTheKeys()
    {
        string reference = Hex.Of(Secret().DeriveKeys().JoinHmacKey(PrivacyRole.A));
        byte[] z = Z;
        z[31] ^= 1;
        Assert.NotEqual(reference, Hex.Of(ConnectionSecret.FromKeyAgreement(z, KeyA, KeyB, ShareA, ShareB).DeriveKeys().JoinHmacKey(PrivacyRole.A)));
        Assert.NotEqual(reference, Hex.Of(ConnectionSecret.FromKeyAgreement(Z, KeyA ^ 1, KeyB, ShareA, ShareB).DeriveKeys().JoinHmacKey(PrivacyRole.A)));
        Assert.NotEqual(reference, Hex.Of(ConnectionSecret.FromKeyAgreement(Z, KeyA, KeyB ^ 1, ShareA, ShareB).DeriveKeys().JoinHmacKey(PrivacyRole.A)));
        Assert.NotEqual(reference, Hex.Of(ConnectionSecret.FromKeyAgreement(Z, KeyB, KeyA, ShareA, ShareB).DeriveKeys().JoinHmacKey(PrivacyRole.A)));
    }

    [Fact]
    public void ParityFlippedShare_ChangesEveryKey()
    {
        // ECDH gives the same x for Q and -Q; a share whose prefix was flipped on the wire must still
        // give the two ends different keys, so the first join fails instead of running on a lie.
        byte[] flipped = ShareB;
        flipped[0] ^= 1;
        Assert.NotEqual(
            Hex.Of(Secret().DeriveKeys().JoinTokenKey(PrivacyRole.B)),
            Hex.Of(ConnectionSecret.FromKeyAgreement(Z, KeyA, KeyB, ShareA, flipped).DeriveKeys().JoinTokenKey(PrivacyRole.B)));
    }

    [Fact]
    public void Roles_AndSubkeys_AreAllDistinct()
    {
        ProfileKeys keys = Secret().DeriveKeys();
        var seen = new HashSet<string>();
        foreach (PrivacyRole role in new[] { PrivacyRole.A, PrivacyRole.B })
        {
            Assert.True(seen.Add(Hex.Of(keys.JoinTokenKey(role))));
            Assert.True(seen.Add(Hex.Of(keys.JoinHmacKey(role))));
            Assert.True(seen.Add(Hex.Of(keys.AddAddrSealKey(role)[..32])));
            Assert.True(seen.Add(Hex.Of(keys.AddAddrEchoKey(role))));
            Assert.True(seen.Add(Hex.Of(keys.DsnOffsetKey(role))));
            Assert.True(seen.Add(Hex.Of(keys.TimestampOffsetKey(role))));
        }

        Assert.NotEqual(keys.Idsn(PrivacyRole.A), keys.Idsn(PrivacyRole.B));
    }

    [Fact]
    public void BothEnds_OfARealExchange_DeriveTheSameKeys()
    {
        using P256KeyShare a = P256KeyShare.Generate(PrivacyTestSupport.Seeded(11));
        using P256KeyShare b = P256KeyShare.Generate(PrivacyTestSupport.Seeded(12));
        Span<byte> za = stackalloc byte[32], zb = stackalloc byte[32];
        Assert.True(a.TryDeriveSharedSecret(b.PublicKey, za));
        Assert.True(b.TryDeriveSharedSecret(a.PublicKey, zb));
        ProfileKeys atA = ConnectionSecret.FromKeyAgreement(za, KeyA, KeyB, a.PublicKey, b.PublicKey).DeriveKeys();
        ProfileKeys atB = ConnectionSecret.FromKeyAgreement(zb, KeyA, KeyB, a.PublicKey, b.PublicKey).DeriveKeys();
        Assert.Equal(Hex.Of(atA.AddAddrSealKey(PrivacyRole.A)), Hex.Of(atB.AddAddrSealKey(PrivacyRole.A)));
        Assert.Equal(atA.Idsn(PrivacyRole.A), atB.Idsn(PrivacyRole.A));
    }

    [Fact]
    public void Misuse_Throws()
    {
        Assert.Throws<ArgumentException>(() => ConnectionSecret.FromApplicationSecret(new byte[15], KeyA, KeyB));
        Assert.Throws<ArgumentException>(() => ConnectionSecret.FromKeyAgreement(new byte[31], KeyA, KeyB, ShareA, ShareB));
        Assert.Throws<ArgumentException>(() => ConnectionSecret.FromKeyAgreement(Z, KeyA, KeyB, ShareA[..32], ShareB));
    }
}
