using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// One single-use join token of the profile: the i-th 64-bit value issued by a host for joins
/// toward it, T_i = leftmost 64 bits of HMAC-SHA256(K_token(issuer), "token" ‖ i as u64 BE).
/// </summary>
/// <remarks>
/// It travels in the unchanged 12-byte MP_JOIN SYN of RFC 8684 §3.2: its high 32 bits in the
/// Receiver's Token field and its low 32 bits in the Sender's Random Number field, which the
/// profile's join HMACs then use as R-A. Being single use and unpredictable without the secret,
/// the token is as fresh as a random nonce; and the SYN stays byte-for-byte standard in shape.
/// </remarks>
/// <param name="Index">Which token of the issuer's sequence this is (0, 1, 2, …).</param>
/// <param name="Value">The 64-bit token.</param>
public readonly record struct JoinToken(ulong Index, ulong Value)
{
    private static ReadOnlySpan<byte> Label => "token"u8;

    /// <summary>The high 32 bits, carried in the MP_JOIN SYN's Receiver's Token field.</summary>
    public uint TokenField => (uint)(Value >> 32);

    /// <summary>The low 32 bits, carried in the MP_JOIN SYN's Sender's Random Number field (R-A).</summary>
    public uint NonceField => (uint)Value;

    /// <summary>Rebuilds the 64-bit token from the two fields of a received MP_JOIN SYN.</summary>
    public static ulong FromSynFields(uint tokenField, uint nonceField) => ((ulong)tokenField << 32) | nonceField;

    /// <summary>Returns the issuer's token number <paramref name="index"/> under its join token key.</summary>
    /// <exception cref="ArgumentException">The key is empty.</exception>
    public static JoinToken Derive(ReadOnlySpan<byte> tokenKey, ulong index)
    {
        if (tokenKey.IsEmpty)
        {
            throw new ArgumentException("A join token key is needed.", nameof(tokenKey));
        }

        Span<byte> message = stackalloc byte[5 + sizeof(ulong)];
        Label.CopyTo(message);
        BinaryPrimitives.WriteUInt64BigEndian(message[5..], index);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HmacSha256.Compute(tokenKey, message, mac);
        return new JoinToken(index, BinaryPrimitives.ReadUInt64BigEndian(mac));
    }
}
