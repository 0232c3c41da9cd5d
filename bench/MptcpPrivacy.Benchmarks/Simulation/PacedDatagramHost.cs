using System.Buffers.Binary;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Benchmarks.Simulation;

/// <summary>
/// A host with no stack, to measure the simulator alone: as a sender it sends one UDP datagram from
/// every address of its interfaces each <see cref="IntervalNs"/>, as a receiver it counts what it
/// accepts. Packets are built by <see cref="HostInterfaces"/>, as a stack's are.
/// </summary>
internal sealed class PacedDatagramHost : INode
{
    private readonly byte[] _datagram;
    private readonly List<HostAddress> _sources = [];
    private readonly IpAddressBytes _destination;
    private long _nextSend;
    private int _sourceIndex;

    /// <summary>Makes a host; a sender when <paramref name="intervalNs"/> is positive.</summary>
    /// <param name="name">The node's name.</param>
    /// <param name="interfaces">The host's interfaces and addresses.</param>
    /// <param name="destination">Where the datagrams go.</param>
    /// <param name="datagramBytes">The UDP datagram's length, header included.</param>
    /// <param name="intervalNs">The time between rounds of datagrams, or 0 for a receiver.</param>
    /// <param name="untilNs">When the sender stops.</param>
    public PacedDatagramHost(string name, HostInterfaces interfaces, IpAddressBytes destination, int datagramBytes, long intervalNs, long untilNs)
    {
        Name = name;
        Interfaces = interfaces;
        _destination = destination;
        IntervalNs = intervalNs;
        UntilNs = untilNs;
        _datagram = new byte[datagramBytes];
        BinaryPrimitives.WriteUInt16BigEndian(_datagram, 5000);
        BinaryPrimitives.WriteUInt16BigEndian(_datagram.AsSpan(2), 9);
        BinaryPrimitives.WriteUInt16BigEndian(_datagram.AsSpan(4), (ushort)datagramBytes);
        foreach (HostAddress address in interfaces.AllAddresses)
        {
            if (address.Address.Address.Family == destination.Family)
            {
                _sources.Add(address);
            }
        }

        _nextSend = intervalNs > 0 ? 0 : long.MaxValue;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets the host's interfaces.</summary>
    public HostInterfaces Interfaces { get; }

    /// <summary>Gets the time between rounds of datagrams (0 for a receiver).</summary>
    public long IntervalNs { get; }

    /// <summary>Gets when the sender stops.</summary>
    public long UntilNs { get; }

    /// <summary>Gets the datagrams sent.</summary>
    public long Sent { get; private set; }

    /// <summary>Gets the datagrams accepted.</summary>
    public long Received { get; private set; }

    /// <inheritdoc/>
    public void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket)
    {
        if (Interfaces.TryAccept(interfaceIndex, ipPacket, out _))
        {
            Received++;
        }
    }

    /// <inheritdoc/>
    public bool PollTransmit(long now, out OutgoingPacket packet)
    {
        while (_nextSend <= now)
        {
            IpAddressBytes source = _sources[_sourceIndex].Address.Address;
            if (++_sourceIndex == _sources.Count)
            {
                _sourceIndex = 0;
                _nextSend = _nextSend + IntervalNs < UntilNs ? _nextSend + IntervalNs : long.MaxValue;
            }

            if (Interfaces.TrySend(source, _destination, IpProtocol.Udp, _datagram, out packet))
            {
                Sent++;
                return true;
            }
        }

        packet = default;
        return false;
    }

    /// <inheritdoc/>
    public long NextDeadline(long now) => _nextSend;
}
