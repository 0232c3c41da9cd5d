namespace MptcpPrivacy.Wire.Link;

/// <summary>
/// Views one captured frame through its link-layer header: which network protocol it carries and
/// where the network-layer bytes start. Allocation-free; the view borrows the caller's buffer.
/// </summary>
/// <remarks>
/// The headers it understands are described on <see cref="EthernetHeader"/>, <see cref="VlanTag"/>,
/// <see cref="LinuxSllHeader"/>, <see cref="LinuxSll2Header"/> and <see cref="LoopbackHeader"/>;
/// <see cref="LinkType.Raw"/>, <see cref="LinkType.Ipv4"/> and <see cref="LinkType.Ipv6"/> have none.
/// A frame whose payload is not IP parses with <see cref="NetworkProtocol.Other"/>: that is not a fault.
/// </remarks>
public readonly ref struct LinkFrame
{
    private LinkFrame(NetworkProtocol protocol, ushort etherType, int interfaceIndex, ushort packetType, int vlanTagCount, int headerLength, ReadOnlySpan<byte> payload)
    {
        NetworkProtocol = protocol;
        EtherType = etherType;
        InterfaceIndex = interfaceIndex;
        PacketType = packetType;
        VlanTagCount = vlanTagCount;
        HeaderLength = headerLength;
        Payload = payload;
    }

    /// <summary>The network protocol of <see cref="Payload"/>.</summary>
    public NetworkProtocol NetworkProtocol { get; }

    /// <summary>The innermost EtherType (Ethernet, SLL, SLL2), past any VLAN tags; 0 for link types without one.</summary>
    public ushort EtherType { get; }

    /// <summary>The interface index of a Linux SLL2 header; -1 when the link header has none.</summary>
    public int InterfaceIndex { get; }

    /// <summary>The packet type of a Linux SLL or SLL2 header (0 to us ... 4 sent by us); 0 otherwise.</summary>
    public ushort PacketType { get; }

    /// <summary>How many 802.1Q / 802.1ad tags were skipped.</summary>
    public int VlanTagCount { get; }

    /// <summary>How many bytes of the frame the link layer took, VLAN tags included.</summary>
    public int HeaderLength { get; }

    /// <summary>The network-layer bytes: everything after the link header (an Ethernet trailer or FCS, if captured, is still there).</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>Reads the link-layer header of <paramref name="frame"/> as laid out for <paramref name="linkType"/>.</summary>
    /// <returns>
    /// <see langword="false"/> with <see cref="WireError.Truncated"/> if the header (or a VLAN tag) is cut
    /// short, or <see cref="WireError.Unsupported"/> for a link type this parser does not know.
    /// </returns>
    public static bool TryParse(LinkType linkType, ReadOnlySpan<byte> frame, out LinkFrame result, out WireError error)
    {
        result = default;
        switch (linkType)
        {
            case LinkType.Ethernet:
                {
                    if (!EthernetHeader.TryParse(frame, out var ethernet, out error))
                    {
                        return false;
                    }

                    return TryFinishEtherType(frame, EthernetHeader.Length, ethernet.EtherType, interfaceIndex: -1, packetType: 0, out result, out error);
                }

            case LinkType.LinuxSll:
                {
                    if (!LinuxSllHeader.TryParse(frame, out var sll, out error))
                    {
                        return false;
                    }

                    return TryFinishEtherType(frame, LinuxSllHeader.Length, sll.ProtocolType, interfaceIndex: -1, sll.PacketType, out result, out error);
                }

            case LinkType.LinuxSll2:
                {
                    if (!LinuxSll2Header.TryParse(frame, out var sll2, out error))
                    {
                        return false;
                    }

                    return TryFinishEtherType(frame, LinuxSll2Header.Length, sll2.ProtocolType, sll2.InterfaceIndex, sll2.PacketType, out result, out error);
                }

            case LinkType.Null:
            case LinkType.Loop:
                {
                    if (!LoopbackHeader.TryParse(frame, networkOrder: linkType == LinkType.Loop, out var loopback, out error))
                    {
                        return false;
                    }

                    result = new LinkFrame(loopback.NetworkProtocol, 0, -1, 0, 0, LoopbackHeader.Length, frame[LoopbackHeader.Length..]);
                    return true;
                }

            case LinkType.Raw:
                if (frame.IsEmpty)
                {
                    // Without the version nibble there is nothing to decide v4 or v6 by.
                    error = WireError.Truncated;
                    return false;
                }

                var protocol = (frame[0] >> 4) switch
                {
                    4 => NetworkProtocol.Ipv4,
                    6 => NetworkProtocol.Ipv6,
                    _ => NetworkProtocol.Other,
                };
                result = new LinkFrame(protocol, 0, -1, 0, 0, 0, frame);
                error = WireError.None;
                return true;

            case LinkType.Ipv4:
                result = new LinkFrame(NetworkProtocol.Ipv4, 0, -1, 0, 0, 0, frame);
                error = WireError.None;
                return true;

            case LinkType.Ipv6:
                result = new LinkFrame(NetworkProtocol.Ipv6, 0, -1, 0, 0, 0, frame);
                error = WireError.None;
                return true;

            default:
                error = WireError.Unsupported;
                return false;
        }
    }

    /// <summary>Returns how many bytes <see cref="EncodeHeader"/> writes for <paramref name="linkType"/>; throws for a link type it cannot write.</summary>
    public static int EncodedHeaderLength(LinkType linkType) => linkType switch
    {
        LinkType.Ethernet => EthernetHeader.Length,
        LinkType.LinuxSll => LinuxSllHeader.Length,
        LinkType.LinuxSll2 => LinuxSll2Header.Length,
        LinkType.Null or LinkType.Loop => LoopbackHeader.Length,
        LinkType.Raw or LinkType.Ipv4 or LinkType.Ipv6 => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(linkType), linkType, "No encoder for this link type."),
    };

    /// <summary>
    /// Writes a plain link header announcing <paramref name="protocol"/> to the start of
    /// <paramref name="destination"/> and returns its length: zero MAC addresses, SLL packet type
    /// "sent by us" (4), SLL2 interface index <paramref name="interfaceIndex"/>, host byte order for
    /// LINKTYPE_NULL. Throws for <see cref="NetworkProtocol.Other"/>, a protocol the link type cannot
    /// carry, or a buffer that is too small; use the header structs for anything else.
    /// </summary>
    public static int EncodeHeader(LinkType linkType, NetworkProtocol protocol, Span<byte> destination, int interfaceIndex = 0)
    {
        const byte outgoing = 4;
        const ushort arphrdEther = 1;
        switch (linkType)
        {
            case LinkType.Ethernet:
                return new EthernetHeader(default, default, EtherTypes.FromProtocol(protocol)).Encode(destination);
            case LinkType.LinuxSll:
                return new LinuxSllHeader(outgoing, arphrdEther, MacAddress.Length, 0, EtherTypes.FromProtocol(protocol)).Encode(destination);
            case LinkType.LinuxSll2:
                return new LinuxSll2Header(EtherTypes.FromProtocol(protocol), interfaceIndex, arphrdEther, outgoing, MacAddress.Length, 0).Encode(destination);
            case LinkType.Null:
                return new LoopbackHeader(LoopbackHeader.FamilyOf(protocol), !BitConverter.IsLittleEndian).Encode(destination);
            case LinkType.Loop:
                return new LoopbackHeader(LoopbackHeader.FamilyOf(protocol), BigEndian: true).Encode(destination);
            case LinkType.Raw when protocol is NetworkProtocol.Ipv4 or NetworkProtocol.Ipv6:
            case LinkType.Ipv4 when protocol is NetworkProtocol.Ipv4:
            case LinkType.Ipv6 when protocol is NetworkProtocol.Ipv6:
                return 0;
            default:
                throw new ArgumentOutOfRangeException(nameof(protocol), protocol, $"Link type {linkType} cannot carry this protocol here.");
        }
    }

    // Ethernet, SLL and SLL2 all end in an EtherType that may announce VLAN tags (libpcap can
    // re-insert stripped tags into cooked captures), so the three share this tail.
    private static bool TryFinishEtherType(ReadOnlySpan<byte> frame, int headerLength, ushort etherType, int interfaceIndex, ushort packetType, out LinkFrame result, out WireError error)
    {
        var tags = 0;
        while (EtherTypes.IsVlanTag(etherType))
        {
            if (!VlanTag.TryParse(frame[headerLength..], out var tag, out error))
            {
                result = default;
                return false;
            }

            etherType = tag.EtherType;
            headerLength += VlanTag.Length;
            tags++;
        }

        result = new LinkFrame(EtherTypes.ToProtocol(etherType), etherType, interfaceIndex, packetType, tags, headerLength, frame[headerLength..]);
        error = WireError.None;
        return true;
    }
}
