using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The MP_JOIN HMACs under the profile: RFC 8684 §3.2's exchange and truncations (64 bits in the
/// SYN/ACK, 160 in the third ACK), keyed by secret-derived keys instead of the clear MPTCP keys,
/// and bound to the 64-bit token the join spends. R-A is the token's low half
/// (<see cref="JoinToken.NonceField"/>); R-B is the responder's random number.
/// </summary>
/// <remarks>
/// HMAC-B = HMAC-SHA256(K_joinhmac(responder), "B" ‖ R-B ‖ R-A ‖ token), HMAC-A =
/// HMAC-SHA256(K_joinhmac(initiator), "A" ‖ R-A ‖ R-B ‖ token). An observer of the initial subflow
/// knows the MPTCP keys but not these keys, so it can neither complete a join nor check a guess.
/// </remarks>
public static class ProfileJoinHmac
{
    /// <summary>Returns the responder's truncated HMAC for its SYN/ACK (leftmost 64 bits, big-endian value).</summary>
    public static ulong SynAck(ReadOnlySpan<byte> responderHmacKey, uint nonceB, ulong token)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Compute(responderHmacKey, (byte)'B', nonceB, (uint)token, token, mac);
        return BinaryPrimitives.ReadUInt64BigEndian(mac);
    }

    /// <summary>Writes the initiator's 20-byte HMAC for its third ACK.</summary>
    public static void Ack(ReadOnlySpan<byte> initiatorHmacKey, uint nonceB, ulong token, Span<byte> destination)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Compute(initiatorHmacKey, (byte)'A', (uint)token, nonceB, token, mac);
        mac[..20].CopyTo(destination);
    }

    /// <summary>Returns whether the 20 bytes of a third ACK are the initiator's HMAC; constant time.</summary>
    public static bool IsAckValid(ReadOnlySpan<byte> initiatorHmacKey, uint nonceB, ulong token, ReadOnlySpan<byte> wireHmac)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Compute(initiatorHmacKey, (byte)'A', (uint)token, nonceB, token, mac);
        return CryptographicOperations.FixedTimeEquals(mac[..20], wireHmac);
    }

    private static void Compute(ReadOnlySpan<byte> key, byte sender, uint firstNonce, uint secondNonce, ulong token, Span<byte> mac)
    {
        Span<byte> message = stackalloc byte[1 + 4 + 4 + 8];
        message[0] = sender;
        BinaryPrimitives.WriteUInt32BigEndian(message[1..], firstNonce);
        BinaryPrimitives.WriteUInt32BigEndian(message[5..], secondNonce);
        BinaryPrimitives.WriteUInt64BigEndian(message[9..], token);
        HmacSha256.Compute(key, message, mac);
    }
}
