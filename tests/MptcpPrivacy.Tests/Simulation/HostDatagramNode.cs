using System.Buffers.Binary;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>
/// A test host built the way an MPTCP host node will be: a <see cref="HostInterfaces"/> decides the
/// interface of each packet by its source address at the moment it is sent, and which arriving
/// packets are the host's. It sends UDP datagrams or whole packets at scheduled times, records what
/// it accepts and every address or interface event, and can echo datagrams back.
/// </summary>
internal sealed class HostDatagramNode : INode
{
    private readonly PriorityQueue<Func<OutgoingPacket?>, (long Time, long Sequence)> _pending = new();
    private readonly Queue<OutgoingPacket> _echoes = new();
    private long _nextSequence;

    public HostDatagramNode(string name, HostInterfaces interfaces, bool echo = false)
    {
        Name = name;
        Interfaces = interfaces;
        Echo = echo;
        interfaces.AddressChanged += (_, e) => Events.Add($"{e.Time} if{e.InterfaceIndex} {e.Kind} {e.Address}");
        interfaces.InterfaceStateChanged += (_, e) => Events.Add($"{e.Time} if{e.InterfaceIndex} {(e.IsUp ? "up" : "down")}");
    }

    public string Name { get; }

    public HostInterfaces Interfaces { get; }

    public bool Echo { get; }

    /// <summary>Gets what was accepted: arrival time, interface, the whole packet.</summary>
    public List<ReceivedDatagram> Received { get; } = [];

    /// <summary>Gets the address and interface events seen, as "time ifN Kind address" lines.</summary>
    public List<string> Events { get; } = [];

    /// <summary>Gets the times the node was polled.</summary>
    public List<long> PollTimes { get; } = [];

    /// <summary>Sends, at <paramref name="time"/>, a UDP datagram whose payload starts with <paramref name="number"/>.</summary>
    public void SendUdpAt(long time, IpAddressBytes source, IpAddressBytes destination, int number, int payloadLength = 32, ushort sourcePort = 5000, ushort destinationPort = 7)
    {
        byte[] segment = Udp(sourcePort, destinationPort, number, payloadLength);
        _pending.Enqueue(
            () => Interfaces.TrySend(source, destination, IpProtocol.Udp, segment, out OutgoingPacket packet) ? packet : null,
            (time, _nextSequence++));
    }

    /// <summary>Sends, at <paramref name="time"/>, a packet built beforehand; its source address picks the interface.</summary>
    public void SendPacketAt(long time, byte[] ipPacket) =>
        _pending.Enqueue(() => Interfaces.TrySend(ipPacket, out OutgoingPacket packet) ? packet : null, (time, _nextSequence++));

    /// <summary>Reads the number <see cref="SendUdpAt"/> put in a datagram.</summary>
    public static int NumberOf(byte[] packet)
    {
        IpPacket.TryParse(packet, out IpPacket ip, out _);
        return BinaryPrimitives.ReadInt32BigEndian(ip.Payload[8..]);
    }

    public static byte[] Udp(ushort sourcePort, ushort destinationPort, int number, int payloadLength)
    {
        var segment = new byte[8 + payloadLength];
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(4), (ushort)segment.Length);
        BinaryPrimitives.WriteInt32BigEndian(segment.AsSpan(8), number);
        return segment;
    }

    public void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket)
    {
        if (!Interfaces.TryAccept(interfaceIndex, ipPacket, out IpPacket ip))
        {
            return;
        }

        Received.Add(new ReceivedDatagram(now, interfaceIndex, ipPacket.ToArray()));
        if (Echo && ip.Protocol == IpProtocol.Udp)
        {
            byte[] reply = ip.Payload.ToArray();
            BinaryPrimitives.WriteUInt16BigEndian(reply, BinaryPrimitives.ReadUInt16BigEndian(ip.Payload[2..]));
            BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(2), BinaryPrimitives.ReadUInt16BigEndian(ip.Payload));
            if (Interfaces.TrySend(IpAddressBytes.FromSpan(ip.Destination), IpAddressBytes.FromSpan(ip.Source), IpProtocol.Udp, reply, out OutgoingPacket packet))
            {
                _echoes.Enqueue(packet);
            }
        }
    }

    public bool PollTransmit(long now, out OutgoingPacket packet)
    {
        PollTimes.Add(now);
        if (_echoes.TryDequeue(out packet))
        {
            return true;
        }

        while (_pending.TryPeek(out _, out var due) && due.Time <= now)
        {
            // Null when the interfaces dropped it (no such source address, or its interface down); counted there.
            if (_pending.Dequeue()() is { } sent)
            {
                packet = sent;
                return true;
            }
        }

        packet = default;
        return false;
    }

    public long NextDeadline(long now) => _echoes.Count > 0 ? now : _pending.TryPeek(out _, out var due) ? due.Time : long.MaxValue;
}
