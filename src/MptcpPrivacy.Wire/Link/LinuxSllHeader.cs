using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Link;

/// <summary>
/// Holds the 16-byte Linux cooked-capture header, version 1 (LINKTYPE_LINUX_SLL), which libpcap
/// writes for the "any" device and for devices without a link header of their own.
/// </summary>
/// <param name="PacketType">Where the packet went: 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us.</param>
/// <param name="ArphrdType">The Linux ARPHRD_ device type.</param>
/// <param name="AddressLength">How many bytes of <paramref name="Address"/> are meaningful.</param>
/// <param name="Address">The 8-byte link-layer address field, first wire byte most significant.</param>
/// <param name="ProtocolType">The EtherType of the payload (or a Linux-specific protocol number).</param>
/// <remarks>
/// All fields in network byte order.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          Packet type          |          ARPHRD type          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |    Link-layer address length  |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
/// |                  Link-layer address (8 bytes)                 |
/// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                               |         Protocol type         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly record struct LinuxSllHeader(ushort PacketType, ushort ArphrdType, ushort AddressLength, ulong Address, ushort ProtocolType)
{
    /// <summary>The length of the header on the wire.</summary>
    public const int Length = 16;

    private const int PacketTypeOffset = 0;
    private const int ArphrdTypeOffset = 2;
    private const int AddressLengthOffset = 4;
    private const int AddressOffset = 6;
    private const int ProtocolTypeOffset = 14;

    /// <summary>The number of bytes <see cref="Encode"/> writes: always <see cref="Length"/>.</summary>
    public int EncodedLength => Length;

    /// <summary>Reads the header from the start of <paramref name="source"/>.</summary>
    /// <returns><see langword="false"/> with <see cref="WireError.Truncated"/> if fewer than 16 bytes.</returns>
    public static bool TryParse(ReadOnlySpan<byte> source, out LinuxSllHeader header, out WireError error)
    {
        if (source.Length < Length)
        {
            header = default;
            error = WireError.Truncated;
            return false;
        }

        header = new LinuxSllHeader(
            BinaryPrimitives.ReadUInt16BigEndian(source[PacketTypeOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[ArphrdTypeOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[AddressLengthOffset..]),
            BinaryPrimitives.ReadUInt64BigEndian(source[AddressOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[ProtocolTypeOffset..]));
        error = WireError.None;
        return true;
    }

    /// <summary>Writes the header to the start of <paramref name="destination"/> and returns its length; throws if it does not fit.</summary>
    public int Encode(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        BinaryPrimitives.WriteUInt16BigEndian(destination[PacketTypeOffset..], PacketType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[ArphrdTypeOffset..], ArphrdType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[AddressLengthOffset..], AddressLength);
        BinaryPrimitives.WriteUInt64BigEndian(destination[AddressOffset..], Address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[ProtocolTypeOffset..], ProtocolType);
        return Length;
    }
}
