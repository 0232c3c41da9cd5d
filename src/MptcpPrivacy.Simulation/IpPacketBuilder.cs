using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Simulation;

/// <summary>Builds a bare IPv4 or IPv6 packet (no options or extension headers) around a payload.</summary>
internal static class IpPacketBuilder
{
    /// <summary>Returns a new packet from <paramref name="source"/> to <paramref name="destination"/> (same family) carrying <paramref name="payload"/>.</summary>
    /// <exception cref="ArgumentException">The addresses differ in family or the payload is too long.</exception>
    public static byte[] Build(IpAddressBytes source, IpAddressBytes destination, IpProtocol protocol, ReadOnlySpan<byte> payload, byte ttl = 64)
    {
        if (source.Family != destination.Family || source.Length == 0)
        {
            throw new ArgumentException("Source and destination must both be IPv4 or both IPv6.", nameof(destination));
        }

        if (source.IsV4)
        {
            int total = Ipv4Header.MinimumLength + payload.Length;
            ArgumentOutOfRangeException.ThrowIfGreaterThan(total, ushort.MaxValue, nameof(payload));
            var packet = new byte[total];
            new Ipv4HeaderFields
            {
                TotalLength = (ushort)total,
                Ttl = ttl,
                Protocol = protocol,
                Source = (uint)source.Low,
                Destination = (uint)destination.Low,
            }.Encode(packet);
            payload.CopyTo(packet.AsSpan(Ipv4Header.MinimumLength));
            return packet;
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(payload.Length, ushort.MaxValue, nameof(payload));
        var v6 = new byte[Ipv6Header.FixedLength + payload.Length];
        new Ipv6HeaderFields
        {
            PayloadLength = (ushort)payload.Length,
            NextHeader = protocol,
            HopLimit = ttl,
            Source = new UInt128(source.High, source.Low),
            Destination = new UInt128(destination.High, destination.Low),
        }.Encode(v6);
        payload.CopyTo(v6.AsSpan(Ipv6Header.FixedLength));
        return v6;
    }
}
