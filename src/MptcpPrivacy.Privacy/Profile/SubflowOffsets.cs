using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// Names one subflow of a connection the same way at both ends without sending anything: the
/// initial subflow, or the join that spent the issuer's token number <see cref="TokenIndex"/>.
/// </summary>
/// <param name="IsInitial">True for the subflow of the MP_CAPABLE handshake.</param>
/// <param name="TokenIssuer">For a join, the host whose token it spent (the join's responder).</param>
/// <param name="TokenIndex">For a join, the index of that token.</param>
public readonly record struct SubflowLabel(bool IsInitial, PrivacyRole TokenIssuer, ulong TokenIndex)
{
    /// <summary>Bytes of the encoded label.</summary>
    public const int EncodedLength = 1 + sizeof(ulong);

    /// <summary>The initial subflow.</summary>
    public static SubflowLabel Initial => new(true, PrivacyRole.A, 0);

    /// <summary>The subflow of a join that spent <paramref name="issuer"/>'s token number <paramref name="tokenIndex"/>.</summary>
    public static SubflowLabel Join(PrivacyRole issuer, ulong tokenIndex) => new(false, issuer, tokenIndex);

    /// <summary>Writes 0 ‖ 0 (initial) or 1 + issuer ‖ index, big-endian.</summary>
    public void Encode(Span<byte> destination)
    {
        destination[0] = IsInitial ? (byte)0 : (byte)(1 + (byte)TokenIssuer);
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], IsInitial ? 0 : TokenIndex);
    }
}

/// <summary>
/// The per-subflow offsets that keep the data-level sequence numbers and TCP timestamps from
/// linking subflows: on subflow j, DSN_wire = DSN + O_j and Data ACK_wire = Data ACK + O_j (mod
/// 2^64, where O_j is the offset of the DSN space the Data ACK acknowledges), TSval_wire = clock +
/// T_j (mod 2^32). O_j = leftmost 64 bits of HMAC-SHA256(K_dsn(sender), label j); T_j likewise with
/// 32 bits. An observer of two subflows sees two unrelated sequence spaces. The DSS checksum is
/// computed over the wire DSN (RFC 8684 §3.3.1's pseudo-header carries the DSN as sent).
/// </summary>
public static class SubflowOffsets
{
    /// <summary>The offset on the DSNs (and the Data ACKs acknowledging them) on one subflow, for one sending direction.</summary>
    public static ulong DsnOffset(ReadOnlySpan<byte> dsnOffsetKey, SubflowLabel subflow) =>
        BinaryPrimitives.ReadUInt64BigEndian(Prf(dsnOffsetKey, subflow));

    /// <summary>The offset on the TSvals one sender puts on one subflow.</summary>
    public static uint TimestampOffset(ReadOnlySpan<byte> timestampOffsetKey, SubflowLabel subflow) =>
        BinaryPrimitives.ReadUInt32BigEndian(Prf(timestampOffsetKey, subflow));

    /// <summary>
    /// The address ID a REMOVE_ADDR carries to close subflow j under the profile: the first byte of
    /// HMAC-SHA256(K_dsn(sender), "remove" ‖ label j), never 0. The peer finds the subflow by
    /// computing the same for its subflows; an observer cannot tie the value to the join it names
    /// (whose own address ID was drawn at random), so the option links no two subflows.
    /// </summary>
    public static byte RemoveAddressId(ReadOnlySpan<byte> dsnOffsetKey, SubflowLabel subflow)
    {
        if (dsnOffsetKey.IsEmpty)
        {
            throw new ArgumentException("An offset key is needed.", nameof(dsnOffsetKey));
        }

        Span<byte> message = stackalloc byte[6 + SubflowLabel.EncodedLength];
        "remove"u8.CopyTo(message);
        subflow.Encode(message[6..]);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HmacSha256.Compute(dsnOffsetKey, message, mac);
        return mac[0] == 0 ? (byte)1 : mac[0];
    }

    /// <summary>The 64-bit DSN or Data ACK as written on the subflow.</summary>
    public static ulong ToWire(ulong dataSequence, ulong offset) => unchecked(dataSequence + offset);

    /// <summary>The connection-level DSN or Data ACK from the value read on the subflow.</summary>
    public static ulong FromWire(ulong wireValue, ulong offset) => unchecked(wireValue - offset);

    private static ReadOnlySpan<byte> Prf(ReadOnlySpan<byte> key, SubflowLabel subflow)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("An offset key is needed.", nameof(key));
        }

        Span<byte> label = stackalloc byte[SubflowLabel.EncodedLength];
        subflow.Encode(label);
        byte[] mac = new byte[HMACSHA256.HashSizeInBytes];
        HmacSha256.Compute(key, label, mac);
        return mac;
    }
}
