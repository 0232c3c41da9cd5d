using System.Security.Cryptography;

namespace MptcpPrivacy.Privacy;

/// <summary>
/// HMAC-SHA256 (RFC 2104) for the short keys and messages of the profile, as two one-shot SHA-256
/// calls over stack buffers. On Linux, .NET's one-shot <see cref="HMACSHA256.HashData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>
/// sets up an OpenSSL MAC context per call and costs several SHA-256 calls' time; the profile
/// computes an HMAC per token, per ADD_ADDR and per join, so the difference shows (see
/// docs/benchmarks.md). Results are checked against Python's hmac in the tests.
/// </summary>
internal static class HmacSha256
{
    private const int BlockLength = 64;
    private const int MaxMessageLength = 64;

    /// <summary>Writes HMAC-SHA256(key, message) (32 bytes) to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The key or the message is longer than 64 bytes, or the destination shorter than 32.</exception>
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> destination)
    {
        if (key.Length > BlockLength || message.Length > MaxMessageLength || destination.Length < SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("HmacSha256 takes keys and messages of at most 64 bytes and writes 32.");
        }

        Span<byte> inner = stackalloc byte[BlockLength + MaxMessageLength];
        Span<byte> outer = stackalloc byte[BlockLength + SHA256.HashSizeInBytes];
        inner[..BlockLength].Fill(0x36);
        outer[..BlockLength].Fill(0x5c);
        for (int i = 0; i < key.Length; i++)
        {
            inner[i] ^= key[i];
            outer[i] ^= key[i];
        }

        message.CopyTo(inner[BlockLength..]);
        SHA256.HashData(inner[..(BlockLength + message.Length)], outer[BlockLength..]);
        SHA256.HashData(outer, destination);
        CryptographicOperations.ZeroMemory(inner[..BlockLength]);
        CryptographicOperations.ZeroMemory(outer[..BlockLength]);
    }
}
