using System.Buffers.Binary;
using System.Security.Cryptography;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Wire.Crypto;

/// <summary>
/// The HMAC that MP_JOIN and ADD_ADDR use (RFC 2104): HMAC-SHA256 in v1, HMAC-SHA1 in v0, keyed by
/// two 64-bit MPTCP keys concatenated big-endian (RFC 8684 §3.2, §3.4.1).
/// </summary>
/// <remarks>Linux hand-rolls the ipad/opad steps in <c>mptcp_crypto_hmac_sha</c>; the result equals a library HMAC with the 16-byte key.</remarks>
internal static class MptcpHmac
{
    /// <summary>The largest MAC produced (HMAC-SHA256).</summary>
    public const int MaximumLength = HMACSHA256.HashSizeInBytes;

    /// <summary>Writes HMAC(key = <paramref name="key1"/> ‖ <paramref name="key2"/>, <paramref name="message"/>) and returns its length (32 for v1, 20 for v0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The version is neither V0 nor V1.</exception>
    public static int Compute(ulong key1, ulong key2, ReadOnlySpan<byte> message, MptcpVersion version, Span<byte> destination)
    {
        Span<byte> key = stackalloc byte[2 * sizeof(ulong)];
        BinaryPrimitives.WriteUInt64BigEndian(key, key1);
        BinaryPrimitives.WriteUInt64BigEndian(key[sizeof(ulong)..], key2);
        return version switch
        {
            MptcpVersion.V1 => HMACSHA256.HashData(key, message, destination),
            MptcpVersion.V0 => HMACSHA1.HashData(key, message, destination),
            _ => throw new ArgumentOutOfRangeException(nameof(version), version, "MPTCP version must be V0 or V1."),
        };
    }
}
