using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Linux.PathManager;

/// <summary>
/// The privacy path policy for Linux's userspace path manager, without I/O: one
/// <see cref="PolicyPathManager"/> per connection token, fed from <c>mptcp_pm</c> events, its
/// <see cref="PathAction"/>s turned into <c>mptcp_pm</c> commands. The same policy code as the
/// userspace stack's; this class only translates (see <c>docs/design/path-policies.md</c>,
/// "Mapping to Linux's userspace path manager"). It reads no clock: the policy managers read the one
/// given, and <see cref="OnTimer"/> takes the time.
/// </summary>
/// <remarks>
/// <para>
/// Subflows are named by the policy's ids; the kernel names them by their addresses and ports. A
/// join we asked for is matched to its <c>SUB_ESTABLISHED</c> by local address and remote address
/// and port (the kernel picks the local port); a <c>SUB_ESTABLISHED</c> that matches none is a join
/// the peer opened, put to <see cref="IPathManager.OnJoinRequest"/> and destroyed if refused (the
/// kernel offers no veto in the SYN).
/// </para>
/// <para>
/// The kernel echoes the peer's ADD_ADDR by itself (so <see cref="EchoAnnounce"/> is dropped) and
/// retransmits ours until echoed without telling us of the echo (so an accepted ANNOUNCE counts as
/// echoed for the policy, which then moves on to its next address).
/// </para>
/// </remarks>
public sealed class PathPolicyDriver
{
    private readonly PathPolicy _policy;
    private PathManagerOptions _options;
    private readonly Func<TimeSpan> _clock;
    private readonly Dictionary<uint, Connection> _connections = [];

    /// <summary>
    /// Creates the driver: every connection gets a <see cref="PolicyPathManager"/> with
    /// <paramref name="policy"/> and <paramref name="options"/> (endpoints and limits), reading the
    /// time from <paramref name="clock"/> (monotonic, from the host).
    /// </summary>
    public PathPolicyDriver(PathPolicy policy, PathManagerOptions options, Func<TimeSpan> clock)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        _policy = policy;
        _options = options;
        _clock = clock;
    }

    /// <summary>
    /// Gets the flags a local address that appears gets as an endpoint, for live connections and
    /// later ones (as mptcpd does with the addresses the kernel reports); null leaves new addresses
    /// alone. Loopback and link-local addresses never become endpoints this way.
    /// </summary>
    public EndpointFlags? NewAddressFlags { get; init; }

    /// <summary>Gets how many new addresses found no endpoint slot (<see cref="PathManagerOptions.MaxEndpoints"/> in use).</summary>
    public int EndpointsOverLimit { get; private set; }

    /// <summary>Gets the endpoints new connections get now: those given, plus the addresses that appeared, minus those that went.</summary>
    public IReadOnlyList<PathEndpoint> Endpoints => _options.Endpoints;

    /// <summary>Gets how many connections the driver follows.</summary>
    public int Connections => _connections.Count;

    /// <summary>Gets the tokens of the connections the driver follows.</summary>
    public IReadOnlyCollection<uint> Tokens => _connections.Keys;

    /// <summary>Gets how many joins the peer opened that the policy refused (destroyed after their handshake).</summary>
    public int PeerJoinsRefused { get; private set; }

    /// <summary>Gets how many peer ADD_ADDR echoes the policy asked for and the kernel had sent already.</summary>
    public int EchoesLeftToKernel { get; private set; }

    /// <summary>Gets how many events named a connection the driver does not follow (established before it started, say).</summary>
    public int EventsForUnknownConnections { get; private set; }

    /// <summary>Gets the earliest time a connection's policy wants <see cref="OnTimer"/>, or null.</summary>
    public TimeSpan? NextDeadline
    {
        get
        {
            TimeSpan? next = null;
            foreach (Connection c in _connections.Values)
            {
                if (c.Policy.NextDeadline is { } d && (next is null || d < next))
                {
                    next = d;
                }
            }

            return next;
        }
    }

    /// <summary>Returns the subflows the policy of connection <paramref name="token"/> accounts for, or null for an unknown token.</summary>
    public IReadOnlyList<PathSubflow>? SubflowsOf(uint token) => _connections.TryGetValue(token, out Connection? c) ? c.Policy.Subflows : null;

    /// <summary>Takes one event and returns the commands to send, in order.</summary>
    public IReadOnlyList<MptcpPmCommand> OnEvent(MptcpPmEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Type == MptcpEventType.Established)
        {
            return OnEstablished(e);
        }

        if (e.Type is MptcpEventType.Created or MptcpEventType.ListenerCreated or MptcpEventType.ListenerClosed or MptcpEventType.SubflowPriority)
        {
            return [];
        }

        if (!_connections.TryGetValue(e.Token, out Connection? c))
        {
            EventsForUnknownConnections++;
            return [];
        }

        Ends ends = Ends.Of(e);
        switch (e.Type)
        {
            case MptcpEventType.Closed:
                _connections.Remove(e.Token);
                return [];
            case MptcpEventType.Announced when e.RemoteId is { } id && ends.Remote.Length > 0:
                ushort? port = ends.RemotePort == 0 || ends.RemotePort == c.Initial.RemotePort ? null : ends.RemotePort;
                return Translate(c, c.Policy.OnAddAddrReceived(id, ends.Remote, port));
            case MptcpEventType.Removed when e.RemoteId is { } id:
                return Translate(c, c.Policy.OnRemoveAddrReceived([id]));
            case MptcpEventType.SubflowEstablished:
                return OnSubflowEstablished(c, e, ends);
            case MptcpEventType.SubflowClosed:
                return OnSubflowClosed(c, ends);
            default:
                return [];
        }
    }

    /// <summary>
    /// Takes a local address appearing on an interface: with <see cref="NewAddressFlags"/> it becomes
    /// an endpoint (the next free address ID) and every connection's policy hears of it, which may
    /// open a join from it or keep it in reserve, as the policy's mode says.
    /// </summary>
    public IReadOnlyList<MptcpPmCommand> OnLocalAddressAdded(IpAddressBytes address)
    {
        address = Ends.Unmap(address);
        if (NewAddressFlags is not { } flags || IsLoopbackOrLinkLocal(address) || _options.Endpoints.Any(e => e.Address == address))
        {
            return [];
        }

        if (_options.Endpoints.Count >= PathManagerOptions.MaxEndpoints)
        {
            EndpointsOverLimit++;
            return [];
        }

        byte id = 1;
        while (_options.Endpoints.Any(e => e.Id == id))
        {
            id++;
        }

        var endpoint = new PathEndpoint(id, address, flags);
        _options = new PathManagerOptions(_options.Limits, [.. _options.Endpoints, endpoint]);
        var commands = new List<MptcpPmCommand>();
        foreach (Connection c in _connections.Values.ToList())
        {
            commands.AddRange(Translate(c, c.Policy.OnLocalEndpointAdded(endpoint)));
        }

        return commands;
    }

    /// <summary>Takes a local address leaving its interface: every connection's policy withdraws it, and later connections no longer get it as an endpoint.</summary>
    public IReadOnlyList<MptcpPmCommand> OnLocalAddressRemoved(IpAddressBytes address)
    {
        address = Ends.Unmap(address);
        if (_options.Endpoints.Any(e => e.Address == address))
        {
            _options = new PathManagerOptions(_options.Limits, [.. _options.Endpoints.Where(e => e.Address != address)]);
        }

        var commands = new List<MptcpPmCommand>();
        foreach (Connection c in _connections.Values.ToList())
        {
            commands.AddRange(Translate(c, c.Policy.OnLocalAddressLost(address)));
        }

        return commands;
    }

    /// <summary>Takes the kernel accepting <paramref name="command"/>: returns what follows from it.</summary>
    public IReadOnlyList<MptcpPmCommand> OnCommandAccepted(MptcpPmCommand command) =>
        command is MptcpPmAnnounce announce && _connections.TryGetValue(announce.Token, out Connection? c)
            ? Translate(c, c.Policy.OnAddAddrEchoed(announce.AddressId))
            : [];

    /// <summary>Takes the kernel refusing <paramref name="command"/> (with <paramref name="errno"/>): a join that could not start is closed for the policy, an announcement counts as done.</summary>
    public IReadOnlyList<MptcpPmCommand> OnCommandRefused(MptcpPmCommand command, int errno)
    {
        if (!_connections.TryGetValue(command.Token, out Connection? c))
        {
            return [];
        }

        switch (command)
        {
            case MptcpPmSubflowCreate create when c.Pending.RemoveAll(p => p.Open.SubflowId == create.SubflowId) > 0:
                return Translate(c, c.Policy.OnSubflowClosed(create.SubflowId));
            case MptcpPmAnnounce announce:
                return Translate(c, c.Policy.OnAddAddrEchoed(announce.AddressId));
            default:
                _ = errno;
                return [];
        }
    }

    /// <summary>Runs the policies' timers at <paramref name="now"/> and returns the commands that came due.</summary>
    public IReadOnlyList<MptcpPmCommand> OnTimer(TimeSpan now)
    {
        var commands = new List<MptcpPmCommand>();
        foreach (Connection c in _connections.Values.ToList())
        {
            if (c.Policy.NextDeadline is { } due && due <= now)
            {
                commands.AddRange(Translate(c, c.Policy.OnTimer(now)));
            }
        }

        return commands;
    }

    private static bool IsLoopbackOrLinkLocal(IpAddressBytes address)
    {
        System.Net.IPAddress ip = address.ToIPAddress();
        return System.Net.IPAddress.IsLoopback(ip) || ip.IsIPv6LinkLocal || (address.Length == 4 && ip.GetAddressBytes() is [169, 254, ..]);
    }

    private List<MptcpPmCommand> OnEstablished(MptcpPmEvent e)
    {
        Ends initial = Ends.Of(e);
        if (_connections.ContainsKey(e.Token) || initial.Local.Length == 0 || initial.Remote.Length == 0)
        {
            return [];
        }

        var policy = new PolicyPathManager(_policy, _options, initial.Local, initial.Remote, initial.RemotePort, _clock);
        var c = new Connection(e.Token, policy, initial);
        c.Subflows[KernelPathManager.InitialSubflowId] = initial;
        _connections[e.Token] = c;
        return Translate(c, policy.OnFullyEstablished());
    }

    private List<MptcpPmCommand> OnSubflowEstablished(Connection c, MptcpPmEvent e, Ends ends)
    {
        if (c.Subflows.ContainsValue(ends))
        {
            return [];
        }

        int index = c.Pending.FindIndex(p => p.Matches(ends));
        if (index >= 0)
        {
            Pending pending = c.Pending[index];
            c.Pending.RemoveAt(index);
            c.Subflows[pending.Open.SubflowId] = ends;
            return pending.Cancelled
                ? [Destroy(c, pending.Open.SubflowId, ends)]
                : Translate(c, c.Policy.OnSubflowEstablished(pending.Open.SubflowId));
        }

        // A join the peer opened: the policy decides now, after the handshake.
        if (c.Policy.OnJoinRequest(ends.Local, e.RemoteId ?? 0, ends.Remote, ends.RemotePort, e.Backup) is not { } id)
        {
            PeerJoinsRefused++;
            return [Destroy(c, -1, ends)];
        }

        c.Subflows[id] = ends;
        return Translate(c, c.Policy.OnSubflowEstablished(id));
    }

    private List<MptcpPmCommand> OnSubflowClosed(Connection c, Ends ends)
    {
        foreach ((int id, Ends known) in c.Subflows)
        {
            if (known == ends)
            {
                c.Subflows.Remove(id);
                return Translate(c, c.Policy.OnSubflowClosed(id));
            }
        }

        int index = c.Pending.FindIndex(p => p.Matches(ends));
        if (index < 0)
        {
            return [];
        }

        Pending pending = c.Pending[index];
        c.Pending.RemoveAt(index);
        return pending.Cancelled ? [] : Translate(c, c.Policy.OnSubflowClosed(pending.Open.SubflowId));
    }

    private List<MptcpPmCommand> Translate(Connection c, IReadOnlyList<PathAction> actions)
    {
        var commands = new List<MptcpPmCommand>(actions.Count);
        foreach (PathAction action in actions)
        {
            switch (action)
            {
                case OpenSubflow open:
                    c.Pending.Add(new Pending(open));
                    commands.Add(new MptcpPmSubflowCreate(c.Token, open.SubflowId, open.LocalId, open.LocalAddress, open.Backup, open.RemoteAddress, open.RemotePort));
                    break;
                case Announce announce:
                    commands.Add(new MptcpPmAnnounce(c.Token, announce.AddressId, announce.Address, announce.Port));
                    break;
                case EchoAnnounce:
                    EchoesLeftToKernel++;
                    break;
                case RemoveAddress remove:
                    commands.Add(new MptcpPmRemove(c.Token, remove.AddressId));
                    break;
                case CloseSubflow close when c.Subflows.TryGetValue(close.SubflowId, out Ends ends):
                    // Kept until SUB_CLOSED, which the policy is then told of.
                    commands.Add(Destroy(c, close.SubflowId, ends));
                    break;
                case CloseSubflow close:
                    int pending = c.Pending.FindIndex(p => p.Open.SubflowId == close.SubflowId);
                    if (pending >= 0)
                    {
                        c.Pending[pending] = c.Pending[pending] with { Cancelled = true };
                    }

                    break;
                case SetBackup backup when c.Subflows.TryGetValue(backup.SubflowId, out Ends ends):
                    commands.Add(new MptcpPmSetBackup(c.Token, backup.SubflowId, ends.Local, ends.LocalPort, ends.Remote, ends.RemotePort, backup.Backup));
                    break;
            }
        }

        return commands;
    }

    private static MptcpPmSubflowDestroy Destroy(Connection c, int subflowId, Ends ends) =>
        new(c.Token, subflowId, ends.Local, ends.LocalPort, ends.Remote, ends.RemotePort);

    /// <summary>A subflow's two ends as the kernel reports them (IPv4-mapped addresses taken back to IPv4).</summary>
    private readonly record struct Ends(IpAddressBytes Local, ushort LocalPort, IpAddressBytes Remote, ushort RemotePort)
    {
        public static Ends Of(MptcpPmEvent e) => new(Unmap(e.LocalAddress), e.LocalPort, Unmap(e.RemoteAddress), e.RemotePort);

        public static IpAddressBytes Unmap(IpAddressBytes address)
        {
            if (address.Length != 16)
            {
                return address;
            }

            System.Net.IPAddress ip = address.ToIPAddress();
            return ip.IsIPv4MappedToIPv6 ? IpAddressBytes.FromIPAddress(ip.MapToIPv4()) : address;
        }
    }

    /// <summary>A join asked for and not yet established or closed; cancelled when the policy closed it meanwhile.</summary>
    private sealed record Pending(OpenSubflow Open, bool Cancelled = false)
    {
        public bool Matches(Ends ends) =>
            Open.LocalAddress == ends.Local && Open.RemoteAddress == ends.Remote && Open.RemotePort == ends.RemotePort;
    }

    private sealed class Connection(uint token, PolicyPathManager policy, Ends initial)
    {
        public uint Token { get; } = token;

        public PolicyPathManager Policy { get; } = policy;

        public Ends Initial { get; } = initial;

        public Dictionary<int, Ends> Subflows { get; } = [];

        public List<Pending> Pending { get; } = [];
    }
}
