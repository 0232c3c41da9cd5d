using System.Buffers.Binary;
using System.Security.Cryptography;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Wire.Crypto;

/// <summary>
/// Derives the token and the initial data sequence number (IDSN) from a 64-bit MPTCP key
/// (RFC 8684 §3.1 for v1 with SHA-256; RFC 6824 §3.1 for v0 with SHA-1).
/// </summary>
/// <remarks>
/// The key is hashed as its 8 big-endian bytes. The token is the most significant 32 bits of the
/// digest (bytes 0..3), the IDSN its least significant 64 bits (the last 8 bytes), both read
/// big-endian; Linux does the same in <c>mptcp_crypto_key_sha</c>.
/// The first data byte has DSN = IDSN + 1.
/// </remarks>
public static class MptcpKeys
{
    /// <summary>Returns the 32-bit token that identifies the connection of the holder of <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The version is neither V0 nor V1.</exception>
    public static uint Token(ulong key, MptcpVersion version) => TokenAndIdsn(key, version).Token;

    /// <summary>Returns the initial data sequence number of the holder of <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The version is neither V0 nor V1.</exception>
    public static ulong Idsn(ulong key, MptcpVersion version) => TokenAndIdsn(key, version).Idsn;

    /// <summary>Returns both the token and the IDSN from one hash of the key.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The version is neither V0 nor V1.</exception>
    public static (uint Token, ulong Idsn) TokenAndIdsn(ulong key, MptcpVersion version)
    {
        Span<byte> keyBytes = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64BigEndian(keyBytes, key);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        int length = version switch
        {
            MptcpVersion.V1 => SHA256.HashData(keyBytes, digest),
            MptcpVersion.V0 => SHA1.HashData(keyBytes, digest),
            _ => throw new ArgumentOutOfRangeException(nameof(version), version, "MPTCP version must be V0 or V1."),
        };

        return (BinaryPrimitives.ReadUInt32BigEndian(digest),
                BinaryPrimitives.ReadUInt64BigEndian(digest[(length - sizeof(ulong))..length]));
    }
}
