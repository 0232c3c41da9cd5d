using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Link;

/// <summary>
/// Holds the 20-byte Linux cooked-capture header, version 2 (LINKTYPE_LINUX_SLL2), which adds the
/// index of the interface the packet crossed; libpcap writes it for the "any" device.
/// </summary>
/// <param name="ProtocolType">The EtherType of the payload (or a Linux-specific protocol number).</param>
/// <param name="InterfaceIndex">The Linux interface index (the field is unsigned 32-bit; read here as <see cref="int"/>).</param>
/// <param name="ArphrdType">The Linux ARPHRD_ device type.</param>
/// <param name="PacketType">Where the packet went: 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us.</param>
/// <param name="AddressLength">How many bytes of <paramref name="Address"/> are meaningful.</param>
/// <param name="Address">The 8-byte link-layer address field, first wire byte most significant.</param>
/// <remarks>
/// All fields in network byte order; the reserved field is written as zero and ignored on reading.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Protocol type         |        Reserved (MBZ)         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                        Interface index                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          ARPHRD type          |  Packet type  | Address length|
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  Link-layer address (8 bytes)                 |
/// +                                                               +
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly record struct LinuxSll2Header(ushort ProtocolType, int InterfaceIndex, ushort ArphrdType, byte PacketType, byte AddressLength, ulong Address)
{
    /// <summary>The length of the header on the wire.</summary>
    public const int Length = 20;

    private const int ProtocolTypeOffset = 0;
    private const int ReservedOffset = 2;
    private const int InterfaceIndexOffset = 4;
    private const int ArphrdTypeOffset = 8;
    private const int PacketTypeOffset = 10;
    private const int AddressLengthOffset = 11;
    private const int AddressOffset = 12;

    /// <summary>The number of bytes <see cref="Encode"/> writes: always <see cref="Length"/>.</summary>
    public int EncodedLength => Length;

    /// <summary>Reads the header from the start of <paramref name="source"/>.</summary>
    /// <returns><see langword="false"/> with <see cref="WireError.Truncated"/> if fewer than 20 bytes.</returns>
    public static bool TryParse(ReadOnlySpan<byte> source, out LinuxSll2Header header, out WireError error)
    {
        if (source.Length < Length)
        {
            header = default;
            error = WireError.Truncated;
            return false;
        }

        header = new LinuxSll2Header(
            BinaryPrimitives.ReadUInt16BigEndian(source[ProtocolTypeOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(source[InterfaceIndexOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[ArphrdTypeOffset..]),
            source[PacketTypeOffset],
            source[AddressLengthOffset],
            BinaryPrimitives.ReadUInt64BigEndian(source[AddressOffset..]));
        error = WireError.None;
        return true;
    }

    /// <summary>Writes the header to the start of <paramref name="destination"/> and returns its length; throws if it does not fit.</summary>
    public int Encode(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        BinaryPrimitives.WriteUInt16BigEndian(destination[ProtocolTypeOffset..], ProtocolType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[ReservedOffset..], 0);
        BinaryPrimitives.WriteInt32BigEndian(destination[InterfaceIndexOffset..], InterfaceIndex);
        BinaryPrimitives.WriteUInt16BigEndian(destination[ArphrdTypeOffset..], ArphrdType);
        destination[PacketTypeOffset] = PacketType;
        destination[AddressLengthOffset] = AddressLength;
        BinaryPrimitives.WriteUInt64BigEndian(destination[AddressOffset..], Address);
        return Length;
    }
}
