using MptcpPrivacy.Privacy;
using MptcpPrivacy.Privacy.Draft;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Mptcp;

/// <summary>
/// One host's MPTCP stack, sans-I/O: its path-manager endpoints, listening ports and connections.
/// It takes TCP segments with their addresses (<see cref="OnSegment"/>), hands out segments to send
/// with the addresses to send them between (<see cref="PollTransmit"/>), and reports its next
/// deadline; the caller checks and fills TCP checksums, moves packets, and delivers only segments
/// addressed to this host. Joins find their connection by token (RFC 8684 §3.2); a join for an
/// unknown token, or one its connection's path manager refuses, is answered with a reset and leaves
/// no state behind.
/// </summary>
/// <remarks>
/// The endpoints are the host-wide configuration of Linux's in-kernel path manager (<c>ip mptcp
/// endpoint</c>); the limits are <see cref="MptcpOptions.PathManagerLimits"/>. Each connection runs
/// its own <see cref="KernelPathManager"/> from them once its keys are exchanged, and hears of
/// every endpoint added or removed afterwards.
/// </remarks>
public sealed class MptcpEndpoint
{
    private readonly MptcpOptions _options;
    private readonly Random _random;
    private readonly TokenTable<MptcpConnection> _tokens;
    private readonly Dictionary<FourTuple, MptcpSubflow> _subflows = [];
    private readonly HashSet<ushort> _listening = [];
    private readonly List<MptcpConnection> _connections = [];
    private readonly Queue<MptcpConnection> _accepted = new();
    private readonly List<PathEndpoint> _pathEndpoints = [];
    private readonly Queue<(FourTuple Tuple, byte[] Segment)> _replies = new();

    // Subflows of connections we fast-closed, with the peer's key: a peer that answers our reset
    // with a challenge ACK (RFC 5961: its sequence number was in the window but not exact) gets a
    // reset at the exact number that still carries MP_FASTCLOSE, so it closes the connection
    // instead of seeing a bare reset. Bounded: the oldest are forgotten first.
    private const int FastClosedRemembered = 1024;
    private readonly Dictionary<FourTuple, ulong> _fastClosed = [];
    private readonly Queue<FourTuple> _fastClosedOrder = new();
    private int _pollCursor;
    private JoinTokenTable<MptcpConnection>? _profileTokens;
    private DraftTokenResolver<MptcpConnection>? _draftTokens;
    private readonly List<MptcpConnection> _draftCandidates = [];
    private readonly Dictionary<(IpAddressBytes Local, IpAddressBytes Remote), int> _pathScores = [];
    private readonly Dictionary<(IpAddressBytes Local, IpAddressBytes Remote), TimeSpan> _pathBlamedAt = [];

    /// <summary>Makes a stack with <paramref name="options"/> drawing keys, ports, nonces and ISNs from <paramref name="random"/>.</summary>
    public MptcpEndpoint(MptcpOptions options, Random random)
    {
        _options = options;
        _random = random;
        _tokens = new TokenTable<MptcpConnection>(random);
    }

    /// <summary>Raised when a passive connection completes its handshake and waits in the accept queue.</summary>
    public event Action<MptcpConnection>? ConnectionAccepted;

    /// <summary>Gets the options.</summary>
    public MptcpOptions Options => _options;

    /// <summary>Gets the live connections.</summary>
    public IReadOnlyList<MptcpConnection> Connections => _connections;

    /// <summary>Gets the host's path-manager endpoints with their address IDs and flags (<c>ip mptcp endpoint show</c>).</summary>
    public IReadOnlyList<PathEndpoint> Endpoints => _pathEndpoints;

    /// <summary>Gets the host's table of the privacy profile's live join tokens (made on first use).</summary>
    public JoinTokenTable<MptcpConnection> ProfileTokens => _profileTokens ??= new JoinTokenTable<MptcpConnection>(_options.Privacy.JoinTokens);

    /// <summary>Gets the draft mode's token resolver over every live connection's key (made on first use).</summary>
    internal DraftTokenResolver<MptcpConnection> DraftTokens => _draftTokens ??= new DraftTokenResolver<MptcpConnection>(_options.Privacy.DraftReading, _options.Privacy.DraftZeroBits);

    /// <summary>
    /// Gets each path's score for signs of an attacker (<see cref="MptcpOptions.SubflowScoring"/>), by
    /// local and remote address, as last blamed (a score older than <see cref="SubflowScoring.Memory"/>
    /// counts as zero: <see cref="PathScore"/>).
    /// </summary>
    public IReadOnlyDictionary<(IpAddressBytes Local, IpAddressBytes Remote), int> PathScores => _pathScores;

    /// <summary>
    /// Adds one to the score of <paramref name="subflow"/>'s path for a sign of an attacker, and moves
    /// every connection off the path once the score reaches the thresholds (no-op without scoring).
    /// </summary>
    internal void Blame(TimeSpan now, MptcpSubflow subflow, string why)
    {
        if (_options.SubflowScoring is not { } scoring)
        {
            return;
        }

        var path = (subflow.Tuple.LocalAddress, subflow.Tuple.RemoteAddress);
        int score = _pathScores[path] = PathScore(path.LocalAddress, path.RemoteAddress, now) + 1;
        _pathBlamedAt[path] = now;
        foreach (MptcpConnection connection in _connections)
        {
            connection.OnPathBlamed(now, path.LocalAddress, path.RemoteAddress, score, scoring, why);
        }
    }

    /// <summary>Returns the score of the path between the two addresses at <paramref name="now"/>: zero once its last sign is older than <see cref="SubflowScoring.Memory"/>.</summary>
    public int PathScore(IpAddressBytes local, IpAddressBytes remote, TimeSpan now) =>
        _options.SubflowScoring is { } scoring && _pathBlamedAt.TryGetValue((local, remote), out TimeSpan at) && now - at < scoring.Memory
            ? _pathScores[(local, remote)]
            : 0;

    /// <summary>Returns whether scoring shuns the path between the two addresses at <paramref name="now"/>: no join is opened or accepted on it.</summary>
    internal bool IsShunned(IpAddressBytes local, IpAddressBytes remote, TimeSpan now) =>
        _options.SubflowScoring is { } scoring && PathScore(local, remote, now) >= scoring.ResetAt;

    /// <summary>Gets the random source keys, nonces and ports come from.</summary>
    internal Random Random => _random;

    /// <summary>Gets segments refused for lack of a connection (answered with a reset).</summary>
    public long SegmentsRefused { get; private set; }

    /// <summary>Gets SYNs refused because this host requires the privacy profile and they did not offer it.</summary>
    public long ProfileRefusals { get; private set; }

    /// <summary>Gets passive connections reset before their handshake completed, and forgotten.</summary>
    public long HalfOpenDiscarded { get; private set; }

    /// <summary>Gets MP_JOIN SYNs refused because no connection holds their token.</summary>
    public long JoinsUnknownToken { get; private set; }

    internal TimeSpan LastNow { get; private set; }

    /// <summary>
    /// Adds an endpoint, as <c>ip mptcp endpoint add ADDRESS [port PORT] FLAGS</c>: an address of
    /// this host and what every connection's path manager does with it (<see cref="EndpointFlags.Signal"/>:
    /// announce it; <see cref="EndpointFlags.Subflow"/>: open a subflow from it; <see cref="EndpointFlags.Backup"/>:
    /// as a backup). Live connections act on it at once (mobility: an interface came up). Returns the
    /// endpoint with its address ID, the next free one.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Refused as <c>ip mptcp</c> refuses it: the address (and port) is an endpoint already, signal
    /// with fullmesh, a port on anything but a signal-only endpoint, or more than
    /// <see cref="PathManagerOptions.MaxEndpoints"/> endpoints.
    /// </exception>
    public PathEndpoint AddEndpoint(IpAddressBytes address, EndpointFlags flags = EndpointFlags.None, ushort? port = null, TimeSpan now = default)
    {
        PathEndpoint endpoint = PathManagerOptions.Validate(new PathEndpoint(0, address, flags, port), _pathEndpoints);
        _pathEndpoints.Add(endpoint);
        LastNow = Max(LastNow, now);
        foreach (MptcpConnection c in _connections.ToArray())
        {
            c.OnLocalEndpointAdded(LastNow, endpoint);
        }

        return endpoint;
    }

    /// <summary>
    /// Withdraws <paramref name="address"/> (mobility: an interface lost it; or <c>ip mptcp endpoint
    /// delete</c>): its endpoints go, and on every connection the subflows from it close and the peer
    /// gets REMOVE_ADDR. An address that is no endpoint, such as a connection's initial one, is
    /// withdrawn from the connections all the same.
    /// </summary>
    public void RemoveEndpoint(IpAddressBytes address, TimeSpan now)
    {
        _pathEndpoints.RemoveAll(e => e.Address == address);
        LastNow = Max(LastNow, now);
        foreach (MptcpConnection c in _connections.ToArray())
        {
            c.OnLocalAddressLost(LastNow, address);
        }
    }

    /// <summary>
    /// Sets or clears the backup flag of <paramref name="address"/>'s endpoint (<c>ip mptcp endpoint
    /// change ... backup|nobackup</c>); live connections tell the peer with MP_PRIO (RFC 8684 §3.3.8).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="address"/> is no endpoint.</exception>
    public void SetEndpointBackup(IpAddressBytes address, bool backup, TimeSpan now)
    {
        int index = _pathEndpoints.FindIndex(e => e.Address == address);
        if (index < 0)
        {
            throw new ArgumentException($"{address} is no endpoint", nameof(address));
        }

        PathEndpoint endpoint = _pathEndpoints[index];
        _pathEndpoints[index] = endpoint with { Flags = backup ? endpoint.Flags | EndpointFlags.Backup : endpoint.Flags & ~EndpointFlags.Backup };
        LastNow = Max(LastNow, now);
        foreach (MptcpConnection c in _connections.ToArray())
        {
            c.OnEndpointBackupChanged(LastNow, endpoint.Id, backup);
        }
    }

    /// <summary>Accepts connections on <paramref name="port"/>.</summary>
    public void Listen(ushort port) => _listening.Add(port);

    /// <summary>Takes the next connection that completed its handshake, if any.</summary>
    public bool TryAccept(out MptcpConnection connection) => _accepted.TryDequeue(out connection!);

    /// <summary>Opens a connection from <paramref name="local"/> to <paramref name="remote"/>:<paramref name="remotePort"/>; the SYN goes out on the next poll.</summary>
    public MptcpConnection Connect(TimeSpan now, IpAddressBytes local, IpAddressBytes remote, ushort remotePort)
    {
        LastNow = Max(LastNow, now);
        MptcpConnection connection = NewConnection(isClient: true);
        var tuple = new FourTuple(local, EphemeralPort(local, remote, remotePort), remote, remotePort);
        TcpSubflow tcp = NewTcp(tuple, connection);
        var subflow = new MptcpSubflow(connection, tcp, tuple, SubflowRole.InitialActive, 0, backup: false);
        connection.AddSubflow(subflow);
        _subflows[tuple] = subflow;
        tcp.Connect(now);
        return connection;
    }

    /// <summary>Takes one TCP segment (its checksum already verified) that arrived from <paramref name="source"/> for <paramref name="destination"/>.</summary>
    public void OnSegment(TimeSpan now, IpAddressBytes source, IpAddressBytes destination, in TcpHeader segment)
    {
        LastNow = Max(LastNow, now);
        var tuple = new FourTuple(destination, segment.DestinationPort, source, segment.SourcePort);
        if (_subflows.TryGetValue(tuple, out MptcpSubflow? subflow))
        {
            subflow.Connection.OnSegment(now, subflow, segment);
            CheckAccepted(subflow.Connection);
            return;
        }

        TcpFlags flags = segment.Flags;
        bool synOnly = (flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst)) == TcpFlags.Syn;
        if (!synOnly || !_listening.Contains(segment.DestinationPort))
        {
            Refuse(tuple, segment);
            return;
        }

        MpCapableOption? capable = null;
        MpJoinOption? join = null;
        foreach (MptcpOption parsed in new MptcpOptionReader(segment.ReadOptions()))
        {
            if (parsed.Subtype == MptcpSubtype.MpCapable)
            {
                capable = parsed.MpCapable;
            }
            else if (parsed.Subtype == MptcpSubtype.MpJoin && parsed.MpJoin.Form == MpJoinForm.Syn)
            {
                join = parsed.MpJoin;
            }
        }

        if (join is { } j)
        {
            AcceptJoin(now, tuple, segment, j);
            return;
        }

        MptcpConnection connection = NewConnection(isClient: false);
        if (capable is not { } c || c.Version != 1 || !_options.Enabled)
        {
            connection.FallBack(now, capable is null ? "the SYN carried no MP_CAPABLE" : "unsupported MPTCP version");
        }
        else
        {
            connection.SetChecksumsFromSyn((c.Flags & MpCapableFlags.ChecksumRequired) != 0);
        }

        if ((connection.IsFallback && _options.Privacy.Mode == PrivacyMode.Profile && _options.Privacy.Required)
            || (!connection.IsFallback && !connection.Privacy.OnHandshakeOptions(now, segment, synAck: false)))
        {
            // This host requires the privacy profile and the SYN does not offer it: refused, not run without.
            ProfileRefusals++;
            Drop(connection);
            Refuse(tuple, segment, MpTcpRstReason.AdministrativelyProhibited);
            return;
        }

        TcpSubflow tcp = NewTcp(tuple, connection);
        var subflow2 = new MptcpSubflow(connection, tcp, tuple, SubflowRole.InitialPassive, 0, backup: false);
        connection.AddSubflow(subflow2);
        _subflows[tuple] = subflow2;
        tcp.Listen();
        connection.OnSegment(now, subflow2, segment);
    }

    /// <summary>Writes the next segment to send into <paramref name="buffer"/> and returns its length (0 for none); <paramref name="tuple"/> says between which addresses. The TCP checksum is left zero.</summary>
    public int PollTransmit(TimeSpan now, Span<byte> buffer, out FourTuple tuple)
    {
        LastNow = Max(LastNow, now);
        if (_replies.TryDequeue(out var reply))
        {
            reply.Segment.CopyTo(buffer);
            tuple = reply.Tuple;
            return reply.Segment.Length;
        }

        int count = _connections.Count;
        for (int i = 0; i < count && i < _connections.Count; i++)
        {
            int index = (_pollCursor + i) % _connections.Count;
            MptcpConnection c = _connections[index];
            int length = c.PollTransmit(now, buffer, out MptcpSubflow? from);
            if (length > 0)
            {
                _pollCursor = index + 1;
                tuple = from!.Tuple;
                return length;
            }
        }

        // Closed connections leave once they have nothing more to send.
        for (int i = _connections.Count - 1; i >= 0; i--)
        {
            MptcpConnection c = _connections[i];
            if (c.State == MptcpConnectionState.Closed && c.Subflows.All(s => s.Tcp.State == TcpState.Closed))
            {
                foreach (MptcpSubflow sf in c.Subflows)
                {
                    _subflows.Remove(sf.Tuple);
                    if (c.FastClosing && c.HasRemoteKey && !c.IsFallback)
                    {
                        RememberFastClosed(sf.Tuple, c.RemoteKey);
                    }
                }

                _connections.RemoveAt(i);
            }
        }

        tuple = default;
        return 0;
    }

    /// <summary>Gets the earliest time the stack wants to be polled, or null for none.</summary>
    public TimeSpan? NextDeadline()
    {
        if (_replies.Count > 0)
        {
            return LastNow;
        }

        TimeSpan? earliest = null;
        foreach (MptcpConnection c in _connections)
        {
            if (c.NextDeadline is { } d && (earliest is null || d < earliest))
            {
                earliest = d;
            }
        }

        return earliest;
    }

    /// <summary>Opens the join <paramref name="open"/> its path manager decided on for <paramref name="connection"/>; the SYN goes out on the next poll.</summary>
    internal void OpenJoin(TimeSpan now, MptcpConnection connection, OpenSubflow open)
    {
        var tuple = new FourTuple(open.LocalAddress, EphemeralPort(open.LocalAddress, open.RemoteAddress, open.RemotePort), open.RemoteAddress, open.RemotePort);
        TcpSubflow tcp = NewTcp(tuple, connection);
        var subflow = new MptcpSubflow(connection, tcp, tuple, SubflowRole.JoinActive, open.LocalId, open.Backup) { PathId = open.SubflowId };
        subflow.StartJoin((uint)_random.NextInt64(0, 1L << 32));
        connection.AddSubflow(subflow);
        _subflows[tuple] = subflow;
        tcp.Connect(now);
    }

    internal void Unregister(MptcpSubflow subflow)
    {
        if (_subflows.TryGetValue(subflow.Tuple, out MptcpSubflow? registered) && registered == subflow)
        {
            _subflows.Remove(subflow.Tuple);
        }
    }

    private void RememberFastClosed(FourTuple tuple, ulong remoteKey)
    {
        if (_fastClosed.TryAdd(tuple, remoteKey))
        {
            _fastClosedOrder.Enqueue(tuple);
            if (_fastClosedOrder.Count > FastClosedRemembered)
            {
                _fastClosed.Remove(_fastClosedOrder.Dequeue());
            }
        }
    }

    internal void OnConnectionClosed(MptcpConnection connection)
    {
        _tokens.Remove(connection.LocalKey.Token, connection);
        _draftTokens?.Remove(connection);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void AcceptJoin(TimeSpan now, FourTuple tuple, in TcpHeader segment, MpJoinOption join)
    {
        if (!TryFindJoinConnection(tuple, join, out MptcpConnection? connection, out JoinReservation<MptcpConnection>? reservation)
            || !connection.HasRemoteKey || connection.IsFallback || connection.State != MptcpConnectionState.Established)
        {
            if (reservation is { } held)
            {
                ProfileTokens.Release(held);
            }

            JoinsUnknownToken++;
            Refuse(tuple, segment, MpTcpRstReason.MptcpSpecific);
            return;
        }

        if ((_options.DenyJoinToInitialAddress && tuple.LocalAddress == connection.Subflows[0].Tuple.LocalAddress)
            || IsShunned(tuple.LocalAddress, tuple.RemoteAddress, LastNow)
            || connection.OnJoinRequest(tuple, join) is not { } accepted)
        {
            // We said so with the C flag (RFC 8684 §3.1), or the path manager refused.
            if (reservation is { } held)
            {
                ProfileTokens.Release(held);
            }

            if (_options.DenyJoinToInitialAddress && tuple.LocalAddress == connection.Subflows[0].Tuple.LocalAddress)
            {
                connection.Counters.JoinsOverLimit++;
            }

            Refuse(tuple, segment, MpTcpRstReason.AdministrativelyProhibited);
            return;
        }

        // Our B flag in the SYN/ACK: a join to a backup endpoint is a backup (as Linux's mptcp_pm_is_backup).
        bool backup = _pathEndpoints.Exists(e => e.Address == tuple.LocalAddress && e.IsBackup);
        TcpSubflow tcp = NewTcp(tuple, connection);
        var subflow = new MptcpSubflow(connection, tcp, tuple, SubflowRole.JoinPassive, accepted.LocalId, backup) { PathId = accepted.Id };
        subflow.AcceptJoin(join.SenderNonce, join.AddressId, join.Backup, (uint)_random.NextInt64(0, 1L << 32));
        if (reservation is { } r && connection.Privacy is ProfilePrivacy profile)
        {
            profile.OnJoinReserved(subflow, r);
        }

        connection.AddSubflow(subflow);
        _subflows[tuple] = subflow;
        tcp.Listen();
        connection.OnSegment(now, subflow, segment);
    }

    /// <summary>
    /// Finds the connection of an MP_JOIN SYN: by the profile's 64-bit single-use token (one hash
    /// lookup, reserved until the join's HMAC verifies), by the draft's per-join token (every live
    /// connection's key tried, as the draft says), or by RFC 8684's static token. A connection that
    /// runs the profile or the draft is never found by its static token: whoever saw its keys could
    /// compute that one.
    /// </summary>
    private bool TryFindJoinConnection(FourTuple tuple, in MpJoinOption join, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MptcpConnection? connection, out JoinReservation<MptcpConnection>? reservation)
    {
        reservation = null;
        if (_profileTokens is { LiveTokens: > 0 } table
            && table.TryReserve(JoinToken.FromSynFields(join.ReceiverToken, join.SenderNonce), out JoinReservation<MptcpConnection> held) == JoinLookupResult.Reserved)
        {
            reservation = held;
            connection = held.Connection;
            return true;
        }

        if (_draftTokens is { Count: > 0 } draft)
        {
            // The joining address as this host sees it: after a NAT, not the one the joiner hashed.
            _draftCandidates.Clear();
            draft.Resolve(join.ReceiverToken, tuple.RemoteAddress, null, _draftCandidates);
            foreach (MptcpConnection candidate in _draftCandidates)
            {
                if (candidate.State == MptcpConnectionState.Established)
                {
                    connection = candidate;
                    return true;
                }
            }
        }

        if (_tokens.TryFind(join.ReceiverToken, out MptcpConnection found) && found.PrivacyMode == PrivacyMode.Standard)
        {
            connection = found;
            return true;
        }

        connection = null;
        return false;
    }

    private void CheckAccepted(MptcpConnection connection)
    {
        if (!connection.IsClient && !connection.Accepted && connection.Subflows.Count > 0
            && connection.Subflows[0].Tcp.State is TcpState.Listen or TcpState.Closed)
        {
            // The handshake was reset before it completed (a client refusing a SYN/ACK, say): nothing
            // was handed out, so nothing is kept.
            ForgetHalfOpen(connection);
            return;
        }

        // A passive connection is handed out once its first subflow is established (and, for MPTCP, the peer's key is known).
        if (!connection.IsClient && !connection.Accepted && connection.State == MptcpConnectionState.Established
            && connection.Subflows[0].Tcp.State is not (TcpState.Listen or TcpState.SynReceived or TcpState.Closed))
        {
            connection.Accepted = true;
            _accepted.Enqueue(connection);
            ConnectionAccepted?.Invoke(connection);
        }
    }

    private void ForgetHalfOpen(MptcpConnection connection)
    {
        Drop(connection);
        HalfOpenDiscarded++;
    }

    private void Drop(MptcpConnection connection)
    {
        foreach (MptcpSubflow sf in connection.Subflows)
        {
            Unregister(sf);
        }

        connection.Privacy.OnClosed();
        OnConnectionClosed(connection);
        _connections.Remove(connection);
    }

    private MptcpConnection NewConnection(bool isClient)
    {
        var connection = new MptcpConnection(this, _options, isClient);
        if (_options.Enabled)
        {
            if (_tokens.TryAdd(connection, out LocalKey key))
            {
                connection.UseLocalKey(key);
            }
            else
            {
                // Every draw clashed (RFC 8684 §3.1, as Linux): this connection runs as plain TCP.
                connection.FallBack(LastNow, "no unique token could be drawn");
            }
        }

        _connections.Add(connection);
        return connection;
    }

    private TcpSubflow NewTcp(FourTuple tuple, MptcpConnection connection) =>
        new(_options.Subflow with { LocalPort = tuple.LocalPort, RemotePort = tuple.RemotePort }, _random, connection.NewCongestionControl());

    private ushort EphemeralPort(IpAddressBytes local, IpAddressBytes remote, ushort remotePort)
    {
        // Linux's default ip_local_port_range; a few draws find a free one, a bounded scan the rest.
        for (int attempt = 0; attempt < 64; attempt++)
        {
            ushort port = (ushort)_random.Next(32768, 61000);
            if (!_subflows.ContainsKey(new FourTuple(local, port, remote, remotePort)))
            {
                return port;
            }
        }

        for (int port = 32768; port < 61000; port++)
        {
            if (!_subflows.ContainsKey(new FourTuple(local, (ushort)port, remote, remotePort)))
            {
                return (ushort)port;
            }
        }

        throw new InvalidOperationException("No ephemeral port is free for this address pair.");
    }

    private void Refuse(FourTuple tuple, in TcpHeader segment, MpTcpRstReason? reason = null)
    {
        TcpFlags flags = segment.Flags;
        if ((flags & TcpFlags.Rst) != 0)
        {
            return;
        }

        SegmentsRefused++;
        Span<byte> options = stackalloc byte[MpTcpRstOption.Length + MpFastCloseOption.Length];
        if ((flags & TcpFlags.Syn) != 0)
        {
            _fastClosed.Remove(tuple);
        }
        else if (_fastClosed.TryGetValue(tuple, out ulong remoteKey))
        {
            reason ??= MpTcpRstReason.Unspecified;
            int fastClose = new MpFastCloseOption(remoteKey).Encode(options[MpTcpRstOption.Length..]);
            options = options[..(MpTcpRstOption.Length + fastClose)];
        }
        else
        {
            options = options[..MpTcpRstOption.Length];
        }

        int optionLength = reason is { } r ? new MpTcpRstOption(MpTcpRstFlags.None, (byte)r).Encode(options) : 0;
        if (optionLength == 0)
        {
            options = default;
        }
        var fields = (flags & TcpFlags.Ack) != 0
            ? new TcpHeaderFields { SourcePort = tuple.LocalPort, DestinationPort = tuple.RemotePort, SequenceNumber = segment.AcknowledgmentNumber, Flags = TcpFlags.Rst }
            : new TcpHeaderFields
            {
                SourcePort = tuple.LocalPort,
                DestinationPort = tuple.RemotePort,
                AcknowledgmentNumber = unchecked(segment.SequenceNumber + (uint)segment.Payload.Length + ((flags & TcpFlags.Syn) != 0 ? 1u : 0u) + ((flags & TcpFlags.Fin) != 0 ? 1u : 0u)),
                Flags = TcpFlags.Rst | TcpFlags.Ack,
            };
        Span<byte> bytes = stackalloc byte[TcpHeader.MinimumLength + MpTcpRstOption.Length + MpFastCloseOption.Length];
        int length = fields.Encode(bytes, options);
        if (_replies.Count < 64)
        {
            // Bounded: a flood of forged SYNs cannot grow memory; beyond it, resets are simply not sent.
            _replies.Enqueue((tuple, bytes[..length].ToArray()));
        }
    }
}
