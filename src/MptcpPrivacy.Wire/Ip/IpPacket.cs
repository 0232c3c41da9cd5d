namespace MptcpPrivacy.Wire.Ip;

/// <summary>
/// A read-only view of an IPv4 or IPv6 packet, chosen by the version nibble, that exposes what the
/// layers above need whatever the version: addresses, upper-layer protocol and payload.
/// </summary>
public readonly ref struct IpPacket
{
    private readonly Ipv4Header _ipv4;
    private readonly Ipv6Header _ipv6;

    private IpPacket(Ipv4Header ipv4)
    {
        _ipv4 = ipv4;
        Version = 4;
    }

    private IpPacket(Ipv6Header ipv6)
    {
        _ipv6 = ipv6;
        Version = 6;
    }

    /// <summary>
    /// Reads an IP packet at the start of <paramref name="packet"/>, dispatching on the version nibble
    /// to <see cref="Ipv4Header.TryParse"/> or <see cref="Ipv6Header.TryParse"/>.
    /// </summary>
    /// <returns>False with <see cref="WireError.BadVersion"/> for a version other than 4 or 6, or with the error of the version's parser.</returns>
    public static bool TryParse(ReadOnlySpan<byte> packet, out IpPacket result, out WireError error)
    {
        result = default;
        if (packet.IsEmpty)
        {
            error = WireError.Truncated;
            return false;
        }

        switch (packet[0] >> 4)
        {
            case 4:
                if (!Ipv4Header.TryParse(packet, out Ipv4Header ipv4, out error))
                {
                    return false;
                }

                result = new IpPacket(ipv4);
                return true;

            case 6:
                if (!Ipv6Header.TryParse(packet, out Ipv6Header ipv6, out error))
                {
                    return false;
                }

                result = new IpPacket(ipv6);
                return true;

            default:
                error = WireError.BadVersion;
                return false;
        }
    }

    /// <summary>Gets the IP version: 4 or 6.</summary>
    public int Version { get; }

    /// <summary>Gets the source address: 4 bytes for IPv4, 16 for IPv6, in network order.</summary>
    public ReadOnlySpan<byte> Source => Version == 4 ? _ipv4.Source : _ipv6.Source;

    /// <summary>Gets the destination address: 4 bytes for IPv4, 16 for IPv6, in network order.</summary>
    public ReadOnlySpan<byte> Destination => Version == 4 ? _ipv4.Destination : _ipv6.Destination;

    /// <summary>Gets the upper-layer protocol: the IPv4 Protocol field, or the IPv6 Next Header that ends the extension header chain.</summary>
    public IpProtocol Protocol => Version == 4 ? _ipv4.Protocol : _ipv6.Protocol;

    /// <summary>Gets the upper-layer bytes, bounded by the length the header declares and by the buffer.</summary>
    public ReadOnlySpan<byte> Payload => Version == 4 ? _ipv4.Payload : _ipv6.Payload;

    /// <summary>
    /// Gets whether <see cref="Payload"/> does not start with the upper-layer header: a fragment other
    /// than the first (non-zero fragment offset).
    /// </summary>
    /// <remarks>
    /// A first fragment starts with the upper-layer header but is incomplete; see <see cref="MoreFragments"/>.
    /// </remarks>
    public bool IsFragment => (Version == 4 ? _ipv4.FragmentOffset : _ipv6.FragmentOffset) != 0;

    /// <summary>Gets whether more fragments of this datagram follow (IPv4 MF flag, IPv6 Fragment header M flag), so the payload is not the whole upper-layer packet.</summary>
    public bool MoreFragments => Version == 4 ? _ipv4.MoreFragments : _ipv6.MoreFragments;

    /// <summary>Gets whether the buffer ended before the declared length: the payload was cut by a capture snap length.</summary>
    public bool IsTruncated => Version == 4 ? _ipv4.IsTruncated : _ipv6.IsTruncated;

    /// <summary>Gets the IPv4 view.</summary>
    /// <exception cref="InvalidOperationException">The packet is IPv6.</exception>
    public Ipv4Header Ipv4 => Version == 4 ? _ipv4 : throw new InvalidOperationException("The packet is IPv6.");

    /// <summary>Gets the IPv6 view.</summary>
    /// <exception cref="InvalidOperationException">The packet is IPv4.</exception>
    public Ipv6Header Ipv6 => Version == 6 ? _ipv6 : throw new InvalidOperationException("The packet is IPv4.");
}
