using System.Buffers.Binary;
using MptcpPrivacy.Wire.Checksums;

namespace MptcpPrivacy.Wire.Ip;

/// <summary>
/// A read-only view of an IPv4 header and the datagram it heads (RFC 791 §3.1); nothing is copied.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version|  IHL  |   DSCP    |ECN|          Total Length         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Identification        |R|D|M|     Fragment Offset     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Time to Live |    Protocol   |         Header Checksum       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                       Source Address                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Destination Address                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Options                    |    Padding    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The Type of Service byte is read as DSCP and ECN (RFC 2474 §3, RFC 3168 §5); R is the reserved
/// flag, D "Don't Fragment", M "More Fragments".
/// </remarks>
public readonly ref struct Ipv4Header
{
    /// <summary>Length of a header without options (IHL 5).</summary>
    public const int MinimumLength = 20;

    /// <summary>Length of a header with the most options IHL can describe (IHL 15).</summary>
    public const int MaximumLength = 60;

    // Field offsets (RFC 791 §3.1).
    private const int VersionIhlOffset = 0;
    private const int TypeOfServiceOffset = 1;
    private const int TotalLengthOffset = 2;
    private const int IdentificationOffset = 4;
    private const int FlagsFragmentOffset = 6;
    private const int TtlOffset = 8;
    private const int ProtocolOffset = 9;
    private const int ChecksumOffset = 10;
    private const int SourceOffset = 12;
    private const int DestinationOffset = 16;

    private const ushort ReservedFlagBit = 0x8000;
    private const ushort DontFragmentBit = 0x4000;
    private const ushort MoreFragmentsBit = 0x2000;
    private const ushort FragmentOffsetMask = 0x1FFF;

    // The datagram as far as both Total Length and the buffer reach.
    private readonly ReadOnlySpan<byte> _datagram;

    private Ipv4Header(ReadOnlySpan<byte> datagram, bool isTruncated)
    {
        _datagram = datagram;
        IsTruncated = isTruncated;
    }

    /// <summary>
    /// Reads an IPv4 header at the start of <paramref name="packet"/>. Bytes past Total Length (link
    /// padding) are ignored; a buffer shorter than Total Length (a capture snap length) is accepted with
    /// <see cref="IsTruncated"/> set, provided the whole header is there.
    /// </summary>
    /// <returns>
    /// False with <see cref="WireError.Truncated"/> when the header itself is cut,
    /// <see cref="WireError.BadVersion"/> when the version is not 4, <see cref="WireError.BadLength"/>
    /// when IHL &lt; 5 or Total Length is shorter than the header.
    /// </returns>
    public static bool TryParse(ReadOnlySpan<byte> packet, out Ipv4Header header, out WireError error)
    {
        header = default;
        if (packet.IsEmpty)
        {
            error = WireError.Truncated;
            return false;
        }

        if (packet[VersionIhlOffset] >> 4 != 4)
        {
            error = WireError.BadVersion;
            return false;
        }

        if (packet.Length < MinimumLength)
        {
            error = WireError.Truncated;
            return false;
        }

        int headerLength = (packet[VersionIhlOffset] & 0x0F) * 4;
        if (headerLength < MinimumLength)
        {
            error = WireError.BadLength;
            return false;
        }

        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[TotalLengthOffset..]);
        if (totalLength < headerLength)
        {
            error = WireError.BadLength;
            return false;
        }

        if (packet.Length < headerLength)
        {
            error = WireError.Truncated;
            return false;
        }

        bool truncated = packet.Length < totalLength;
        header = new Ipv4Header(truncated ? packet : packet[..totalLength], truncated);
        error = WireError.None;
        return true;
    }

    /// <summary>Gets the Version field; 4 for every parsed header.</summary>
    public int Version => _datagram[VersionIhlOffset] >> 4;

    /// <summary>Gets the Internet Header Length field, in 32-bit words (5 to 15).</summary>
    public int Ihl => _datagram[VersionIhlOffset] & 0x0F;

    /// <summary>Gets the header length in bytes, options included (IHL × 4).</summary>
    public int HeaderLength => Ihl * 4;

    /// <summary>Gets the Differentiated Services Code Point, the upper six bits of the old Type of Service byte (RFC 2474 §3).</summary>
    public byte Dscp => (byte)(_datagram[TypeOfServiceOffset] >> 2);

    /// <summary>Gets the Explicit Congestion Notification codepoint, the lower two bits of the old Type of Service byte (RFC 3168 §5).</summary>
    public byte Ecn => (byte)(_datagram[TypeOfServiceOffset] & 0x03);

    /// <summary>Gets the Total Length field: header plus data in bytes, as sent (not as captured).</summary>
    public ushort TotalLength => BinaryPrimitives.ReadUInt16BigEndian(_datagram[TotalLengthOffset..]);

    /// <summary>Gets the Identification field, which groups the fragments of one datagram.</summary>
    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(_datagram[IdentificationOffset..]);

    /// <summary>Gets the reserved flag bit, which RFC 791 requires to be zero.</summary>
    public bool ReservedFlag => (FlagsAndOffset & ReservedFlagBit) != 0;

    /// <summary>Gets the "Don't Fragment" flag.</summary>
    public bool DontFragment => (FlagsAndOffset & DontFragmentBit) != 0;

    /// <summary>Gets the "More Fragments" flag: more fragments of this datagram follow this one.</summary>
    public bool MoreFragments => (FlagsAndOffset & MoreFragmentsBit) != 0;

    /// <summary>Gets the Fragment Offset field, in units of 8 bytes.</summary>
    public ushort FragmentOffset => (ushort)(FlagsAndOffset & FragmentOffsetMask);

    /// <summary>
    /// Gets whether this datagram is one fragment of a larger one (More Fragments set or a non-zero
    /// offset). Only when <see cref="FragmentOffset"/> is 0 does <see cref="Payload"/> start with the
    /// upper-layer header.
    /// </summary>
    public bool IsFragment => (FlagsAndOffset & (MoreFragmentsBit | FragmentOffsetMask)) != 0;

    /// <summary>Gets the Time to Live field.</summary>
    public byte Ttl => _datagram[TtlOffset];

    /// <summary>Gets the Protocol field: the protocol of the payload.</summary>
    public IpProtocol Protocol => (IpProtocol)_datagram[ProtocolOffset];

    /// <summary>Gets the Header Checksum field as carried.</summary>
    public ushort HeaderChecksum => BinaryPrimitives.ReadUInt16BigEndian(_datagram[ChecksumOffset..]);

    /// <summary>Gets whether the Header Checksum is correct over the header, options included (RFC 791 §3.1).</summary>
    public bool IsHeaderChecksumValid => InternetChecksum.Compute(Header) == 0;

    /// <summary>Gets the Source Address, 4 bytes in network order.</summary>
    public ReadOnlySpan<byte> Source => _datagram.Slice(SourceOffset, 4);

    /// <summary>Gets the Destination Address, 4 bytes in network order.</summary>
    public ReadOnlySpan<byte> Destination => _datagram.Slice(DestinationOffset, 4);

    /// <summary>Gets the options and padding after the fixed header (empty when IHL is 5).</summary>
    public ReadOnlySpan<byte> Options => _datagram[MinimumLength..HeaderLength];

    /// <summary>Gets the whole header, options included.</summary>
    public ReadOnlySpan<byte> Header => _datagram[..HeaderLength];

    /// <summary>Gets the data after the header, up to Total Length or the end of the buffer, whichever comes first.</summary>
    public ReadOnlySpan<byte> Payload => _datagram[HeaderLength..];

    /// <summary>Gets whether the buffer ended before Total Length: the payload was cut by a capture snap length.</summary>
    public bool IsTruncated { get; }

    private ushort FlagsAndOffset => BinaryPrimitives.ReadUInt16BigEndian(_datagram[FlagsFragmentOffset..]);

    /// <summary>Returns the header's fields as a value that <see cref="Ipv4HeaderFields.Encode(Span{byte}, ReadOnlySpan{byte})"/> writes back.</summary>
    public Ipv4HeaderFields ToFields() => new()
    {
        Dscp = Dscp,
        Ecn = Ecn,
        TotalLength = TotalLength,
        Identification = Identification,
        ReservedFlag = ReservedFlag,
        DontFragment = DontFragment,
        MoreFragments = MoreFragments,
        FragmentOffset = FragmentOffset,
        Ttl = Ttl,
        Protocol = Protocol,
        Source = BinaryPrimitives.ReadUInt32BigEndian(Source),
        Destination = BinaryPrimitives.ReadUInt32BigEndian(Destination),
    };
}
