using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Stack.Mptcp.PathManagement;

/// <summary>
/// A <see cref="PathPolicy"/> wrapped around a <see cref="KernelPathManager"/>: the kernel model keeps
/// the bookkeeping (address IDs, limits, echoes), and this decides what it is shown and which of its
/// actions go out. See <c>docs/design/path-policies.md</c>.
/// </summary>
/// <remarks>
/// <para>
/// Modes work by what the inner manager is given. <see cref="PathPolicyMode.Aggregate"/> gives it
/// everything. The others hold back every endpoint that would announce or open a subflow (in a
/// reserve), and the peer's announcements (echoed at once, followed later); they hand the inner
/// manager one of them when the mode wants a new path: <see cref="PathPolicyMode.Backup"/> when no
/// healthy subflow is left, <see cref="PathPolicyMode.Handover"/> also when a new address appears.
/// The inner limits bound the rest: none for <see cref="PathPolicyMode.Off"/>, one additional subflow
/// for backup, two (the active one and its successor) for handover, and <see cref="PathPolicy.MaxSubflows"/>.
/// </para>
/// <para>
/// Rules on the inner manager's actions, in every mode: no join before
/// <see cref="OnFullyEstablished"/> (the connection calls it once the secret exists); joins spaced by
/// <see cref="PathPolicy.MaxJoinsPerSecond"/>; no announcement of an address
/// <see cref="PathPolicy.Allows"/> refuses or beyond <see cref="PathPolicy.MaxAnnouncements"/> (the
/// inner manager is told it was echoed, so it moves on); no REMOVE_ADDR for an ID the peer was never shown.
/// </para>
/// <para>
/// Time comes from the clock given at construction, which the connection wires to the time its host
/// was last called with (never a wall clock), and from <see cref="OnTimer"/>.
/// </para>
/// </remarks>
public sealed class PolicyPathManager : IPathManager
{
    private readonly PathPolicy _policy;
    private readonly KernelPathManager _inner;
    private readonly Func<TimeSpan> _clock;
    private readonly IpAddressBytes _peer;
    private readonly List<PathEndpoint> _reserve = [];
    private readonly List<(byte Id, IpAddressBytes Address, ushort? Port)> _heldAnnouncements = [];
    private readonly List<OpenSubflow> _deferred = [];
    private readonly HashSet<byte> _shownIds = [0];
    private readonly HashSet<int> _failed = [];
    private readonly HashSet<int> _established = [KernelPathManager.InitialSubflowId];
    private readonly HashSet<int> _opened = [];
    private readonly List<IpAddressBytes> _waiting = [];
    private readonly JoinRateLimiter? _joins;
    private bool _fullyEstablished;
    private int? _handoverTarget;
    private (TimeSpan At, int[] Subflows)? _drain;

    /// <summary>
    /// Creates the path manager of a connection whose initial subflow runs from
    /// <paramref name="localAddress"/> to <paramref name="remoteAddress"/>:<paramref name="remotePort"/>,
    /// under <paramref name="policy"/>, reading the time from <paramref name="clock"/> (injected, never a wall clock).
    /// </summary>
    public PolicyPathManager(
        PathPolicy policy,
        PathManagerOptions options,
        IpAddressBytes localAddress,
        IpAddressBytes remoteAddress,
        ushort remotePort,
        Func<TimeSpan> clock,
        bool peerDeniesJoinToInitialAddress = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        _policy = policy;
        _clock = clock;
        _peer = remoteAddress;
        if (policy.MaxJoinsPerSecond is { } rate)
        {
            _joins = new JoinRateLimiter(rate, policy.JoinBurst);
        }

        var given = new List<PathEndpoint>();
        foreach (PathEndpoint e in options.Endpoints)
        {
            // An endpoint that neither announces nor opens anything, or holds the initial address,
            // only names an address: the inner manager keeps its ID.
            bool acts = e.Has(EndpointFlags.Signal) || e.Has(EndpointFlags.Subflow);
            (policy.Mode == PathPolicyMode.Aggregate || !acts || e.Address == localAddress ? given : _reserve).Add(e);
        }

        int additional = policy.Mode switch
        {
            PathPolicyMode.Off => 0,
            PathPolicyMode.Backup => 1,
            PathPolicyMode.Handover => 2,
            _ => PathManagerLimits.Maximum,
        };
        additional = Math.Min(Math.Min(additional, options.Limits.Subflows), Math.Max((policy.MaxSubflows ?? int.MaxValue) - 1, 0));
        int accepted = policy.Mode == PathPolicyMode.Off ? 0 : options.Limits.AddAddrAccepted;
        _inner = new KernelPathManager(
            new PathManagerOptions(new PathManagerLimits(additional, accepted), given),
            localAddress,
            remoteAddress,
            remotePort,
            peerDeniesJoinToInitialAddress);
    }

    /// <summary>Gets the policy.</summary>
    public PathPolicy Policy => _policy;

    /// <inheritdoc/>
    public IReadOnlyList<PathSubflow> Subflows => _inner.Subflows;

    /// <inheritdoc/>
    public int AddAddrIgnored => _inner.AddAddrIgnored;

    /// <summary>Gets how many ADD_ADDR announcements went out.</summary>
    public int Announcements { get; private set; }

    /// <summary>Gets how many announcements the policy withheld (scope or <see cref="PathPolicy.MaxAnnouncements"/>).</summary>
    public int AnnouncementsWithheld { get; private set; }

    /// <summary>Gets how many joins waited for a token of <see cref="PathPolicy.MaxJoinsPerSecond"/> or for the secret.</summary>
    public int JoinsDeferred { get; private set; }

    /// <inheritdoc/>
    public TimeSpan? NextDeadline
    {
        get
        {
            TimeSpan? next = _drain?.At;
            if (_fullyEstablished && _deferred.Count > 0)
            {
                TimeSpan token = _joins?.NextTokenAt(_clock()) ?? _clock();
                next = next is { } d && d < token ? d : token;
            }

            return next;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnFullyEstablished()
    {
        _fullyEstablished = true;
        List<PathAction> actions = Filter(_inner.OnFullyEstablished());
        actions.AddRange(ResumeHandover());
        return actions;
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnSubflowEstablished(int subflowId)
    {
        List<PathAction> actions = Filter(_inner.OnSubflowEstablished(subflowId));
        _established.Add(subflowId);

        // Only a join we opened moves us: the peer's join is followed through its own MP_PRIO and
        // closes, and a join whose opener we cannot trust (an on-path attacker who saw the keys)
        // must not evict the user's subflows.
        if (_policy.Mode == PathPolicyMode.Handover && _opened.Contains(subflowId))
        {
            // Make before break: the others become backups now (the scheduler and the peer move
            // their traffic) and close once their data in flight has had time to drain. Only
            // established ones: a join still in its handshake has not proven its HMAC, and an
            // MP_PRIO (with its data ACK) on it would answer whoever sent the SYN.
            _handoverTarget = null;
            int[] old = [.. _inner.Subflows.Where(s => s.Id != subflowId && _established.Contains(s.Id)).Select(s => s.Id)];
            foreach (int id in old)
            {
                actions.Add(new SetBackup(id, true));
            }

            _drain = old.Length == 0 ? null : (_clock() + _policy.HandoverDrain, old);
            actions.AddRange(ResumeHandover());
        }

        return actions;
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnSubflowClosed(int subflowId)
    {
        _deferred.RemoveAll(o => o.SubflowId == subflowId);
        _established.Remove(subflowId);
        if (_handoverTarget == subflowId)
        {
            _handoverTarget = null;
        }

        if (_drain is { } drain && drain.Subflows.Contains(subflowId))
        {
            // Drained early (its address went, or the peer closed it): the handover is over once none is left.
            int[] left = [.. drain.Subflows.Where(id => id != subflowId)];
            _drain = left.Length == 0 ? null : (drain.At, left);
        }

        _failed.Add(subflowId);
        List<PathAction> actions = Filter(_inner.OnSubflowClosed(subflowId));
        actions.AddRange(NewPathIfNeeded());
        actions.AddRange(ResumeHandover());
        return actions;
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnSubflowStale(int subflowId) =>
        _failed.Add(subflowId) ? NewPathIfNeeded() : [];

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnTimer(TimeSpan now)
    {
        var actions = new List<PathAction>();
        if (_drain is { } drain && drain.At <= now)
        {
            _drain = null;
            foreach (int id in drain.Subflows)
            {
                if (_inner.Subflows.Any(s => s.Id == id))
                {
                    actions.Add(new CloseSubflow(id));
                }
            }

            actions.AddRange(ResumeHandover());
        }

        ReleaseDeferred(actions);
        return actions;
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnAddAddrReceived(byte addressId, IpAddressBytes address, ushort? port)
    {
        if (_policy.Mode is PathPolicyMode.Aggregate or PathPolicyMode.Off)
        {
            return Filter(_inner.OnAddAddrReceived(addressId, address, port));
        }

        // Echoed now (RFC 8684 §3.4.1), followed only when the mode wants a new path.
        _heldAnnouncements.RemoveAll(h => h.Id == addressId);
        _heldAnnouncements.Add((addressId, address, port));
        var actions = new List<PathAction> { new EchoAnnounce(addressId, address, port) };
        actions.AddRange(_policy.Mode == PathPolicyMode.Handover ? Handover(address) : NewPathIfNeeded());
        return actions;
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnAddAddrEchoed(byte addressId) => Filter(_inner.OnAddAddrEchoed(addressId));

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnRemoveAddrReceived(ReadOnlySpan<byte> addressIds)
    {
        foreach (byte id in addressIds)
        {
            _heldAnnouncements.RemoveAll(h => h.Id == id);
        }

        return Filter(_inner.OnRemoveAddrReceived(addressIds));
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnLocalEndpointAdded(PathEndpoint endpoint)
    {
        if (_policy.Mode == PathPolicyMode.Aggregate || !(endpoint.Has(EndpointFlags.Signal) || endpoint.Has(EndpointFlags.Subflow)))
        {
            return Filter(_inner.OnLocalEndpointAdded(endpoint));
        }

        _reserve.Add(PathManagerOptions.Validate(endpoint, [.. _reserve, .. _inner.Endpoints]));
        return _policy.Mode == PathPolicyMode.Handover ? Handover(endpoint.Address) : NewPathIfNeeded();
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnLocalEndpointRemoved(byte endpointId) =>
        _reserve.RemoveAll(e => e.Id == endpointId) > 0 ? [] : Filter(_inner.OnLocalEndpointRemoved(endpointId));

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnLocalAddressLost(IpAddressBytes address)
    {
        _reserve.RemoveAll(e => e.Address == address);
        return Filter(_inner.OnLocalAddressLost(address));
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnEndpointBackupChanged(byte endpointId, bool backup)
    {
        int index = _reserve.FindIndex(e => e.Id == endpointId);
        if (index < 0)
        {
            return Filter(_inner.OnEndpointBackupChanged(endpointId, backup));
        }

        PathEndpoint e = _reserve[index];
        _reserve[index] = e with { Flags = backup ? e.Flags | EndpointFlags.Backup : e.Flags & ~EndpointFlags.Backup };
        return [];
    }

    /// <inheritdoc/>
    public int? OnJoinRequest(IpAddressBytes localAddress, byte remoteId, IpAddressBytes remoteAddress, ushort remotePort, bool backup)
    {
        // The peer's join names our address: it must be one it was shown (this connection's or an announced one).
        int? id = _inner.OnJoinRequest(localAddress, remoteId, remoteAddress, remotePort, backup);
        if (id is { } accepted && _inner.Subflows.FirstOrDefault(s => s.Id == accepted) is { } subflow)
        {
            _shownIds.Add(subflow.LocalId);
        }

        return id;
    }

    /// <summary>
    /// Handover: moves to the path <paramref name="address"/> (ours or the peer's) just appeared on,
    /// or, while a handover is under way (its join in its handshake or the old subflows draining) or
    /// before the secret, remembers that it waits: it goes when that ends (<see cref="ResumeHandover"/>).
    /// </summary>
    private List<PathAction> Handover(IpAddressBytes address)
    {
        _waiting.Remove(address);
        _waiting.Add(address);
        return ResumeHandover();
    }

    /// <summary>
    /// Handover: once nothing is under way, moves to the newest held path if one appeared while
    /// something was (an address gone since then no longer counts).
    /// </summary>
    private List<PathAction> ResumeHandover()
    {
        _waiting.RemoveAll(a => !_reserve.Exists(e => e.Address == a) && !_heldAnnouncements.Exists(h => h.Address == a));
        if (_policy.Mode != PathPolicyMode.Handover || _waiting.Count == 0 || !_fullyEstablished || _handoverTarget is not null || _drain is not null)
        {
            return [];
        }

        IpAddressBytes newest = _waiting[^1];
        _waiting.Clear();
        return NewPath(newest);
    }

    /// <summary>Backup and handover: a new path once no healthy subflow is left.</summary>
    private List<PathAction> NewPathIfNeeded()
    {
        bool healthyLeft = _inner.Subflows.Any(s => !_failed.Contains(s.Id));
        return _policy.Mode is PathPolicyMode.Backup or PathPolicyMode.Handover && !healthyLeft ? NewPath() : [];
    }

    /// <summary>
    /// Hands the inner manager the next held path, <paramref name="preferred"/>'s first when given,
    /// then the newest reserved endpoint, else the latest peer's announcement, until one opens a
    /// join; one path at a time, and only once fully established.
    /// </summary>
    private List<PathAction> NewPath(IpAddressBytes? preferred = null)
    {
        var actions = new List<PathAction>();
        if (!_fullyEstablished || _handoverTarget is not null || _drain is not null)
        {
            return actions;
        }

        // The newest is taken first: move the preferred one to the end of its list.
        if (preferred is { } p && _reserve.FindIndex(e => e.Address == p) is >= 0 and int r)
        {
            PathEndpoint endpoint = _reserve[r];
            _reserve.RemoveAt(r);
            _reserve.Add(endpoint);
        }
        else if (preferred is { } q && _heldAnnouncements.FindIndex(h => h.Address == q) is >= 0 and int h)
        {
            (byte id, IpAddressBytes address, ushort? port) = _heldAnnouncements[h];
            _heldAnnouncements.RemoveAt(h);
            actions.AddRange(Filter(_inner.OnAddAddrReceived(id, address, port)).Where(a => a is not EchoAnnounce));
        }

        while (!actions.Exists(a => a is OpenSubflow) && (_reserve.Count > 0 || _heldAnnouncements.Count > 0))
        {
            if (_reserve.Count > 0)
            {
                PathEndpoint endpoint = _reserve[^1];
                _reserve.RemoveAt(_reserve.Count - 1);
                actions.AddRange(Filter(_inner.OnLocalEndpointAdded(endpoint)));
            }
            else
            {
                (byte id, IpAddressBytes address, ushort? port) = _heldAnnouncements[^1];
                _heldAnnouncements.RemoveAt(_heldAnnouncements.Count - 1);

                // Echoed when it arrived.
                actions.AddRange(Filter(_inner.OnAddAddrReceived(id, address, port)).Where(a => a is not EchoAnnounce));
            }
        }

        if (_policy.Mode == PathPolicyMode.Handover && actions.Find(a => a is OpenSubflow) is OpenSubflow open)
        {
            _handoverTarget = open.SubflowId;
        }

        return actions;
    }

    /// <summary>Applies the policy's rules to the inner manager's <paramref name="actions"/>.</summary>
    private List<PathAction> Filter(IReadOnlyList<PathAction> actions)
    {
        var result = new List<PathAction>(actions.Count);
        foreach (PathAction action in actions)
        {
            switch (action)
            {
                case OpenSubflow open:
                    _deferred.Add(open);
                    break;
                case Announce announce when !_policy.Allows(announce.Address, _peer) || Announcements >= (_policy.MaxAnnouncements ?? int.MaxValue):
                    // Withheld; the inner manager takes it as echoed and goes on to its next address.
                    AnnouncementsWithheld++;
                    result.AddRange(Filter(_inner.OnAddAddrEchoed(announce.AddressId)));
                    break;
                case Announce announce:
                    Announcements++;
                    _shownIds.Add(announce.AddressId);
                    result.Add(announce);
                    break;
                case RemoveAddress remove when !_shownIds.Contains(remove.AddressId):
                    break;
                case CloseSubflow close when _deferred.RemoveAll(o => o.SubflowId == close.SubflowId) > 0:
                    break;
                default:
                    result.Add(action);
                    break;
            }
        }

        ReleaseDeferred(result);
        foreach (PathAction action in actions)
        {
            JoinsDeferred += action is OpenSubflow open && _deferred.Contains(open) ? 1 : 0;
        }

        return result;
    }

    /// <summary>Sends the joins held back, in order, as far as the secret and the rate allow.</summary>
    private void ReleaseDeferred(List<PathAction> actions)
    {
        while (_fullyEstablished && _deferred.Count > 0 && (_joins?.TryTake(_clock()) ?? true))
        {
            OpenSubflow open = _deferred[0];
            _deferred.RemoveAt(0);
            _shownIds.Add(open.LocalId);
            _opened.Add(open.SubflowId);
            actions.Add(open);
        }
    }
}
