using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Link;

/// <summary>
/// Holds the four bytes that follow a VLAN TPID (0x8100, 0x88a8 or 0x9100): the tag control
/// information and the EtherType of what the tag encloses (IEEE 802.1Q §9.6).
/// </summary>
/// <param name="ControlInformation">The TCI: priority (3 bits), drop eligible (1 bit), VLAN id (12 bits).</param>
/// <param name="EtherType">The protocol of what follows, or the TPID of a further tag.</param>
/// <remarks>
/// The TPID itself sits where an EtherType would, in the header before the tag.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | PCP |D|        VLAN id        |      EtherType or TPID        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly record struct VlanTag(ushort ControlInformation, ushort EtherType)
{
    /// <summary>The length of the tag after its TPID.</summary>
    public const int Length = 4;

    /// <summary>The 12-bit VLAN identifier.</summary>
    public ushort VlanId => (ushort)(ControlInformation & 0x0FFF);

    /// <summary>The 3-bit priority code point.</summary>
    public byte Priority => (byte)(ControlInformation >> 13);

    /// <summary>Whether the drop eligible indicator is set.</summary>
    public bool DropEligible => (ControlInformation & 0x1000) != 0;

    /// <summary>The number of bytes <see cref="Encode"/> writes: always <see cref="Length"/>.</summary>
    public int EncodedLength => Length;

    /// <summary>Reads a tag (after its TPID) from the start of <paramref name="source"/>.</summary>
    /// <returns><see langword="false"/> with <see cref="WireError.Truncated"/> if fewer than 4 bytes.</returns>
    public static bool TryParse(ReadOnlySpan<byte> source, out VlanTag tag, out WireError error)
    {
        if (source.Length < Length)
        {
            tag = default;
            error = WireError.Truncated;
            return false;
        }

        tag = new VlanTag(BinaryPrimitives.ReadUInt16BigEndian(source), BinaryPrimitives.ReadUInt16BigEndian(source[2..]));
        error = WireError.None;
        return true;
    }

    /// <summary>Writes the tag to the start of <paramref name="destination"/> and returns its length; throws if it does not fit.</summary>
    public int Encode(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        BinaryPrimitives.WriteUInt16BigEndian(destination, ControlInformation);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], EtherType);
        return Length;
    }
}
