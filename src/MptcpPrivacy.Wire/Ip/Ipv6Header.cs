using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Ip;

/// <summary>
/// A read-only view of an IPv6 packet (RFC 8200 §3): the fixed header, the chain of extension headers
/// after it, and the upper-layer payload; nothing is copied.
/// </summary>
/// <remarks>
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version| Traffic Class |           Flow Label                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Payload Length        |  Next Header  |   Hop Limit   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// +                                                               +
/// |                                                               |
/// +                         Source Address                        +
/// |                                                               |
/// +                                                               +
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// +                                                               +
/// |                                                               |
/// +                      Destination Address                      +
/// |                                                               |
/// +                                                               +
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Extension headers walked (RFC 8200 §4): Hop-by-Hop Options (0), Routing (43) and Destination
/// Options (60), whose Hdr Ext Len counts 8-octet units after the first 8; Fragment (44), always 8
/// bytes; Authentication Header (51), whose Payload Len counts 4-octet units minus 2 (RFC 4302 §2.2).
/// The walk stops at any other Next Header value, which is taken as the upper layer, including ESP
/// (50, its contents are encrypted) and No Next Header (59).
/// </remarks>
public readonly ref struct Ipv6Header
{
    /// <summary>Length of the fixed header.</summary>
    public const int FixedLength = 40;

    private const int PayloadLengthOffset = 4;
    private const int NextHeaderOffset = 6;
    private const int HopLimitOffset = 7;
    private const int SourceOffset = 8;
    private const int DestinationOffset = 24;

    // The packet as far as both Payload Length and the buffer reach.
    private readonly ReadOnlySpan<byte> _packet;

    // Offset of the upper-layer payload (fixed header plus extension headers).
    private readonly int _upperLayerOffset;

    // Offset of the first Fragment header, or 0 when there is none.
    private readonly int _fragmentHeaderOffset;

    private Ipv6Header(ReadOnlySpan<byte> packet, int upperLayerOffset, IpProtocol protocol, int fragmentHeaderOffset, bool isTruncated)
    {
        _packet = packet;
        _upperLayerOffset = upperLayerOffset;
        Protocol = protocol;
        _fragmentHeaderOffset = fragmentHeaderOffset;
        IsTruncated = isTruncated;
    }

    /// <summary>
    /// Reads an IPv6 fixed header at the start of <paramref name="packet"/> and walks its extension
    /// headers to the upper layer. Bytes past Payload Length are ignored; a buffer shorter than Payload
    /// Length (a capture snap length) is accepted with <see cref="IsTruncated"/> set, provided the whole
    /// header chain is there.
    /// </summary>
    /// <returns>
    /// False with <see cref="WireError.Truncated"/> when the buffer ends inside the header chain,
    /// <see cref="WireError.BadVersion"/> when the version is not 6, <see cref="WireError.BadLength"/>
    /// when an extension header runs past Payload Length, <see cref="WireError.Unsupported"/> for a
    /// jumbogram (Payload Length 0 with a Hop-by-Hop header, RFC 2675).
    /// </returns>
    public static bool TryParse(ReadOnlySpan<byte> packet, out Ipv6Header header, out WireError error)
    {
        header = default;
        if (packet.IsEmpty)
        {
            error = WireError.Truncated;
            return false;
        }

        if (packet[0] >> 4 != 6)
        {
            error = WireError.BadVersion;
            return false;
        }

        if (packet.Length < FixedLength)
        {
            error = WireError.Truncated;
            return false;
        }

        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet[PayloadLengthOffset..]);
        var next = (IpProtocol)packet[NextHeaderOffset];
        if (payloadLength == 0 && next == IpProtocol.HopByHopOptions)
        {
            // A Hop-by-Hop header needs 8 bytes of payload, so a zero length means the Jumbo Payload
            // option carries the real one (RFC 2675 §3); jumbograms do not cross the links we see.
            error = WireError.Unsupported;
            return false;
        }

        int end = FixedLength + payloadLength;
        bool truncated = packet.Length < end;
        if (!truncated)
        {
            packet = packet[..end];
        }

        int offset = FixedLength;
        int fragmentHeaderOffset = 0;
        while (true)
        {
            int length;
            switch (next)
            {
                case IpProtocol.HopByHopOptions:
                case IpProtocol.Routing:
                case IpProtocol.DestinationOptions:
                case IpProtocol.AuthenticationHeader:
                    if (!HasRoom(packet, end, offset, 2, out error))
                    {
                        return false;
                    }

                    length = next == IpProtocol.AuthenticationHeader
                        ? (packet[offset + 1] + 2) * 4
                        : (packet[offset + 1] + 1) * 8;
                    break;

                case IpProtocol.Fragment:
                    length = 8;
                    break;

                default:
                    header = new Ipv6Header(packet, offset, next, fragmentHeaderOffset, truncated);
                    error = WireError.None;
                    return true;
            }

            if (!HasRoom(packet, end, offset, length, out error))
            {
                return false;
            }

            var following = (IpProtocol)packet[offset];
            if (next == IpProtocol.Fragment)
            {
                bool firstFragmentHeader = fragmentHeaderOffset == 0;
                if (firstFragmentHeader)
                {
                    fragmentHeaderOffset = offset;
                }

                if (firstFragmentHeader && (BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]) & 0xFFF8) != 0)
                {
                    // RFC 8200 §4.5: a non-first fragment carries a piece of the fragmentable part,
                    // not its headers; report the protocol the Fragment header names and stop.
                    header = new Ipv6Header(packet, offset + length, following, fragmentHeaderOffset, truncated);
                    error = WireError.None;
                    return true;
                }
            }

            next = following;
            offset += length;
        }
    }

    private static bool HasRoom(ReadOnlySpan<byte> packet, int end, int offset, int length, out WireError error)
    {
        if (offset + length > end)
        {
            error = WireError.BadLength;
            return false;
        }

        if (offset + length > packet.Length)
        {
            error = WireError.Truncated;
            return false;
        }

        error = WireError.None;
        return true;
    }

    /// <summary>Gets the Version field; 6 for every parsed header.</summary>
    public int Version => _packet[0] >> 4;

    /// <summary>Gets the Traffic Class byte (DSCP and ECN).</summary>
    public byte TrafficClass => (byte)(BinaryPrimitives.ReadUInt16BigEndian(_packet) >> 4);

    /// <summary>Gets the Differentiated Services Code Point, the upper six bits of Traffic Class (RFC 2474 §3).</summary>
    public byte Dscp => (byte)(TrafficClass >> 2);

    /// <summary>Gets the ECN codepoint, the lower two bits of Traffic Class (RFC 3168 §5).</summary>
    public byte Ecn => (byte)(TrafficClass & 0x03);

    /// <summary>Gets the 20-bit Flow Label (RFC 6437).</summary>
    public uint FlowLabel => BinaryPrimitives.ReadUInt32BigEndian(_packet) & 0x000F_FFFF;

    /// <summary>Gets the Payload Length field: bytes after the fixed header, extension headers included, as sent.</summary>
    public ushort PayloadLength => BinaryPrimitives.ReadUInt16BigEndian(_packet[PayloadLengthOffset..]);

    /// <summary>Gets the fixed header's Next Header field (the first extension header or the upper layer).</summary>
    public IpProtocol NextHeader => (IpProtocol)_packet[NextHeaderOffset];

    /// <summary>Gets the Hop Limit field.</summary>
    public byte HopLimit => _packet[HopLimitOffset];

    /// <summary>Gets the Source Address, 16 bytes in network order.</summary>
    public ReadOnlySpan<byte> Source => _packet.Slice(SourceOffset, 16);

    /// <summary>Gets the Destination Address, 16 bytes in network order.</summary>
    public ReadOnlySpan<byte> Destination => _packet.Slice(DestinationOffset, 16);

    /// <summary>Gets the fixed header alone.</summary>
    public ReadOnlySpan<byte> FixedHeader => _packet[..FixedLength];

    /// <summary>Gets the extension headers walked between the fixed header and <see cref="Payload"/>.</summary>
    public ReadOnlySpan<byte> ExtensionHeaders => _packet[FixedLength.._upperLayerOffset];

    /// <summary>Gets the length of the fixed header plus the extension headers walked.</summary>
    public int HeaderLength => _upperLayerOffset;

    /// <summary>
    /// Gets the protocol of <see cref="Payload"/>: the Next Header value that ended the walk. For a
    /// non-first fragment it is the Fragment header's Next Header, though the payload does not start
    /// with that protocol's header.
    /// </summary>
    public IpProtocol Protocol { get; }

    /// <summary>Gets the bytes after the header chain, up to Payload Length or the end of the buffer, whichever comes first.</summary>
    public ReadOnlySpan<byte> Payload => _packet[_upperLayerOffset..];

    /// <summary>Gets whether the buffer ended before Payload Length: the payload was cut by a capture snap length.</summary>
    public bool IsTruncated { get; }

    /// <summary>Gets whether a Fragment header was found (RFC 8200 §4.5); the fragment fields below describe the first one.</summary>
    public bool HasFragmentHeader => _fragmentHeaderOffset != 0;

    /// <summary>Gets the Fragment Offset in units of 8 bytes, or 0 without a Fragment header.</summary>
    public ushort FragmentOffset => HasFragmentHeader ? (ushort)(FragmentWord >> 3) : (ushort)0;

    /// <summary>Gets the Fragment header's M flag: more fragments follow. False without a Fragment header.</summary>
    public bool MoreFragments => HasFragmentHeader && (FragmentWord & 1) != 0;

    /// <summary>Gets the Fragment header's Identification, or 0 without a Fragment header.</summary>
    public uint FragmentIdentification =>
        HasFragmentHeader ? BinaryPrimitives.ReadUInt32BigEndian(_packet[(_fragmentHeaderOffset + 4)..]) : 0;

    /// <summary>
    /// Gets whether this packet is one fragment of a larger one (a Fragment header with a non-zero
    /// offset or M set; an "atomic fragment" with neither, RFC 6946, is whole). Only when
    /// <see cref="FragmentOffset"/> is 0 does <see cref="Payload"/> start with the upper-layer header.
    /// </summary>
    public bool IsFragment => FragmentOffset != 0 || MoreFragments;

    private ushort FragmentWord => BinaryPrimitives.ReadUInt16BigEndian(_packet[(_fragmentHeaderOffset + 2)..]);

    /// <summary>Returns the fixed header's fields as a value that <see cref="Ipv6HeaderFields.Encode(Span{byte})"/> writes back.</summary>
    public Ipv6HeaderFields ToFields() => new()
    {
        TrafficClass = TrafficClass,
        FlowLabel = FlowLabel,
        PayloadLength = PayloadLength,
        NextHeader = NextHeader,
        HopLimit = HopLimit,
        Source = BinaryPrimitives.ReadUInt128BigEndian(Source),
        Destination = BinaryPrimitives.ReadUInt128BigEndian(Destination),
    };
}
