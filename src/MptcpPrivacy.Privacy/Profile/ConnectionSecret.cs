using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The secret of one MPTCP connection under the privacy profile: a value no passive observer can
/// compute, even one that sees every path (the MPTCP keys are on the wire, this is not), mixed
/// with both MPTCP keys and bound to the key shares that produced it. Every subkey of the profile
/// is expanded from it with HKDF-SHA256 (RFC 5869) under a label naming its use and its owner.
/// </summary>
/// <remarks>
/// <code>
/// PRK  = HKDF-Extract(salt = "mptcp-privacy v1" ‖ source ‖ Key-A ‖ Key-B, IKM = secret)
/// TH   = SHA-256(share-A ‖ share-B)                    (empty shares for an application secret)
/// key  = HKDF-Expand(PRK, info = label ‖ 0x00 ‖ owner ‖ TH, length)
/// split: PRK' = HKDF-Extract(salt = PRK, IKM = Z2 ‖ R-A ‖ R-B),  TH' = SHA-256(TH ‖ share-A2 ‖ share-B2)
/// </code>
/// The source byte keeps a secret from one source from ever equalling one from another. Keys are
/// 64-bit big-endian as in RFC 8684 §3.1.
/// </remarks>
public sealed class ConnectionSecret
{
    /// <summary>The shortest application-supplied secret accepted (128 bits).</summary>
    public const int MinimumApplicationSecretLength = 16;

    private static readonly byte[] SaltLabel = Encoding.ASCII.GetBytes("mptcp-privacy v1");

    private readonly byte[] _prk;
    private readonly byte[] _transcript;

    private ConnectionSecret(byte[] prk, byte[] transcript, SecretSource source)
    {
        _prk = prk;
        _transcript = transcript;
        Source = source;
    }

    /// <summary>Where the secret came from.</summary>
    public SecretSource Source { get; }

    /// <summary>
    /// Makes the secret of an ephemeral P-256 exchange: <paramref name="sharedSecret"/> is the ECDH
    /// output, the shares are the two compressed public points as sent (A's first).
    /// </summary>
    /// <exception cref="ArgumentException">The shared secret is not 32 bytes or a share is not 33.</exception>
    public static ConnectionSecret FromKeyAgreement(ReadOnlySpan<byte> sharedSecret, ulong keyA, ulong keyB, ReadOnlySpan<byte> shareA, ReadOnlySpan<byte> shareB)
    {
        RequireLength(sharedSecret, P256Point.CoordinateLength, nameof(sharedSecret));
        RequireLength(shareA, P256Point.CompressedLength, nameof(shareA));
        RequireLength(shareB, P256Point.CompressedLength, nameof(shareB));
        return new ConnectionSecret(Extract(SecretSource.KeyAgreement, keyA, keyB, sharedSecret), Transcript([], shareA, shareB), SecretSource.KeyAgreement);
    }

    /// <summary>
    /// Makes the secret from one the application supplies, for example a TLS exporter value
    /// (RFC 8446 §7.5) taken when the TLS handshake above this connection completes.
    /// </summary>
    /// <exception cref="ArgumentException">The secret is shorter than 16 bytes.</exception>
    public static ConnectionSecret FromApplicationSecret(ReadOnlySpan<byte> secret, ulong keyA, ulong keyB)
    {
        if (secret.Length < MinimumApplicationSecretLength)
        {
            throw new ArgumentException($"An application secret has at least {MinimumApplicationSecretLength} bytes.", nameof(secret));
        }

        return new ConnectionSecret(Extract(SecretSource.Application, keyA, keyB, secret), Transcript([], [], []), SecretSource.Application);
    }

    /// <summary>
    /// The split mode's second stage: mixes the ECDH output of a second pair of shares, exchanged on
    /// a second path, and the nonces of that path's MP_JOIN, into this (first-stage) secret. An active
    /// attacker on one path alone knows at most one of the two ECDH outputs, so it cannot compute the result.
    /// </summary>
    /// <exception cref="ArgumentException">The shared secret is not 32 bytes or a share is not 33.</exception>
    public ConnectionSecret CombineSplit(ReadOnlySpan<byte> secondSharedSecret, ReadOnlySpan<byte> shareA2, ReadOnlySpan<byte> shareB2, uint nonceA, uint nonceB)
    {
        RequireLength(secondSharedSecret, P256Point.CoordinateLength, nameof(secondSharedSecret));
        RequireLength(shareA2, P256Point.CompressedLength, nameof(shareA2));
        RequireLength(shareB2, P256Point.CompressedLength, nameof(shareB2));
        Span<byte> ikm = stackalloc byte[P256Point.CoordinateLength + (2 * sizeof(uint))];
        secondSharedSecret.CopyTo(ikm);
        BinaryPrimitives.WriteUInt32BigEndian(ikm[P256Point.CoordinateLength..], nonceA);
        BinaryPrimitives.WriteUInt32BigEndian(ikm[(P256Point.CoordinateLength + sizeof(uint))..], nonceB);
        byte[] prk = new byte[HMACSHA256.HashSizeInBytes];
        HKDF.Extract(HashAlgorithmName.SHA256, ikm, _prk, prk);
        CryptographicOperations.ZeroMemory(ikm);
        return new ConnectionSecret(prk, Transcript(_transcript, shareA2, shareB2), SecretSource.SplitKeyAgreement);
    }

    /// <summary>Fills <paramref name="destination"/> with the named subkey of <paramref name="owner"/> (any length HKDF allows).</summary>
    public void DeriveSubkey(ProfileSubkey subkey, PrivacyRole owner, Span<byte> destination)
    {
        ReadOnlySpan<byte> label = Label(subkey);
        Span<byte> info = stackalloc byte[label.Length + 2 + _transcript.Length];
        label.CopyTo(info);
        info[label.Length] = 0;
        info[label.Length + 1] = (byte)owner;
        _transcript.CopyTo(info[(label.Length + 2)..]);
        HKDF.Expand(HashAlgorithmName.SHA256, _prk, destination, info);
    }

    /// <summary>Expands every subkey the profile uses, for both roles.</summary>
    public ProfileKeys DeriveKeys() => new(this);

    private static byte[] Extract(SecretSource source, ulong keyA, ulong keyB, ReadOnlySpan<byte> ikm)
    {
        Span<byte> salt = stackalloc byte[SaltLabel.Length + 1 + (2 * sizeof(ulong))];
        SaltLabel.CopyTo(salt);
        salt[SaltLabel.Length] = (byte)source;
        BinaryPrimitives.WriteUInt64BigEndian(salt[(SaltLabel.Length + 1)..], keyA);
        BinaryPrimitives.WriteUInt64BigEndian(salt[(SaltLabel.Length + 1 + sizeof(ulong))..], keyB);
        byte[] prk = new byte[HMACSHA256.HashSizeInBytes];
        HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt, prk);
        return prk;
    }

    private static byte[] Transcript(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> shareA, ReadOnlySpan<byte> shareB)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(previous);
        hash.AppendData(shareA);
        hash.AppendData(shareB);
        return hash.GetHashAndReset();
    }

    private static ReadOnlySpan<byte> Label(ProfileSubkey subkey) => subkey switch
    {
        ProfileSubkey.JoinToken => "join token"u8,
        ProfileSubkey.JoinHmac => "join hmac"u8,
        ProfileSubkey.AddAddrSeal => "add_addr seal"u8,
        ProfileSubkey.AddAddrEcho => "add_addr echo"u8,
        ProfileSubkey.DsnOffset => "dsn offset"u8,
        ProfileSubkey.TimestampOffset => "timestamp offset"u8,
        ProfileSubkey.Idsn => "idsn"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(subkey), subkey, "not a profile subkey"),
    };

    private static void RequireLength(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"Expected {length} bytes.", name);
        }
    }
}

/// <summary>Where a <see cref="ConnectionSecret"/> came from (also mixed into its derivation).</summary>
public enum SecretSource : byte
{
    /// <summary>One ephemeral P-256 exchange on the initial subflow.</summary>
    KeyAgreement = 1,

    /// <summary>A secret the application supplied (e.g. a TLS exporter).</summary>
    Application = 2,

    /// <summary>Two P-256 exchanges on two different paths (the split mode).</summary>
    SplitKeyAgreement = 3,
}
