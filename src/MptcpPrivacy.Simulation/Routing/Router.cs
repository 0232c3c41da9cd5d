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
/// the packet came in on; the router forwards it anyway, as Linux does. Forwarding allocates only the
/// copy of the packet that leaves.
/// </remarks>
public sealed class Router : INode
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
        int version = ipPacket.IsEmpty ? 0 : ipPacket[0] >> 4;
        if (version == 4)
        {
            ForwardIpv4(ipPacket);
        }
        else if (version == 6)
        {
            ForwardIpv6(ipPacket);
        }
        else
        {
            Drop(RouterDropReason.Malformed);
        }
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

    private void ForwardIpv4(ReadOnlySpan<byte> ipPacket)
    {
        if (!Ipv4Header.TryParse(ipPacket, out Ipv4Header header, out WireError _) || header.IsTruncated)
        {
            Drop(RouterDropReason.Malformed);
            return;
        }

        if (!header.IsHeaderChecksumValid)
        {
            Drop(RouterDropReason.BadHeaderChecksum);
            return;
        }

        if (!_table.TryLookup(IpAddressBytes.FromSpan(header.Destination), out int outInterface))
        {
            Drop(RouterDropReason.NoRoute);
            return;
        }

        if (header.Ttl <= 1)
        {
            Drop(RouterDropReason.TtlExpired);
            return;
        }

        // Link padding past Total Length is not forwarded.
        byte[] copy = ipPacket[..header.TotalLength].ToArray();
        ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(Ipv4TtlOffset));
        copy[Ipv4TtlOffset]--;
        ushort newWord = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(Ipv4TtlOffset));
        ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(Ipv4ChecksumOffset));
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(Ipv4ChecksumOffset), UpdateChecksum(checksum, oldWord, newWord));
        Send(outInterface, copy);
    }

    private void ForwardIpv6(ReadOnlySpan<byte> ipPacket)
    {
        // A router reads only the fixed header (RFC 8200 §4: extension headers other than
        // Hop-by-Hop are not examined on the way), so a strange chain does not stop forwarding.
        if (ipPacket.Length < Ipv6Header.FixedLength)
        {
            Drop(RouterDropReason.Malformed);
            return;
        }

        int length = Ipv6Header.FixedLength + BinaryPrimitives.ReadUInt16BigEndian(ipPacket[Ipv6PayloadLengthOffset..]);
        if (ipPacket.Length < length)
        {
            Drop(RouterDropReason.Malformed);
            return;
        }

        if (!_table.TryLookup(IpAddressBytes.FromSpan(ipPacket.Slice(Ipv6DestinationOffset, 16)), out int outInterface))
        {
            Drop(RouterDropReason.NoRoute);
            return;
        }

        if (ipPacket[Ipv6HopLimitOffset] <= 1)
        {
            Drop(RouterDropReason.TtlExpired);
            return;
        }

        byte[] copy = ipPacket[..length].ToArray();
        copy[Ipv6HopLimitOffset]--;
        Send(outInterface, copy);
    }

    private void Send(int interfaceIndex, byte[] packet)
    {
        Forwarded++;
        _outgoing.Enqueue(new OutgoingPacket(interfaceIndex, packet));
    }

    private void Drop(RouterDropReason reason) => _dropped[(int)reason]++;
}
