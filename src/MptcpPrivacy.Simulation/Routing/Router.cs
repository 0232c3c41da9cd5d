using System.Buffers.Binary;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Simulation;

/// <summary>
/// An IPv4 and IPv6 router with any number of interfaces: it looks each packet's destination up in
/// its routing table (longest-prefix match), decrements the TTL or hop limit and sends a copy out of
/// the route's interface. What it cannot forward it drops and counts by <see cref="RouterDropReason"/>;
/// it sends no ICMP.
/// </summary>
/// <remarks>
/// The order of checks follows Linux (ip_rcv, then the route lookup, then ip_forward's TTL check): a
/// malformed header first, then the route, then the TTL. A route may point back out of the interface
/// the packet came in on; the router forwards it anyway, as Linux does. Given a packet through
/// <see cref="OnPacket(long, int, ReadOnlySpan{byte})"/> it forwards a copy; in a simulator it takes the
/// arriving array over and forwards it changed in place, allocating nothing.
/// </remarks>
public sealed class Router : INode, IForwardingNode
{
    private const int Ipv4TtlOffset = 8;
    private const int Ipv4ChecksumOffset = 10;
    private const int Ipv6PayloadLengthOffset = 4;
    private const int Ipv6HopLimitOffset = 7;
    private const int Ipv6DestinationOffset = 24;

    private readonly RoutingTable _table = new();
    private readonly Queue<OutgoingPacket> _outgoing = new();
    private readonly long[] _dropped = new long[Enum.GetValues<RouterDropReason>().Length];

    /// <summary>Makes a router with an empty routing table.</summary>
    /// <param name="name">The node's name.</param>
    public Router(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets how many packets were forwarded.</summary>
    public long Forwarded { get; private set; }

    /// <summary>Gets how many packets were dropped, for every reason.</summary>
    public long DroppedTotal => _dropped.Sum();

    /// <summary>Gets the routes, IPv4 first, each family longest prefix first (the order lookups try them in).</summary>
    public IReadOnlyList<Route> Routes => [.. _table.Routes];

    /// <summary>Returns how many packets were dropped for <paramref name="reason"/>.</summary>
    public long Dropped(RouterDropReason reason) => _dropped[(int)reason];

    /// <summary>Sends packets to <paramref name="prefix"/> out of <paramref name="interfaceIndex"/>; adding the same route twice does nothing.</summary>
    /// <exception cref="InvalidOperationException">The same prefix already leads to another interface.</exception>
    public void AddRoute(IpPrefix prefix, int interfaceIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(interfaceIndex);
        _table.Add(prefix, interfaceIndex);
    }

    /// <summary>Removes the route for exactly <paramref name="prefix"/>; false when there was none.</summary>
    public bool RemoveRoute(IpPrefix prefix) => _table.Remove(prefix);

    /// <summary>Finds the interface a packet to <paramref name="destination"/> would leave by.</summary>
    public bool TryLookup(IpAddressBytes destination, out int interfaceIndex) => _table.TryLookup(destination, out interfaceIndex);

    /// <inheritdoc/>
    public void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket)
    {
        if (TryRoute(ipPacket, out int outInterface, out int length))
        {
            Send(outInterface, ipPacket[..length].ToArray(), pooled: false);
        }
    }

    /// <inheritdoc/>
    void IForwardingNode.OnPacket(long now, int interfaceIndex, byte[] packet, bool pooled, PacketPool pool)
    {
        if (!TryRoute(packet, out int outInterface, out int length))
        {
            if (pooled)
            {
                pool.Return(packet);
            }

            return;
        }

        if (length != packet.Length)
        {
            // Link padding past the IP length is not forwarded.
            byte[] trimmed = pool.Rent(length);
            packet.AsSpan(0, length).CopyTo(trimmed);
            if (pooled)
            {
                pool.Return(packet);
            }

            (packet, pooled) = (trimmed, true);
        }

        Send(outInterface, packet, pooled);
    }

    /// <inheritdoc/>
    public bool PollTransmit(long now, out OutgoingPacket packet) => _outgoing.TryDequeue(out packet);

    /// <inheritdoc/>
    public long NextDeadline(long now) => _outgoing.Count > 0 ? now : long.MaxValue;

    /// <summary>
    /// Returns the IPv4 Header Checksum after one 16-bit word of the header changed from
    /// <paramref name="oldWord"/> to <paramref name="newWord"/>, without summing the header again
    /// (RFC 1624 §3, equation 3: HC' = ~(~HC + ~m + m'), which never yields the -0 that RFC 1141's form could).
    /// </summary>
    internal static ushort UpdateChecksum(ushort checksum, ushort oldWord, ushort newWord)
    {
        uint sum = (uint)(ushort)~checksum + (ushort)~oldWord + newWord;
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>Checks a packet and finds its route; false (and counted) when it is dropped.</summary>
    /// <param name="ipPacket">The packet as it arrived.</param>
    /// <param name="outInterface">The interface it leaves by.</param>
    /// <param name="length">Its IP length, which the arrival may exceed by link padding.</param>
    private bool TryRoute(ReadOnlySpan<byte> ipPacket, out int outInterface, out int length)
    {
        int version = ipPacket.IsEmpty ? 0 : ipPacket[0] >> 4;
        outInterface = -1;
        length = 0;
        if (version == 4)
        {
            if (!Ipv4Header.TryParse(ipPacket, out Ipv4Header header, out WireError _) || header.IsTruncated)
            {
                return Drop(RouterDropReason.Malformed);
            }

            if (!header.IsHeaderChecksumValid)
            {
                return Drop(RouterDropReason.BadHeaderChecksum);
            }

            if (!_table.TryLookup(IpAddressBytes.FromSpan(header.Destination), out outInterface))
            {
                return Drop(RouterDropReason.NoRoute);
            }

            if (header.Ttl <= 1)
            {
                return Drop(RouterDropReason.TtlExpired);
            }

            length = header.TotalLength;
            return true;
        }

        if (version != 6)
        {
            return Drop(RouterDropReason.Malformed);
        }

        // A router reads only the fixed header (RFC 8200 §4: extension headers other than
        // Hop-by-Hop are not examined on the way), so a strange chain does not stop forwarding.
        if (ipPacket.Length < Ipv6Header.FixedLength)
        {
            return Drop(RouterDropReason.Malformed);
        }

        length = Ipv6Header.FixedLength + BinaryPrimitives.ReadUInt16BigEndian(ipPacket[Ipv6PayloadLengthOffset..]);
        if (ipPacket.Length < length)
        {
            return Drop(RouterDropReason.Malformed);
        }

        if (!_table.TryLookup(IpAddressBytes.FromSpan(ipPacket.Slice(Ipv6DestinationOffset, 16)), out outInterface))
        {
            return Drop(RouterDropReason.NoRoute);
        }

        if (ipPacket[Ipv6HopLimitOffset] <= 1)
        {
            return Drop(RouterDropReason.TtlExpired);
        }

        return true;
    }

    /// <summary>Decrements the TTL (updating the IPv4 Header Checksum) or hop limit of a routed packet in place and queues it.</summary>
    private void Send(int interfaceIndex, byte[] packet, bool pooled)
    {
        if (packet[0] >> 4 == 4)
        {
            ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(Ipv4TtlOffset));
            packet[Ipv4TtlOffset]--;
            ushort newWord = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(Ipv4TtlOffset));
            ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(Ipv4ChecksumOffset));
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(Ipv4ChecksumOffset), UpdateChecksum(checksum, oldWord, newWord));
        }
        else
        {
            packet[Ipv6HopLimitOffset]--;
        }

        Forwarded++;
        _outgoing.Enqueue(new OutgoingPacket(interfaceIndex, packet) { Pooled = pooled });
    }

    private bool Drop(RouterDropReason reason)
    {
        _dropped[(int)reason]++;
        return false;
    }
}
