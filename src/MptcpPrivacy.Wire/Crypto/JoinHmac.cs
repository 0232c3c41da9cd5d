using System.Buffers.Binary;
using System.Security.Cryptography;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Wire.Crypto;

/// <summary>
/// Computes and checks the HMACs of the MP_JOIN handshake (RFC 8684 §3.2; RFC 6824 §3.2 for v0).
/// Host A is the initiator of the join (it sends the SYN), host B the responder.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>SYN/ACK, sent by B: HMAC-B = HMAC(Key = Key-B ‖ Key-A, Msg = R-B ‖ R-A); the leftmost 64 bits are carried.</item>
/// <item>Third ACK, sent by A: HMAC-A = HMAC(Key = Key-A ‖ Key-B, Msg = R-A ‖ R-B); the leftmost 160 bits are carried.</item>
/// </list>
/// The sender's own key and nonce always come first. v1 uses HMAC-SHA256, v0 HMAC-SHA1 (whose 160 bits
/// are the whole MAC). Every method takes the keys and nonces in A, B order and reorders them itself.
/// Checks compare in constant time so a forger learns nothing from timing.
/// </remarks>
public static class JoinHmac
{
    /// <summary>Bytes of truncated HMAC in the MP_JOIN SYN/ACK (64 bits).</summary>
    public const int SynAckHmacLength = 8;

    /// <summary>Bytes of HMAC in the MP_JOIN third ACK (160 bits).</summary>
    public const int AckHmacLength = 20;

    /// <summary>Returns the truncated HMAC-B that B puts in its SYN/ACK, as the big-endian value of its 8 bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The version is neither V0 nor V1.</exception>
    public static ulong SynAckHmac(ulong keyA, ulong keyB, uint nonceA, uint nonceB, MptcpVersion version)
    {
        Span<byte> mac = stackalloc byte[MptcpHmac.MaximumLength];
        ComputeHmacB(keyA, keyB, nonceA, nonceB, version, mac);
        return BinaryPrimitives.ReadUInt64BigEndian(mac);
    }

    /// <summary>Writes the 20 bytes of HMAC-A that A puts in its third ACK.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than 20 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The version is neither V0 nor V1.</exception>
    public static void AckHmac(ulong keyA, ulong keyB, uint nonceA, uint nonceB, MptcpVersion version, Span<byte> destination)
    {
        if (destination.Length < AckHmacLength)
        {
            throw new ArgumentException("The MP_JOIN ACK HMAC is 20 bytes.", nameof(destination));
        }

        Span<byte> mac = stackalloc byte[MptcpHmac.MaximumLength];
        ComputeHmacA(keyA, keyB, nonceA, nonceB, version, mac);
        mac[..AckHmacLength].CopyTo(destination);
    }

    /// <summary>Returns whether the 8 HMAC bytes of a received SYN/ACK are B's truncated HMAC-B; false for any other length.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The version is neither V0 nor V1.</exception>
    public static bool IsSynAckHmacValid(ulong keyA, ulong keyB, uint nonceA, uint nonceB, MptcpVersion version, ReadOnlySpan<byte> wireHmac)
    {
        Span<byte> mac = stackalloc byte[MptcpHmac.MaximumLength];
        ComputeHmacB(keyA, keyB, nonceA, nonceB, version, mac);
        return CryptographicOperations.FixedTimeEquals(mac[..SynAckHmacLength], wireHmac);
    }

    /// <summary>Returns whether the 20 HMAC bytes of a received third ACK are A's HMAC-A; false for any other length.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The version is neither V0 nor V1.</exception>
    public static bool IsAckHmacValid(ulong keyA, ulong keyB, uint nonceA, uint nonceB, MptcpVersion version, ReadOnlySpan<byte> wireHmac)
    {
        Span<byte> mac = stackalloc byte[MptcpHmac.MaximumLength];
        ComputeHmacA(keyA, keyB, nonceA, nonceB, version, mac);
        return CryptographicOperations.FixedTimeEquals(mac[..AckHmacLength], wireHmac);
    }

    private static void ComputeHmacA(ulong keyA, ulong keyB, uint nonceA, uint nonceB, MptcpVersion version, Span<byte> mac) =>
        Compute(keyA, keyB, nonceA, nonceB, version, mac);

    private static void ComputeHmacB(ulong keyA, ulong keyB, uint nonceA, uint nonceB, MptcpVersion version, Span<byte> mac) =>
        Compute(keyB, keyA, nonceB, nonceA, version, mac);

    private static void Compute(ulong senderKey, ulong receiverKey, uint senderNonce, uint receiverNonce, MptcpVersion version, Span<byte> mac)
    {
        Span<byte> message = stackalloc byte[2 * sizeof(uint)];
        BinaryPrimitives.WriteUInt32BigEndian(message, senderNonce);
        BinaryPrimitives.WriteUInt32BigEndian(message[sizeof(uint)..], receiverNonce);
        MptcpHmac.Compute(senderKey, receiverKey, message, version, mac);
    }
}
