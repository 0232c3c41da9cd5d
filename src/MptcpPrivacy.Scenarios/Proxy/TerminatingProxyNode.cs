using MptcpPrivacy.Simulation;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Scenarios.Proxy;

/// <summary>
/// A simulated proxy that terminates MPTCP (the blog's third middlebox, "a transparent proxy that
/// terminates the TCP connection with the client and creates a new TCP connection between itself
/// and the server"): the user's MPTCP connections end at its front stack, an
/// <see cref="MptcpEndpoint"/> in whatever privacy mode its options say, so the proxy is the user's
/// MPTCP peer; for each one it opens a connection of its own, from its one back address, to the
/// origin, and a <see cref="ProxyRelay"/> moves the bytes both ways.
/// </summary>
/// <remarks>
/// <para>
/// Two interfaces, two stacks, each a <see cref="MptcpHostNode"/>: interface
/// <see cref="FrontInterface"/> faces the users and holds the addresses they connect to (a load
/// balancer's virtual addresses, or an operator converter's); interface <see cref="BackInterface"/>
/// faces the origin and holds the proxy's one back address. A packet reaches a stack only through
/// its own interface, so the back address takes no users' packets and the front addresses no
/// origin's. The front stack's path-manager endpoints are its interface's addresses (as a server's,
/// <see cref="EndpointFlags.None"/>) plus any the caller configured before (announced ones); the back
/// address is never one of them, so the proxy never announces it to a user.
/// </para>
/// <para>
/// The back stack's options choose the origin side's transport: <see cref="MptcpOptions.Enabled"/>
/// false (what <see cref="ProxyScenarioRunner"/> gives it) makes it plain TCP, so nothing of MPTCP
/// reaches the origin. Bounded: at most <see cref="MaxRelays"/> relays at once (a user connection
/// beyond that is aborted), the bytes in flight are in the stacks' buffers, and the relay copies
/// through one scratch buffer of <see cref="ScratchSize"/> bytes.
/// </para>
/// </remarks>
public sealed class TerminatingProxyNode : INode
{
    /// <summary>The interface that faces the users.</summary>
    public const int FrontInterface = 0;

    /// <summary>The interface that faces the origin.</summary>
    public const int BackInterface = 1;

    /// <summary>The default bound on relays at once.</summary>
    public const int DefaultMaxRelays = 1024;

    /// <summary>The bytes the relay copies at a time.</summary>
    public const int ScratchSize = 16 * 1024;

    private readonly MptcpHostNode _front;
    private readonly MptcpHostNode _back;
    private readonly byte[] _scratch = new byte[ScratchSize];
    private readonly List<ProxyRelay> _relays = [];

    /// <summary>
    /// Makes a proxy named <paramref name="name"/> that ends users' connections at
    /// <paramref name="front"/> (listening already, on the addresses of
    /// <paramref name="frontInterfaces"/>) and relays each to <paramref name="origin"/>:<paramref name="originPort"/>
    /// from the one address of <paramref name="backInterfaces"/> through <paramref name="back"/>.
    /// </summary>
    /// <param name="name">The node's name.</param>
    /// <param name="frontInterfaces">One interface, facing the users (its index in the node is <see cref="FrontInterface"/>).</param>
    /// <param name="front">The stack the users' connections end at.</param>
    /// <param name="backInterfaces">One interface with one address, facing the origin (its index in the node is <see cref="BackInterface"/>).</param>
    /// <param name="back">The stack of the proxy's connections to the origin.</param>
    /// <param name="origin">The origin's address.</param>
    /// <param name="originPort">The origin's port.</param>
    /// <param name="maxRelays">The bound on relays at once.</param>
    /// <exception cref="ArgumentException">An interface set does not have the one interface (and, at the back, the one address) asked for, or <paramref name="maxRelays"/> is not positive.</exception>
    public TerminatingProxyNode(string name, HostInterfaces frontInterfaces, MptcpEndpoint front, HostInterfaces backInterfaces, MptcpEndpoint back,
        IpAddressBytes origin, ushort originPort, int maxRelays = DefaultMaxRelays)
    {
        ArgumentNullException.ThrowIfNull(frontInterfaces);
        ArgumentNullException.ThrowIfNull(backInterfaces);
        if (frontInterfaces.Count != 1 || backInterfaces.Count != 1 || backInterfaces.AllAddresses.Count != 1)
        {
            throw new ArgumentException($"Proxy '{name}': needs one front interface and one back interface with one address; got {frontInterfaces.Count} front, {backInterfaces.Count} back with {backInterfaces.AllAddresses.Count} address(es).");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRelays);
        Name = name;
        _front = new MptcpHostNode($"{name}-front", frontInterfaces, front, EndpointFlags.None) { Application = Relay };
        _back = new MptcpHostNode($"{name}-back", backInterfaces, back, EndpointFlags.None);
        BackAddress = backInterfaces.AllAddresses[0].Address.Address;
        Origin = origin;
        OriginPort = originPort;
        MaxRelays = maxRelays;
    }

    /// <summary>Raised when a user's connection is accepted and its relay to the origin opened.</summary>
    public event Action<ProxyRelay>? RelayOpened;

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets the stack the users' connections end at: the users' MPTCP peer.</summary>
    public MptcpEndpoint Front => _front.Endpoint;

    /// <summary>Gets the stack of the proxy's connections to the origin.</summary>
    public MptcpEndpoint Back => _back.Endpoint;

    /// <summary>Gets the proxy's one address towards the origin: every connection the origin sees comes from it.</summary>
    public IpAddressBytes BackAddress { get; }

    /// <summary>Gets the origin's address.</summary>
    public IpAddressBytes Origin { get; }

    /// <summary>Gets the origin's port.</summary>
    public ushort OriginPort { get; }

    /// <summary>Gets the bound on relays at once.</summary>
    public int MaxRelays { get; }

    /// <summary>Gets the relays not yet finished.</summary>
    public IReadOnlyList<ProxyRelay> Relays => _relays;

    /// <summary>Gets the relays opened so far.</summary>
    public long RelaysOpened { get; private set; }

    /// <summary>Gets the relays whose two connections both closed.</summary>
    public long RelaysFinished { get; private set; }

    /// <summary>Gets the users' connections aborted because <see cref="MaxRelays"/> relays were open.</summary>
    public long RelaysRefused { get; private set; }

    /// <summary>Gets the packets dropped because they came in on an interface the proxy does not have.</summary>
    public long PacketsOnUnknownInterface { get; private set; }

    /// <summary>Gets TCP segments either stack dropped for a bad checksum or header.</summary>
    public long SegmentsDiscarded => _front.SegmentsDiscarded + _back.SegmentsDiscarded;

    /// <inheritdoc/>
    public void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket)
    {
        switch (interfaceIndex)
        {
            case FrontInterface:
                _front.OnPacket(now, 0, ipPacket);
                break;
            case BackInterface:
                _back.OnPacket(now, 0, ipPacket);
                break;
            default:
                PacketsOnUnknownInterface++;
                break;
        }
    }

    /// <inheritdoc/>
    public bool PollTransmit(long now, out OutgoingPacket packet)
    {
        // The front's poll runs the relay first, so what it queues at the back leaves in this round too.
        if (_front.PollTransmit(now, out packet))
        {
            packet = packet with { InterfaceIndex = FrontInterface };
            return true;
        }

        if (_back.PollTransmit(now, out packet))
        {
            packet = packet with { InterfaceIndex = BackInterface };
            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    public long NextDeadline(long now) => Math.Min(_front.NextDeadline(now), _back.NextDeadline(now));

    private void Relay(TimeSpan now)
    {
        while (Front.TryAccept(out MptcpConnection user))
        {
            if (_relays.Count >= MaxRelays)
            {
                RelaysRefused++;
                user.Abort(now);
                continue;
            }

            var relay = new ProxyRelay(user, Back.Connect(now, BackAddress, Origin, OriginPort));
            _relays.Add(relay);
            RelaysOpened++;
            RelayOpened?.Invoke(relay);
        }

        for (int i = _relays.Count - 1; i >= 0; i--)
        {
            _relays[i].Pump(now, _scratch);
            if (_relays[i].Finished)
            {
                RelaysFinished++;
                _relays.RemoveAt(i);
            }
        }
    }
}
