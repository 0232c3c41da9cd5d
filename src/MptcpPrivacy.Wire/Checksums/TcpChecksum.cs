namespace MptcpPrivacy.Wire.Checksums;

/// <summary>
/// Computes and checks the TCP checksum over the IPv4 or IPv6 pseudo-header and the whole segment
/// (RFC 9293 §3.1, RFC 8200 §8.1).
/// </summary>
/// <remarks>
/// The segment must be complete: a segment cut by a capture snap length cannot be checked.
/// </remarks>
public static class TcpChecksum
{
    /// <summary>Offset of the Checksum field in the TCP header (RFC 9293 §3.1).</summary>
    public const int FieldOffset = 16;

    /// <summary>The IANA protocol number of TCP, as it appears in the pseudo-header.</summary>
    private const byte ProtocolNumber = 6;

    /// <summary>
    /// Returns the checksum the segment should carry, treating its Checksum field as zero. Addresses
    /// are both 4 (IPv4) or both 16 (IPv6) bytes, in network order.
    /// </summary>
    /// <exception cref="ArgumentException">Bad address lengths, or a segment too short to hold the Checksum field.</exception>
    public static ushort Compute(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> segment)
    {
        if (segment.Length < FieldOffset + 2)
        {
            throw new ArgumentException("A TCP segment holds at least the fixed header.", nameof(segment));
        }

        InternetChecksum sum = PseudoHeader.Start(source, destination, ProtocolNumber, segment.Length);
        sum.Add(segment[..FieldOffset]);
        sum.Add(segment[(FieldOffset + 2)..]);
        return sum.Finish();
    }

    /// <summary>
    /// Returns whether the segment's Checksum field is correct for these addresses. A segment too short
    /// to hold the field is not valid.
    /// </summary>
    /// <exception cref="ArgumentException">The addresses are not both 4 or both 16 bytes.</exception>
    public static bool IsValid(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> segment)
    {
        if (segment.Length < FieldOffset + 2 || (source.Length == 4 && segment.Length > ushort.MaxValue))
        {
            return false;
        }

        // Summing over the field itself gives 0 after complement exactly when the field is right,
        // and accepts both one's-complement zeros (RFC 1071 §1).
        InternetChecksum sum = PseudoHeader.Start(source, destination, ProtocolNumber, segment.Length);
        sum.Add(segment);
        return sum.Finish() == 0;
    }

    /// <summary>Computes the checksum and writes it big-endian into the segment's Checksum field.</summary>
    /// <exception cref="ArgumentException">Bad address lengths, or a segment too short to hold the Checksum field.</exception>
    public static void Write(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, Span<byte> segment)
    {
        ushort checksum = Compute(source, destination, segment);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(segment[FieldOffset..], checksum);
    }
}
