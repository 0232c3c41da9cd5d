using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Simulation;

/// <summary>
/// A trivial host for testing the network without TCP: it sends raw IP datagrams at scheduled
/// times, records what it receives, and can echo every datagram addressed to it back to its sender.
/// </summary>
public sealed class DatagramNode : INode
{
    private readonly List<IReadOnlyList<IpAddressBytes>> _interfaces = [];
    private readonly PriorityQueue<OutgoingPacket, (long Time, long Sequence)> _pending = new();
    private readonly Queue<OutgoingPacket> _echoes = new();
    private readonly List<ReceivedDatagram> _received = [];
    private long _nextSequence;

    /// <summary>Makes a node with no interfaces.</summary>
    /// <param name="name">The node's name.</param>
    /// <param name="echo">Whether to send every datagram addressed to this node back to its source, same protocol and payload.</param>
    public DatagramNode(string name, bool echo = false)
    {
        Name = name;
        Echo = echo;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets whether the node echoes datagrams addressed to it.</summary>
    public bool Echo { get; }

    /// <summary>Gets what arrived, in arrival order.</summary>
    public IReadOnlyList<ReceivedDatagram> Received => _received;

    /// <summary>Gets the packets that did not parse as IP, or were not addressed to this node.</summary>
    public long Discarded { get; private set; }

    /// <summary>Adds an interface holding <paramref name="addresses"/> (IPv4 and/or IPv6) and returns its number.</summary>
    public int AddInterface(params IpAddressBytes[] addresses)
    {
        _interfaces.Add([.. addresses]);
        return _interfaces.Count - 1;
    }

    /// <summary>Gets the addresses of interface <paramref name="interfaceIndex"/>.</summary>
    public IReadOnlyList<IpAddressBytes> Addresses(int interfaceIndex) => _interfaces[interfaceIndex];

    /// <summary>Queues a datagram to leave interface <paramref name="interfaceIndex"/> at <paramref name="time"/>; sends at equal times go in the order queued.</summary>
    public void SendAt(long time, int interfaceIndex, IpAddressBytes source, IpAddressBytes destination, IpProtocol protocol, ReadOnlySpan<byte> payload) =>
        SendPacketAt(time, interfaceIndex, IpPacketBuilder.Build(source, destination, protocol, payload));

    /// <summary>Queues an already built IP packet to leave interface <paramref name="interfaceIndex"/> at <paramref name="time"/>.</summary>
    public void SendPacketAt(long time, int interfaceIndex, byte[] packet)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(interfaceIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(interfaceIndex, _interfaces.Count);
        _pending.Enqueue(new OutgoingPacket(interfaceIndex, packet), (time, _nextSequence++));
    }

    /// <inheritdoc/>
    public void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket)
    {
        if (!IpPacket.TryParse(ipPacket, out IpPacket ip, out WireError _) || !IsMine(IpAddressBytes.FromSpan(ip.Destination)))
        {
            Discarded++;
            return;
        }

        _received.Add(new ReceivedDatagram(now, interfaceIndex, ipPacket.ToArray()));
        if (Echo)
        {
            _echoes.Enqueue(new OutgoingPacket(interfaceIndex, IpPacketBuilder.Build(
                IpAddressBytes.FromSpan(ip.Destination), IpAddressBytes.FromSpan(ip.Source), ip.Protocol, ip.Payload)));
        }
    }

    /// <inheritdoc/>
    public bool PollTransmit(long now, out OutgoingPacket packet)
    {
        if (_echoes.TryDequeue(out packet))
        {
            return true;
        }

        if (_pending.TryPeek(out _, out var due) && due.Time <= now)
        {
            packet = _pending.Dequeue();
            return true;
        }

        packet = default;
        return false;
    }

    /// <inheritdoc/>
    public long NextDeadline(long now) => _echoes.Count > 0 ? now : _pending.TryPeek(out _, out var due) ? due.Time : long.MaxValue;

    private bool IsMine(IpAddressBytes address)
    {
        foreach (var addresses in _interfaces)
        {
            foreach (var mine in addresses)
            {
                if (mine == address)
                {
                    return true;
                }
            }
        }

        return false;
    }
}

/// <summary>One packet a <see cref="DatagramNode"/> received.</summary>
/// <param name="Time">The arrival time in nanoseconds.</param>
/// <param name="InterfaceIndex">The interface it arrived on.</param>
/// <param name="Packet">The whole IP packet.</param>
public sealed record ReceivedDatagram(long Time, int InterfaceIndex, byte[] Packet);
