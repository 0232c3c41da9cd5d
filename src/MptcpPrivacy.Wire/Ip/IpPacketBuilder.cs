using MptcpPrivacy.Wire.Checksums;

namespace MptcpPrivacy.Wire.Ip;

/// <summary>Builds a bare IPv4 or IPv6 packet (no options or extension headers) around a payload.</summary>
/// <remarks>
/// The IPv4 Header Checksum is always filled in; the transport checksum only when asked
/// (<see cref="BuildTransport"/>, <see cref="Write"/>), because a test may want to send a segment
/// whose checksum is wrong. The simulator's hosts and the TUN host build their packets here.
/// </remarks>
public static class IpPacketBuilder
{
    /// <summary>The TTL or hop limit a host puts on the packets it originates (Linux's default).</summary>
    public const byte DefaultTtl = 64;

    /// <summary>The most header bytes <see cref="WriteHeader"/> writes (an IPv6 fixed header).</summary>
    public const int MaximumHeaderLength = Ipv6Header.FixedLength;

    /// <summary>Returns a new packet from <paramref name="source"/> to <paramref name="destination"/> (same family) carrying <paramref name="payload"/> as it is.</summary>
    /// <param name="source">The source address.</param>
    /// <param name="destination">The destination address, of the same family.</param>
    /// <param name="protocol">The IPv4 Protocol or IPv6 Next Header.</param>
    /// <param name="payload">The bytes after the IP header.</param>
    /// <param name="ttl">The IPv4 TTL or IPv6 Hop Limit.</param>
    /// <exception cref="ArgumentException">The addresses differ in family or the payload is too long.</exception>
    public static byte[] Build(IpAddressBytes source, IpAddressBytes destination, IpProtocol protocol, ReadOnlySpan<byte> payload, byte ttl = DefaultTtl)
    {
        byte[] packet = new byte[HeaderLength(source) + payload.Length];
        Write(packet, source, destination, protocol, payload, ttl, transportChecksum: false);
        return packet;
    }

    /// <summary>
    /// Returns a new packet like <see cref="Build(IpAddressBytes, IpAddressBytes, IpProtocol, ReadOnlySpan{byte}, byte)"/>,
    /// then writes the TCP or UDP checksum of the segment over the packet's pseudo-header (RFC 9293
    /// §3.1, RFC 768, RFC 8200 §8.1); other protocols are carried as they are. A UDP checksum is
    /// always computed, over IPv4 too.
    /// </summary>
    /// <param name="source">The source address.</param>
    /// <param name="destination">The destination address, of the same family.</param>
    /// <param name="protocol">The transport protocol.</param>
    /// <param name="segment">The transport header and data; its checksum field may hold anything.</param>
    /// <param name="ttl">The IPv4 TTL or IPv6 Hop Limit.</param>
    /// <exception cref="ArgumentException">The addresses differ in family or the segment is too long.</exception>
    public static byte[] BuildTransport(IpAddressBytes source, IpAddressBytes destination, IpProtocol protocol, ReadOnlySpan<byte> segment, byte ttl = DefaultTtl)
    {
        byte[] packet = new byte[HeaderLength(source) + segment.Length];
        Write(packet, source, destination, protocol, segment, ttl, transportChecksum: true);
        return packet;
    }

    /// <summary>Returns the length of the header <see cref="WriteHeader"/> writes for <paramref name="source"/>'s family: 20 or 40.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is no address.</exception>
    public static int HeaderLength(IpAddressBytes source) => source.Length switch
    {
        4 => Ipv4Header.MinimumLength,
        16 => Ipv6Header.FixedLength,
        _ => throw new ArgumentException("No IP address.", nameof(source)),
    };

    /// <summary>
    /// Writes a whole packet into <paramref name="packet"/> (header, then <paramref name="payload"/>,
    /// then the transport checksum when <paramref name="transportChecksum"/>) and returns its length.
    /// The payload may already sit at its place after the header; it is then not copied.
    /// </summary>
    /// <param name="packet">Where the packet goes; at least <see cref="HeaderLength"/> plus the payload long.</param>
    /// <param name="source">The source address.</param>
    /// <param name="destination">The destination address, of the same family.</param>
    /// <param name="protocol">The IPv4 Protocol or IPv6 Next Header.</param>
    /// <param name="payload">The bytes after the IP header.</param>
    /// <param name="ttl">The IPv4 TTL or IPv6 Hop Limit.</param>
    /// <param name="transportChecksum">Whether to write the TCP or UDP checksum, as <see cref="BuildTransport"/> does.</param>
    /// <exception cref="ArgumentException">The addresses differ in family, the payload is too long, or <paramref name="packet"/> too short.</exception>
    public static int Write(Span<byte> packet, IpAddressBytes source, IpAddressBytes destination, IpProtocol protocol, ReadOnlySpan<byte> payload, byte ttl = DefaultTtl, bool transportChecksum = false)
    {
        int headerLength = WriteHeader(packet, source, destination, protocol, payload.Length, ttl);
        Span<byte> body = packet.Slice(headerLength, payload.Length);
        if (!payload.Overlaps(body, out int offset) || offset != 0)
        {
            payload.CopyTo(body);
        }

        if (transportChecksum)
        {
            int addressOffset = source.IsV4 ? 12 : 8;
            int addressLength = source.Length;
            TransportChecksum.WriteTransport(
                protocol,
                packet.Slice(addressOffset, addressLength),
                packet.Slice(addressOffset + addressLength, addressLength),
                body,
                keepNoUdpChecksum: false);
        }

        return headerLength + payload.Length;
    }

    /// <summary>
    /// Writes only the IP header for a payload of <paramref name="payloadLength"/> bytes at the start
    /// of <paramref name="packet"/> and returns its length (<see cref="HeaderLength"/>).
    /// </summary>
    /// <param name="packet">Where the header goes.</param>
    /// <param name="source">The source address.</param>
    /// <param name="destination">The destination address, of the same family.</param>
    /// <param name="protocol">The IPv4 Protocol or IPv6 Next Header.</param>
    /// <param name="payloadLength">The number of bytes after the header.</param>
    /// <param name="ttl">The IPv4 TTL or IPv6 Hop Limit.</param>
    /// <exception cref="ArgumentException">The addresses differ in family, the payload is too long, or <paramref name="packet"/> too short.</exception>
    public static int WriteHeader(Span<byte> packet, IpAddressBytes source, IpAddressBytes destination, IpProtocol protocol, int payloadLength, byte ttl = DefaultTtl)
    {
        if (source.Family != destination.Family || source.Length == 0)
        {
            throw new ArgumentException("Source and destination must both be IPv4 or both IPv6.", nameof(destination));
        }

        int headerLength = HeaderLength(source);
        int total = headerLength + payloadLength;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(source.IsV4 ? total : payloadLength, ushort.MaxValue, nameof(payloadLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(packet.Length, total, nameof(packet));
        if (source.IsV4)
        {
            new Ipv4HeaderFields
            {
                TotalLength = (ushort)total,
                Ttl = ttl,
                Protocol = protocol,
                Source = (uint)source.Low,
                Destination = (uint)destination.Low,
            }.Encode(packet);
        }
        else
        {
            new Ipv6HeaderFields
            {
                PayloadLength = (ushort)payloadLength,
                NextHeader = protocol,
                HopLimit = ttl,
                Source = new UInt128(source.High, source.Low),
                Destination = new UInt128(destination.High, destination.Low),
            }.Encode(packet);
        }

        return headerLength;
    }
}
