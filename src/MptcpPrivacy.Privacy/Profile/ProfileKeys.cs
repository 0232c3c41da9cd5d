using System.Buffers.Binary;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// Every subkey of one connection, expanded once from its <see cref="ConnectionSecret"/> for both
/// roles and kept for the connection's life (about 0.5 KB), so no HKDF runs on a packet path.
/// </summary>
public sealed class ProfileKeys
{
    /// <summary>Bytes of the join token, join HMAC, echo and offset keys.</summary>
    public const int KeyLength = 32;

    /// <summary>Bytes of the ADD_ADDR seal key (MAC key then keystream key).</summary>
    public const int SealKeyLength = 64;

    private readonly byte[][] _joinToken = new byte[2][];
    private readonly byte[][] _joinHmac = new byte[2][];
    private readonly byte[][] _seal = new byte[2][];
    private readonly byte[][] _echo = new byte[2][];
    private readonly byte[][] _dsn = new byte[2][];
    private readonly byte[][] _timestamp = new byte[2][];
    private readonly ulong[] _idsn = new ulong[2];

    internal ProfileKeys(ConnectionSecret secret)
    {
        Span<byte> idsn = stackalloc byte[sizeof(ulong)];
        foreach (PrivacyRole role in (ReadOnlySpan<PrivacyRole>)[PrivacyRole.A, PrivacyRole.B])
        {
            int i = (int)role;
            _joinToken[i] = Derive(secret, ProfileSubkey.JoinToken, role, KeyLength);
            _joinHmac[i] = Derive(secret, ProfileSubkey.JoinHmac, role, KeyLength);
            _seal[i] = Derive(secret, ProfileSubkey.AddAddrSeal, role, SealKeyLength);
            _echo[i] = Derive(secret, ProfileSubkey.AddAddrEcho, role, KeyLength);
            _dsn[i] = Derive(secret, ProfileSubkey.DsnOffset, role, KeyLength);
            _timestamp[i] = Derive(secret, ProfileSubkey.TimestampOffset, role, KeyLength);
            secret.DeriveSubkey(ProfileSubkey.Idsn, role, idsn);
            _idsn[i] = BinaryPrimitives.ReadUInt64BigEndian(idsn);
        }
    }

    /// <summary>The key from which <paramref name="issuer"/>'s join tokens are derived.</summary>
    public ReadOnlySpan<byte> JoinTokenKey(PrivacyRole issuer) => _joinToken[(int)issuer];

    /// <summary>The key of the MP_JOIN HMACs that <paramref name="sender"/> sends.</summary>
    public ReadOnlySpan<byte> JoinHmacKey(PrivacyRole sender) => _joinHmac[(int)sender];

    /// <summary>The key that seals the ADD_ADDRs <paramref name="sender"/> sends.</summary>
    public ReadOnlySpan<byte> AddAddrSealKey(PrivacyRole sender) => _seal[(int)sender];

    /// <summary>The key of the ADD_ADDR echoes <paramref name="sender"/> sends.</summary>
    public ReadOnlySpan<byte> AddAddrEchoKey(PrivacyRole sender) => _echo[(int)sender];

    /// <summary>The key of the offsets on the DSNs <paramref name="sender"/> sends.</summary>
    public ReadOnlySpan<byte> DsnOffsetKey(PrivacyRole sender) => _dsn[(int)sender];

    /// <summary>The key of the offsets on the TSvals <paramref name="sender"/> sends.</summary>
    public ReadOnlySpan<byte> TimestampOffsetKey(PrivacyRole sender) => _timestamp[(int)sender];

    /// <summary>The initial data sequence number of <paramref name="sender"/>, from the secret instead of the clear key.</summary>
    public ulong Idsn(PrivacyRole sender) => _idsn[(int)sender];

    private static byte[] Derive(ConnectionSecret secret, ProfileSubkey subkey, PrivacyRole role, int length)
    {
        byte[] key = new byte[length];
        secret.DeriveSubkey(subkey, role, key);
        return key;
    }
}
