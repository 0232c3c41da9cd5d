using System.Buffers.Binary;
using MptcpPrivacy.Wire.Checksums;

namespace MptcpPrivacy.Wire.Tcp;

/// <summary>A read-only view of a TCP segment: header, options and payload (RFC 9293 §3.1); nothing is copied.</summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          Source Port          |       Destination Port        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                        Sequence Number                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Acknowledgment Number                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Data |     |A|C|E|U|A|P|R|S|F|                               |
/// | Offset| Rsv |E|W|C|R|C|S|S|Y|I|            Window             |
/// |       |     | |R|E|G|K|H|T|N|N|                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Checksum            |         Urgent Pointer        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           [Options]                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               :
/// :                             Data                              :
/// :                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// RFC 9293 draws four reserved bits; the last of them is now AE (see <see cref="TcpFlags.Ae"/>),
/// leaving the three <see cref="Reserved"/> bits.
/// Sequence numbers are exposed as raw 32-bit values; compare them only with wrap-aware arithmetic.
/// </remarks>
public readonly ref struct TcpHeader
{
    /// <summary>Length of a header without options (Data Offset 5).</summary>
    public const int MinimumLength = 20;

    /// <summary>Length of a header with the most options Data Offset can describe (Data Offset 15).</summary>
    public const int MaximumLength = 60;

    private const int SourcePortOffset = 0;
    private const int DestinationPortOffset = 2;
    private const int SequenceNumberOffset = 4;
    private const int AcknowledgmentNumberOffset = 8;
    private const int DataOffsetOffset = 12;
    private const int WindowOffset = 14;
    private const int ChecksumOffset = 16;
    private const int UrgentPointerOffset = 18;

    private readonly ReadOnlySpan<byte> _segment;

    private TcpHeader(ReadOnlySpan<byte> segment)
    {
        _segment = segment;
    }

    /// <summary>Reads a TCP header at the start of <paramref name="segment"/>; everything after the header is the payload.</summary>
    /// <returns>
    /// False with <see cref="WireError.BadLength"/> when Data Offset is below 5, or with
    /// <see cref="WireError.Truncated"/> when the buffer ends before the header (fixed part or
    /// options) does. A caller that knows the segment is whole (the IP layer was not truncated) may
    /// treat the latter as a bad Data Offset.
    /// </returns>
    public static bool TryParse(ReadOnlySpan<byte> segment, out TcpHeader header, out WireError error)
    {
        header = default;
        if (segment.Length < MinimumLength)
        {
            error = WireError.Truncated;
            return false;
        }

        int headerLength = (segment[DataOffsetOffset] >> 4) * 4;
        if (headerLength < MinimumLength)
        {
            error = WireError.BadLength;
            return false;
        }

        if (segment.Length < headerLength)
        {
            error = WireError.Truncated;
            return false;
        }

        header = new TcpHeader(segment);
        error = WireError.None;
        return true;
    }

    /// <summary>Gets the Source Port.</summary>
    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_segment[SourcePortOffset..]);

    /// <summary>Gets the Destination Port.</summary>
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_segment[DestinationPortOffset..]);

    /// <summary>Gets the Sequence Number: of the first data byte, or the ISN when SYN is set.</summary>
    public uint SequenceNumber => BinaryPrimitives.ReadUInt32BigEndian(_segment[SequenceNumberOffset..]);

    /// <summary>Gets the Acknowledgment Number: the next sequence number the sender expects; meaningful when ACK is set.</summary>
    public uint AcknowledgmentNumber => BinaryPrimitives.ReadUInt32BigEndian(_segment[AcknowledgmentNumberOffset..]);

    /// <summary>Gets the Data Offset field: the header length in 32-bit words (5 to 15).</summary>
    public int DataOffset => _segment[DataOffsetOffset] >> 4;

    /// <summary>Gets the header length in bytes, options included (Data Offset × 4).</summary>
    public int HeaderLength => DataOffset * 4;

    /// <summary>Gets the control bits, AE included.</summary>
    public TcpFlags Flags => (TcpFlags)(BinaryPrimitives.ReadUInt16BigEndian(_segment[DataOffsetOffset..]) & 0x01FF);

    /// <summary>Gets the three reserved bits between Data Offset and AE (0 to 7), which senders must set to zero.</summary>
    public int Reserved => (_segment[DataOffsetOffset] >> 1) & 0x07;

    /// <summary>Gets the Window field, unscaled.</summary>
    public ushort Window => BinaryPrimitives.ReadUInt16BigEndian(_segment[WindowOffset..]);

    /// <summary>Gets the Checksum field as carried.</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_segment[ChecksumOffset..]);

    /// <summary>Gets the Urgent Pointer field; meaningful when URG is set.</summary>
    public ushort UrgentPointer => BinaryPrimitives.ReadUInt16BigEndian(_segment[UrgentPointerOffset..]);

    /// <summary>Gets the options area: the bytes between the fixed header and Data Offset.</summary>
    public ReadOnlySpan<byte> Options => _segment[MinimumLength..HeaderLength];

    /// <summary>Gets the whole header, options included.</summary>
    public ReadOnlySpan<byte> Header => _segment[..HeaderLength];

    /// <summary>Gets the data after the header.</summary>
    public ReadOnlySpan<byte> Payload => _segment[HeaderLength..];

    /// <summary>Gets the whole segment: header and payload.</summary>
    public ReadOnlySpan<byte> Segment => _segment;

    /// <summary>Returns a reader over the options, for use in <c>foreach</c>.</summary>
    public TcpOptionReader ReadOptions() => new(Options);

    /// <summary>
    /// Returns whether the Checksum is correct for the segment between these addresses (both 4 or both
    /// 16 bytes). Only meaningful when the segment is whole, not cut by a capture snap length.
    /// </summary>
    public bool IsChecksumValid(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination) =>
        TcpChecksum.IsValid(source, destination, _segment);

    /// <summary>Returns the header's fixed fields as a value that <see cref="TcpHeaderFields.Encode(Span{byte}, ReadOnlySpan{byte})"/> writes back with <see cref="Options"/>.</summary>
    public TcpHeaderFields ToFields() => new()
    {
        SourcePort = SourcePort,
        DestinationPort = DestinationPort,
        SequenceNumber = SequenceNumber,
        AcknowledgmentNumber = AcknowledgmentNumber,
        Flags = Flags,
        Reserved = Reserved,
        Window = Window,
        Checksum = Checksum,
        UrgentPointer = UrgentPointer,
    };
}
