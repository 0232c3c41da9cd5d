using System.Net.Sockets;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Simulation;

/// <summary>
/// The interfaces of an end host and the addresses on them, for a node that a stack runs in: which
/// interface a packet leaves by (its source address's), which arriving packets are the host's, and
/// addresses and interfaces that come and go at given virtual times, each change announced by an
/// event so the stack above can react (an MPTCP path manager announcing or withdrawing an address).
/// </summary>
/// <remarks>
/// <para>
/// Sending follows the source address, as a multipath host with one routing table per source does
/// (the usual MPTCP setup): a packet from address X leaves by the interface that holds X. A packet
/// from an address the host no longer holds is dropped and counted, which is what a subflow bound to
/// an address that went away sees.
/// </para>
/// <para>
/// Receiving follows the weak host model (RFC 1122 §3.3.4.2, Linux's default): a packet is the host's
/// when its destination is any of the host's addresses, whichever interface it came in on, as long as
/// that interface is up.
/// </para>
/// <para>
/// An address lives on one interface at a time. An interface that goes down keeps its addresses (as
/// Linux does on link loss); it neither sends nor receives until it is up again.
/// </para>
/// </remarks>
/// <example>
/// A node holding one of these:
/// <code>
/// public void OnPacket(long now, int interfaceIndex, ReadOnlySpan&lt;byte&gt; ipPacket)
/// {
///     if (_interfaces.TryAccept(interfaceIndex, ipPacket, out IpPacket ip)) { /* give ip to the stack */ }
/// }
///
/// public bool PollTransmit(long now, out OutgoingPacket packet)
/// {
///     while (_stack.TryPoll(now, out var source, out var destination, out var segment))
///     {
///         if (_interfaces.TrySend(source, destination, IpProtocol.Tcp, segment, out packet)) return true;
///     }
///     packet = default;
///     return false;
/// }
/// </code>
/// </example>
public sealed class HostInterfaces
{
    private readonly List<HostInterface> _interfaces = [];

    /// <summary>Raised after an address was added or removed, with the interface it is on.</summary>
    public event EventHandler<AddressChangedEventArgs>? AddressChanged;

    /// <summary>Raised after an interface went up or down.</summary>
    public event EventHandler<InterfaceStateChangedEventArgs>? InterfaceStateChanged;

    /// <summary>Gets how many interfaces there are; they are numbered from 0 in the order added.</summary>
    public int Count => _interfaces.Count;

    /// <summary>Gets the counters of packets sent, received and stopped.</summary>
    public HostInterfaceStatistics Statistics { get; } = new();

    /// <summary>
    /// Gets or sets the simulator's pool that packets built here come from, or null to allocate each;
    /// a topology sets it for the hosts it makes, whose packets go only to that simulator.
    /// </summary>
    internal PacketPool? Pool { get; set; }

    /// <summary>Gets every address the host holds now, in interface order, each interface's in the order added.</summary>
    public IReadOnlyList<HostAddress> AllAddresses
    {
        get
        {
            var all = new List<HostAddress>();
            for (int i = 0; i < _interfaces.Count; i++)
            {
                foreach (InterfaceAddress address in _interfaces[i].Addresses)
                {
                    all.Add(new HostAddress(i, address));
                }
            }

            return all;
        }
    }

    /// <summary>Adds an interface, up and with no address, and returns its number.</summary>
    /// <param name="name">A name for logs; "if" and the number when null.</param>
    public int AddInterface(string? name = null)
    {
        _interfaces.Add(new HostInterface(name ?? $"if{_interfaces.Count}"));
        return _interfaces.Count - 1;
    }

    /// <summary>Returns the name of interface <paramref name="interfaceIndex"/>.</summary>
    public string InterfaceName(int interfaceIndex) => Interface(interfaceIndex).Name;

    /// <summary>Returns whether interface <paramref name="interfaceIndex"/> is up.</summary>
    public bool IsUp(int interfaceIndex) => Interface(interfaceIndex).IsUp;

    /// <summary>Returns the addresses on interface <paramref name="interfaceIndex"/>, in the order added.</summary>
    public IReadOnlyList<InterfaceAddress> Addresses(int interfaceIndex) => Interface(interfaceIndex).Addresses;

    /// <summary>Finds the interface that holds <paramref name="address"/>, up or down.</summary>
    public bool TryFindInterface(IpAddressBytes address, out int interfaceIndex)
    {
        for (int i = 0; i < _interfaces.Count; i++)
        {
            if (_interfaces[i].IndexOf(address) >= 0)
            {
                interfaceIndex = i;
                return true;
            }
        }

        interfaceIndex = -1;
        return false;
    }

    /// <summary>Returns whether the host holds <paramref name="address"/> on any interface.</summary>
    public bool HasAddress(IpAddressBytes address) => TryFindInterface(address, out _);

    /// <summary>Finds the first address of <paramref name="family"/> on interface <paramref name="interfaceIndex"/>, to use as the source of a new subflow there.</summary>
    public bool TryGetSourceAddress(int interfaceIndex, AddressFamily family, out IpAddressBytes source)
    {
        foreach (InterfaceAddress address in Interface(interfaceIndex).Addresses)
        {
            if (address.Address.Family == family)
            {
                source = address.Address;
                return true;
            }
        }

        source = default;
        return false;
    }

    /// <summary>Puts <paramref name="address"/> on interface <paramref name="interfaceIndex"/> now and raises <see cref="AddressChanged"/>.</summary>
    /// <param name="now">The virtual time, passed on in the event.</param>
    /// <param name="interfaceIndex">The interface.</param>
    /// <param name="address">The address and its prefix length.</param>
    /// <exception cref="InvalidOperationException">The host already holds the address.</exception>
    public void AddAddress(long now, int interfaceIndex, InterfaceAddress address)
    {
        HostInterface target = Interface(interfaceIndex);
        if (address.Address.Length == 0)
        {
            throw new ArgumentException("The address is empty.", nameof(address));
        }

        if (TryFindInterface(address.Address, out int holder))
        {
            throw new InvalidOperationException($"{address.Address} is already on interface {holder} ({_interfaces[holder].Name}).");
        }

        target.Addresses.Add(address);
        AddressChanged?.Invoke(this, new AddressChangedEventArgs(now, interfaceIndex, address, AddressChangeKind.Added));
    }

    /// <summary>Takes <paramref name="address"/> off interface <paramref name="interfaceIndex"/> now and raises <see cref="AddressChanged"/>; false (and no event) when it is not there.</summary>
    public bool RemoveAddress(long now, int interfaceIndex, IpAddressBytes address)
    {
        HostInterface target = Interface(interfaceIndex);
        int index = target.IndexOf(address);
        if (index < 0)
        {
            return false;
        }

        InterfaceAddress removed = target.Addresses[index];
        target.Addresses.RemoveAt(index);
        AddressChanged?.Invoke(this, new AddressChangedEventArgs(now, interfaceIndex, removed, AddressChangeKind.Removed));
        return true;
    }

    /// <summary>Brings interface <paramref name="interfaceIndex"/> up or down now and raises <see cref="InterfaceStateChanged"/>; nothing happens when it already is.</summary>
    public void SetInterfaceState(long now, int interfaceIndex, bool up)
    {
        HostInterface target = Interface(interfaceIndex);
        if (target.IsUp == up)
        {
            return;
        }

        target.IsUp = up;
        InterfaceStateChanged?.Invoke(this, new InterfaceStateChangedEventArgs(now, interfaceIndex, up));
    }

    /// <summary>Schedules <see cref="AddAddress"/> at virtual time <paramref name="time"/> on <paramref name="simulator"/>.</summary>
    /// <exception cref="InvalidOperationException">At that time, when the host already holds the address.</exception>
    public void ScheduleAddAddress(Simulator simulator, long time, int interfaceIndex, InterfaceAddress address)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        Interface(interfaceIndex);
        simulator.Schedule(time, now => AddAddress(now, interfaceIndex, address));
    }

    /// <summary>Schedules <see cref="RemoveAddress"/> at virtual time <paramref name="time"/> on <paramref name="simulator"/>; an address not there by then is left alone.</summary>
    public void ScheduleRemoveAddress(Simulator simulator, long time, int interfaceIndex, IpAddressBytes address)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        Interface(interfaceIndex);
        simulator.Schedule(time, now => RemoveAddress(now, interfaceIndex, address));
    }

    /// <summary>Schedules <see cref="SetInterfaceState"/> at virtual time <paramref name="time"/> on <paramref name="simulator"/>.</summary>
    public void ScheduleInterfaceState(Simulator simulator, long time, int interfaceIndex, bool up)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        Interface(interfaceIndex);
        simulator.Schedule(time, now => SetInterfaceState(now, interfaceIndex, up));
    }

    /// <summary>
    /// Chooses the interface for an IP packet the host built, by its source address; false (and
    /// counted) when no interface holds that address or its interface is down.
    /// </summary>
    /// <param name="ipPacket">The whole IPv4 or IPv6 packet; it becomes the outgoing packet's data.</param>
    /// <param name="packet">The packet with the interface to send it on.</param>
    /// <exception cref="ArgumentException">The packet is too short to hold an IPv4 or IPv6 source address.</exception>
    public bool TrySend(byte[] ipPacket, out OutgoingPacket packet)
    {
        ArgumentNullException.ThrowIfNull(ipPacket);
        if (TryChooseInterface(SourceOf(ipPacket), out int interfaceIndex))
        {
            packet = new OutgoingPacket(interfaceIndex, ipPacket);
            return true;
        }

        packet = default;
        return false;
    }

    /// <summary>
    /// Wraps a transport segment in an IP packet from <paramref name="source"/> to
    /// <paramref name="destination"/> and chooses its interface by the source address, as
    /// <see cref="TrySend(byte[], out OutgoingPacket)"/> does; nothing is built when it would be dropped.
    /// </summary>
    /// <param name="source">The source address; it picks the interface.</param>
    /// <param name="destination">The destination address, of the same family.</param>
    /// <param name="protocol">The transport protocol.</param>
    /// <param name="segment">The transport header and data.</param>
    /// <param name="packet">The packet with the interface to send it on.</param>
    /// <param name="writeTransportChecksum">Whether to fill in the TCP or UDP checksum (see <see cref="IpPacketBuilder.BuildTransport"/>).</param>
    public bool TrySend(IpAddressBytes source, IpAddressBytes destination, IpProtocol protocol, ReadOnlySpan<byte> segment, out OutgoingPacket packet, bool writeTransportChecksum = true)
    {
        if (!TryChooseInterface(source, out int interfaceIndex))
        {
            packet = default;
            return false;
        }

        int length = IpPacketBuilder.HeaderLength(source) + segment.Length;
        byte[] data = Pool?.Rent(length) ?? new byte[length];
        IpPacketBuilder.Write(data, source, destination, protocol, segment, IpPacketBuilder.DefaultTtl, writeTransportChecksum);
        packet = new OutgoingPacket(interfaceIndex, data) { Pooled = Pool is not null };
        return true;
    }

    /// <summary>
    /// Reads a packet that arrived on <paramref name="interfaceIndex"/> and returns true when it is
    /// the host's: a well-formed IPv4 or IPv6 packet to one of its addresses, on an interface that is
    /// up. Anything else is counted in <see cref="Statistics"/> and refused.
    /// </summary>
    /// <param name="interfaceIndex">The interface it arrived on.</param>
    /// <param name="ipPacket">The packet as the simulator handed it over.</param>
    /// <param name="packet">A view of the packet, valid as long as <paramref name="ipPacket"/> is.</param>
    public bool TryAccept(int interfaceIndex, ReadOnlySpan<byte> ipPacket, out IpPacket packet)
    {
        HostInterface arrival = Interface(interfaceIndex);
        if (!arrival.IsUp)
        {
            Statistics.DiscardedInterfaceDown++;
            packet = default;
            return false;
        }

        if (!IpPacket.TryParse(ipPacket, out packet, out WireError _) || packet.IsTruncated
            || (packet.Version == 4 && !packet.Ipv4.IsHeaderChecksumValid))
        {
            Statistics.DiscardedMalformed++;
            packet = default;
            return false;
        }

        if (!HasAddress(IpAddressBytes.FromSpan(packet.Destination)))
        {
            Statistics.DiscardedNotForUs++;
            packet = default;
            return false;
        }

        Statistics.Accepted++;
        return true;
    }

    private static IpAddressBytes SourceOf(byte[] ipPacket)
    {
        int version = ipPacket.Length == 0 ? 0 : ipPacket[0] >> 4;
        return version switch
        {
            4 when ipPacket.Length >= Ipv4Header.MinimumLength => IpAddressBytes.FromSpan(ipPacket.AsSpan(12, 4)),
            6 when ipPacket.Length >= Ipv6Header.FixedLength => IpAddressBytes.FromSpan(ipPacket.AsSpan(8, 16)),
            _ => throw new ArgumentException("The packet is not an IPv4 or IPv6 packet with a whole header.", nameof(ipPacket)),
        };
    }

    private bool TryChooseInterface(IpAddressBytes source, out int interfaceIndex)
    {
        if (!TryFindInterface(source, out interfaceIndex))
        {
            Statistics.DroppedNoSourceAddress++;
            return false;
        }

        if (!_interfaces[interfaceIndex].IsUp)
        {
            Statistics.DroppedInterfaceDown++;
            interfaceIndex = -1;
            return false;
        }

        Statistics.Sent++;
        return true;
    }

    private HostInterface Interface(int interfaceIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(interfaceIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(interfaceIndex, _interfaces.Count);
        return _interfaces[interfaceIndex];
    }

    /// <summary>One interface: its name, whether it is up, its addresses.</summary>
    private sealed class HostInterface(string name)
    {
        public string Name { get; } = name;

        public bool IsUp { get; set; } = true;

        public List<InterfaceAddress> Addresses { get; } = [];

        public int IndexOf(IpAddressBytes address)
        {
            for (int i = 0; i < Addresses.Count; i++)
            {
                if (Addresses[i].Address == address)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
