using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Simulation;

/// <summary>Builds a bare IPv4 or IPv6 packet (no options or extension headers) around a payload.</summary>
/// <remarks>
/// The IPv4 Header Checksum is always filled in; the transport checksum only by
/// <see cref="BuildTransport"/>, because a test may want to send a segment whose checksum is wrong.
/// </remarks>
public static class IpPacketBuilder
{
    /// <summary>The TTL or hop limit a host puts on the packets it originates (Linux's default).</summary>
    public const byte DefaultTtl = 64;

    /// <summary>Returns a new packet from <paramref name="source"/> to <paramref name="destination"/> (same family) carrying <paramref name="payload"/> as it is.</summary>
    /// <param name="source">The source address.</param>
    /// <param name="destination">The destination address, of the same family.</param>
    /// <param name="protocol">The IPv4 Protocol or IPv6 Next Header.</param>
    /// <param name="payload">The bytes after the IP header.</param>
    /// <param name="ttl">The IPv4 TTL or IPv6 Hop Limit.</param>
    /// <exception cref="ArgumentException">The addresses differ in family or the payload is too long.</exception>
    public static byte[] Build(IpAddressBytes source, IpAddressBytes destination, IpProtocol protocol, ReadOnlySpan<byte> payload, byte ttl = DefaultTtl) =>
        Build(source, destination, protocol, payload, ttl, transportChecksum: false, pool: null);

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
    public static byte[] BuildTransport(IpAddressBytes source, IpAddressBytes destination, IpProtocol protocol, ReadOnlySpan<byte> segment, byte ttl = DefaultTtl) =>
        Build(source, destination, protocol, segment, ttl, transportChecksum: true, pool: null);

    /// <summary>Builds a packet as the public methods do, in an array from <paramref name="pool"/> when one is given.</summary>
    /// <param name="source">The source address.</param>
    /// <param name="destination">The destination address, of the same family.</param>
    /// <param name="protocol">The IPv4 Protocol or IPv6 Next Header.</param>
    /// <param name="payload">The bytes after the IP header.</param>
    /// <param name="ttl">The IPv4 TTL or IPv6 Hop Limit.</param>
    /// <param name="transportChecksum">Whether to write the TCP or UDP checksum, as <see cref="BuildTransport"/> does.</param>
    /// <param name="pool">Where the array comes from, or null for a new one; a pooled array's every byte is written.</param>
    /// <exception cref="ArgumentException">The addresses differ in family or the payload is too long.</exception>
    internal static byte[] Build(IpAddressBytes source, IpAddressBytes destination, IpProtocol protocol, ReadOnlySpan<byte> payload, byte ttl, bool transportChecksum, PacketPool? pool)
    {
        if (source.Family != destination.Family || source.Length == 0)
        {
            throw new ArgumentException("Source and destination must both be IPv4 or both IPv6.", nameof(destination));
        }

        int headerLength = source.IsV4 ? Ipv4Header.MinimumLength : Ipv6Header.FixedLength;
        int total = headerLength + payload.Length;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(source.IsV4 ? total : payload.Length, ushort.MaxValue, nameof(payload));
        byte[] packet = pool?.Rent(total) ?? new byte[total];
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
                PayloadLength = (ushort)payload.Length,
                NextHeader = protocol,
                HopLimit = ttl,
                Source = new UInt128(source.High, source.Low),
                Destination = new UInt128(destination.High, destination.Low),
            }.Encode(packet);
        }

        payload.CopyTo(packet.AsSpan(headerLength));
        if (transportChecksum)
        {
            int addressOffset = source.IsV4 ? 12 : 8;
            int addressLength = source.Length;
            TransportChecksum.WriteTransport(
                protocol,
                packet.AsSpan(addressOffset, addressLength),
                packet.AsSpan(addressOffset + addressLength, addressLength),
                packet.AsSpan(headerLength),
                keepNoUdpChecksum: false);
        }

        return packet;
    }
}
