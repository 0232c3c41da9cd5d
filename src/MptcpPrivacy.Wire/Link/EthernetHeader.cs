using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Link;

/// <summary>
/// Holds the 14-byte Ethernet II (DIX) header: two MAC addresses and the EtherType, which may be
/// the TPID of a VLAN tag that follows (IEEE 802.1Q §9.5).
/// </summary>
/// <param name="Destination">The destination MAC address.</param>
/// <param name="Source">The source MAC address.</param>
/// <param name="EtherType">The protocol of what follows, a VLAN TPID, or (up to 1500) an 802.3 length.</param>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Destination MAC address                    |
/// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                               |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
/// |                      Source MAC address                       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      EtherType or TPID        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly record struct EthernetHeader(MacAddress Destination, MacAddress Source, ushort EtherType)
{
    /// <summary>The length of the header on the wire.</summary>
    public const int Length = 14;

    private const int DestinationOffset = 0;
    private const int SourceOffset = 6;
    private const int EtherTypeOffset = 12;

    /// <summary>The number of bytes <see cref="Encode"/> writes: always <see cref="Length"/>.</summary>
    public int EncodedLength => Length;

    /// <summary>Reads the header from the start of <paramref name="source"/>.</summary>
    /// <returns><see langword="false"/> with <see cref="WireError.Truncated"/> if fewer than 14 bytes.</returns>
    public static bool TryParse(ReadOnlySpan<byte> source, out EthernetHeader header, out WireError error)
    {
        if (source.Length < Length)
        {
            header = default;
            error = WireError.Truncated;
            return false;
        }

        header = new EthernetHeader(
            MacAddress.Read(source[DestinationOffset..]),
            MacAddress.Read(source[SourceOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[EtherTypeOffset..]));
        error = WireError.None;
        return true;
    }

    /// <summary>Writes the header to the start of <paramref name="destination"/> and returns its length; throws if it does not fit.</summary>
    public int Encode(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        Destination.Write(destination[DestinationOffset..]);
        Source.Write(destination[SourceOffset..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[EtherTypeOffset..], EtherType);
        return Length;
    }
}
