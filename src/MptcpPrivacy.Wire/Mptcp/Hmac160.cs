using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>
/// The 160-bit HMAC of the third MP_JOIN ACK (RFC 8684 §3.2), held by value so the option stays a
/// plain value with cheap equality.
/// </summary>
public readonly record struct Hmac160(ulong Bytes0To7, ulong Bytes8To15, uint Bytes16To19)
{
    /// <summary>Length in bytes.</summary>
    public const int Length = 20;

    /// <summary>Reads 20 bytes in wire order.</summary>
    public static Hmac160 FromSpan(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt64BigEndian(bytes),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]));

    /// <summary>Writes the 20 bytes in wire order.</summary>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, Bytes0To7);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Bytes8To15);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], Bytes16To19);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Bytes0To7:x16}{Bytes8To15:x16}{Bytes16To19:x8}";
}
