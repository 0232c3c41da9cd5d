using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Tcp;

/// <summary>
/// The fixed fields of a TCP header (RFC 9293 §3.1), to be written with an options area by
/// <see cref="Encode(Span{byte}, ReadOnlySpan{byte})"/>. Data Offset follows from the options.
/// </summary>
/// <remarks>
/// The Checksum is written as given; fill it in with <see cref="Checksums.TcpChecksum.Write"/> once
/// the payload is in place.
/// </remarks>
public readonly record struct TcpHeaderFields
{
    /// <summary>Gets the Source Port.</summary>
    public ushort SourcePort { get; init; }

    /// <summary>Gets the Destination Port.</summary>
    public ushort DestinationPort { get; init; }

    /// <summary>Gets the Sequence Number.</summary>
    public uint SequenceNumber { get; init; }

    /// <summary>Gets the Acknowledgment Number.</summary>
    public uint AcknowledgmentNumber { get; init; }

    /// <summary>Gets the control bits (the nine bits of <see cref="TcpFlags"/>).</summary>
    public TcpFlags Flags { get; init; }

    /// <summary>Gets the three reserved bits (0 to 7); zero for anything this stack sends.</summary>
    public int Reserved { get; init; }

    /// <summary>Gets the Window, already scaled down by the sender's shift.</summary>
    public ushort Window { get; init; }

    /// <summary>Gets the Checksum written as is.</summary>
    public ushort Checksum { get; init; }

    /// <summary>Gets the Urgent Pointer.</summary>
    public ushort UrgentPointer { get; init; }

    /// <summary>Gets the length of a header without options; see <see cref="HeaderLength"/> for one with options.</summary>
    public int EncodedLength => TcpHeader.MinimumLength;

    /// <summary>Returns the header length for an options area of <paramref name="optionsLength"/> bytes once padded to a multiple of 4.</summary>
    public static int HeaderLength(int optionsLength) => TcpHeader.MinimumLength + ((optionsLength + 3) & ~3);

    /// <summary>Writes a 20-byte header without options and returns 20.</summary>
    /// <exception cref="ArgumentException">The destination is too short or a field is out of range.</exception>
    public int Encode(Span<byte> destination) => Encode(destination, ReadOnlySpan<byte>.Empty);

    /// <summary>
    /// Writes the header followed by <paramref name="options"/>, padded with NOPs to a multiple of 4
    /// bytes, sets Data Offset to match, and returns the header length.
    /// </summary>
    /// <remarks>
    /// Padding goes after the options, with NOP (kind 1) rather than EOL: Linux pads its MPTCP options
    /// this way (an MP_PRIO, or an ADD_ADDR with a port, is followed by NOPs), so our segments look
    /// like its segments, and a NOP never hides a following option from a reader. To align each option
    /// with NOPs in front of it, as Linux does for Window Scale, SACK and Timestamps, build the area
    /// with <see cref="TcpOptionWriter.AddAligned{T}"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">The destination is too short, the options exceed 40 bytes once padded, or a field is out of range.</exception>
    public int Encode(Span<byte> destination, ReadOnlySpan<byte> options)
    {
        int headerLength = HeaderLength(options.Length);
        if (headerLength > TcpHeader.MaximumLength)
        {
            throw new ArgumentException("TCP options are at most 40 bytes.", nameof(options));
        }

        if ((int)Flags > 0x1FF || Reserved is < 0 or > 7)
        {
            throw new ArgumentException("Flags or Reserved are out of range.");
        }

        if (destination.Length < headerLength)
        {
            throw new ArgumentException("Destination is too short for the header.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], DestinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], AcknowledgmentNumber);
        int offsetAndFlags = ((headerLength / 4) << 12) | (Reserved << 9) | (int)Flags;
        BinaryPrimitives.WriteUInt16BigEndian(destination[12..], (ushort)offsetAndFlags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], Window);
        BinaryPrimitives.WriteUInt16BigEndian(destination[16..], Checksum);
        BinaryPrimitives.WriteUInt16BigEndian(destination[18..], UrgentPointer);
        options.CopyTo(destination[TcpHeader.MinimumLength..]);
        destination[(TcpHeader.MinimumLength + options.Length)..headerLength].Fill((byte)TcpOptionKind.NoOperation);
        return headerLength;
    }
}
