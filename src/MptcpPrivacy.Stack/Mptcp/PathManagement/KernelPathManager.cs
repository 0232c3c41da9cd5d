using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Stack.Mptcp.PathManagement;

/// <summary>
/// The policy of Linux's in-kernel path manager (<c>net/mptcp/pm_kernel.c</c>, configured with
/// <c>ip mptcp limits</c> and <c>ip mptcp endpoint</c>) for one connection, without its I/O.
/// </summary>
/// <remarks>
/// <para>
/// Once the connection is fully established, and again after each event that may free room, it
/// announces the next <see cref="EndpointFlags.Signal"/> endpoint (one ADD_ADDR outstanding at a
/// time, the next after the echo) and opens one subflow from each unused
/// <see cref="EndpointFlags.Subflow"/> endpoint to the peer's initial address, or to every known
/// peer address for a <see cref="EndpointFlags.Fullmesh"/> one, while fewer than
/// <see cref="PathManagerLimits.Subflows"/> additional subflows exist. A peer's ADD_ADDR is always
/// echoed; it is followed (a subflow from each fullmesh endpoint, else from the initial local
/// address) only while fewer than <see cref="PathManagerLimits.AddAddrAccepted"/> have been and the
/// subflow limit allows, and otherwise counted in <see cref="AddAddrIgnored"/>. The same subflow
/// limit bounds the peer's joins.
/// </para>
/// <para>
/// Address IDs (RFC 8684 §3.4.1): 0 names each side's initial address; an endpoint keeps its ID,
/// except the endpoint holding the initial address, which is 0 for this connection. An ID names one
/// address until it is withdrawn with REMOVE_ADDR, after which it may name another: an ADD_ADDR
/// that reuses a live ID for a different address is ignored (Linux does not check this).
/// An endpoint once used is not reused by the same connection while it stays configured, so a
/// failing subflow is not retried in a loop (as the kernel's <c>id_avail_bitmap</c>).
/// </para>
/// </remarks>
public sealed class KernelPathManager : IPathManager
{
    /// <summary>The id of the initial (MP_CAPABLE) subflow.</summary>
    public const int InitialSubflowId = 0;

    private static readonly PathAction[] None = [];

    private readonly PathManagerLimits _limits;
    private readonly List<PathEndpoint> _endpoints;
    private readonly List<PathSubflow> _subflows = [];
    private readonly HashSet<byte> _usedEndpoints = [];
    private readonly Dictionary<byte, PathEndpoint> _announced = [];
    private readonly Dictionary<byte, (IpAddressBytes Address, ushort Port)> _remoteAddresses = [];
    private readonly HashSet<byte> _acceptedRemoteIds = [];
    private readonly Dictionary<IpAddressBytes, byte> _localIds = [];
    private readonly IpAddressBytes _initialLocal;
    private readonly (IpAddressBytes Address, ushort Port) _initialRemote;
    private readonly bool _peerDeniesJoinToInitialAddress;
    private byte? _awaitingEcho;
    private bool _fullyEstablished;
    private int _nextSubflowId = InitialSubflowId + 1;

    /// <summary>
    /// Creates the path manager of a connection whose initial subflow runs from
    /// <paramref name="localAddress"/> to <paramref name="remoteAddress"/>:<paramref name="remotePort"/>.
    /// <paramref name="peerDeniesJoinToInitialAddress"/> is the peer's MP_CAPABLE C flag (RFC 8684
    /// §3.1): no subflow may then be opened to that address.
    /// </summary>
    public KernelPathManager(
        PathManagerOptions options,
        IpAddressBytes localAddress,
        IpAddressBytes remoteAddress,
        ushort remotePort,
        bool peerDeniesJoinToInitialAddress = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        _limits = options.Limits;
        _endpoints = [.. options.Endpoints];
        _initialLocal = localAddress;
        _peerDeniesJoinToInitialAddress = peerDeniesJoinToInitialAddress;
        _initialRemote = (remoteAddress, remotePort);
        _remoteAddresses[0] = _initialRemote;
        _subflows.Add(new PathSubflow(InitialSubflowId, 0, localAddress, 0, remoteAddress, remotePort, Backup: false));
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathSubflow> Subflows => _subflows;

    /// <summary>Gets the local endpoints this connection knows, as configured and changed since.</summary>
    public IReadOnlyList<PathEndpoint> Endpoints => _endpoints;

    /// <summary>Gets the number of subflows besides the initial one, opened by either side (<c>pm.subflows</c>).</summary>
    public int AdditionalSubflows { get; private set; }

    /// <summary>Gets how many peer ADD_ADDRs are being followed (<c>pm.add_addr_accepted</c>).</summary>
    public int AddAddrAccepted => _acceptedRemoteIds.Count;

    /// <summary>Gets how many of our addresses are announced (<c>pm.add_addr_signaled</c>).</summary>
    public int AddAddrSignaled => _announced.Count;

    /// <inheritdoc/>
    public int AddAddrIgnored { get; private set; }

    /// <summary>Gets how many <see cref="EndpointFlags.Subflow"/> endpoints this connection has used (<c>pm.local_addr_used</c>).</summary>
    public int LocalAddrUsed { get; private set; }

    private bool CanAcceptAddress => AddAddrAccepted < _limits.AddAddrAccepted && AdditionalSubflows < _limits.Subflows;

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnFullyEstablished()
    {
        if (_fullyEstablished)
        {
            return None;
        }

        _fullyEstablished = true;
        var actions = new List<PathAction>();

        // The endpoint holding the initial address is this connection's ID 0 and already in use;
        // a backup flag on it is told to the peer with MP_PRIO.
        if (_endpoints.FindIndex(e => e.Address == _initialLocal) is var index and >= 0)
        {
            _usedEndpoints.Add(_endpoints[index].Id);
            int initial = _subflows.FindIndex(s => s.IsInitial);
            if (_endpoints[index].IsBackup && initial >= 0)
            {
                _subflows[initial] = _subflows[initial] with { Backup = true };
                actions.Add(new SetBackup(InitialSubflowId, true));
            }
        }

        CreateSubflowsOrAnnounce(actions);
        return actions;
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnSubflowEstablished(int subflowId) => Pass();

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnSubflowClosed(int subflowId)
    {
        if (_subflows.Find(s => s.Id == subflowId) is not { } closed)
        {
            return None;
        }

        Forget(closed);

        // A freed slot may let an endpoint not yet tried open its subflow; the failed one is not retried.
        return Pass();
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnAddAddrReceived(byte addressId, IpAddressBytes address, ushort? port)
    {
        var actions = new List<PathAction> { new EchoAnnounce(addressId, address, port) };
        ushort remotePort = port ?? _initialRemote.Port;

        // ID 0 is the peer's initial address; any other address under it is bogus (pm.c). A live ID
        // names one address until REMOVE_ADDR (RFC 8684 §3.4.1).
        if (_remoteAddresses.TryGetValue(addressId, out var known) && known.Address != address)
        {
            AddAddrIgnored++;
            return actions;
        }

        // Already connected to it: a repeated announcement, nothing to open (lookup_subflow_by_daddr).
        // Nor to the initial address and port if the peer refused joins there (MP_CAPABLE C flag).
        if (_subflows.Exists(s => s.RemoteAddress == address && s.RemotePort == remotePort)
            || (_peerDeniesJoinToInitialAddress && (address, remotePort) == _initialRemote))
        {
            return actions;
        }

        if (addressId != 0 && !CanAcceptAddress)
        {
            AddAddrIgnored++;
            return actions;
        }

        // From each fullmesh endpoint of the family, else from the initial local address
        // (fill_local_addresses_vec leaves that choice to routing; we take the initial address).
        int opened = 0;
        foreach (PathEndpoint e in _endpoints)
        {
            if (e.Has(EndpointFlags.Fullmesh) && e.Address.Family == address.Family && AdditionalSubflows < _limits.Subflows)
            {
                actions.Add(Open(e.Address, e.Id, addressId, address, remotePort, e.IsBackup));
                opened++;
            }
        }

        if (opened == 0 && _initialLocal.Family == address.Family && AdditionalSubflows < _limits.Subflows)
        {
            actions.Add(Open(_initialLocal, 0, addressId, address, remotePort, backup: false));
            opened++;
        }

        if (opened > 0 && addressId != 0)
        {
            _remoteAddresses[addressId] = (address, remotePort);
            _acceptedRemoteIds.Add(addressId);
        }

        return actions;
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnAddAddrEchoed(byte addressId)
    {
        if (_awaitingEcho != addressId)
        {
            return None;
        }

        _awaitingEcho = null;
        return Pass();
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnRemoveAddrReceived(ReadOnlySpan<byte> addressIds)
    {
        var actions = new List<PathAction>();
        foreach (byte id in addressIds)
        {
            CloseWhere(s => s.RemoteId == id, actions);

            // add_addr_accepted falls only for an address we followed (mptcp_pm_nl_rm_addr); the
            // ID is free to name another address from now on, except 0, the initial address.
            _acceptedRemoteIds.Remove(id);
            if (id != 0)
            {
                _remoteAddresses.Remove(id);
            }
        }

        return actions;
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnLocalEndpointAdded(PathEndpoint endpoint)
    {
        endpoint = PathManagerOptions.Validate(endpoint, _endpoints);
        _endpoints.Add(endpoint);
        if (endpoint.Address == _initialLocal)
        {
            // The initial address added as an endpoint: it is this connection's ID 0, in use.
            _usedEndpoints.Add(endpoint.Id);
        }

        return Pass();
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnLocalEndpointRemoved(byte endpointId)
    {
        int index = _endpoints.FindIndex(e => e.Id == endpointId);
        if (index < 0)
        {
            return None;
        }

        PathEndpoint endpoint = _endpoints[index];
        _endpoints.RemoveAt(index);
        var actions = new List<PathAction>();
        Withdraw(endpoint.Address, actions);

        // The endpoint is available again (__mark_subflow_endp_available).
        if (_usedEndpoints.Remove(endpoint.Id) && endpoint.Has(EndpointFlags.Subflow) && endpoint.Address != _initialLocal)
        {
            LocalAddrUsed--;
        }

        return actions;
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnLocalAddressLost(IpAddressBytes address)
    {
        if (_endpoints.Find(e => e.Address == address) is { Id: not 0 } endpoint)
        {
            return OnLocalEndpointRemoved(endpoint.Id);
        }

        // Not an endpoint: the initial address (ID 0) or one the peer joined to.
        var actions = new List<PathAction>();
        Withdraw(address, actions);
        return actions;
    }

    /// <inheritdoc/>
    public IReadOnlyList<PathAction> OnEndpointBackupChanged(byte endpointId, bool backup)
    {
        int index = _endpoints.FindIndex(e => e.Id == endpointId);
        if (index < 0)
        {
            return None;
        }

        PathEndpoint endpoint = _endpoints[index];
        _endpoints[index] = endpoint with { Flags = backup ? endpoint.Flags | EndpointFlags.Backup : endpoint.Flags & ~EndpointFlags.Backup };
        var actions = new List<PathAction>();
        for (int i = 0; i < _subflows.Count; i++)
        {
            PathSubflow s = _subflows[i];
            if (s.LocalAddress == endpoint.Address && s.Backup != backup)
            {
                _subflows[i] = s with { Backup = backup };
                actions.Add(new SetBackup(s.Id, backup));
            }
        }

        return actions;
    }

    /// <inheritdoc/>
    public int? OnJoinRequest(IpAddressBytes localAddress, byte remoteId, IpAddressBytes remoteAddress, ushort remotePort, bool backup)
    {
        // mptcp_pm_allow_new_subflow: the peer's joins count against the same limit as ours.
        if (AdditionalSubflows >= _limits.Subflows)
        {
            return null;
        }

        byte localId = LocalIdOf(localAddress, _endpoints.Find(e => e.Address == localAddress).Id);
        PathSubflow subflow = new(_nextSubflowId++, localId, localAddress, remoteId, remoteAddress, remotePort, backup);
        _subflows.Add(subflow);
        AdditionalSubflows++;
        return subflow.Id;
    }

    private IReadOnlyList<PathAction> Pass()
    {
        if (!_fullyEstablished)
        {
            return None;
        }

        var actions = new List<PathAction>();
        CreateSubflowsOrAnnounce(actions);
        return actions.Count == 0 ? None : actions;
    }

    /// <summary>mptcp_pm_create_subflow_or_signal_addr: announce the next address, then open subflows while the limits allow.</summary>
    private void CreateSubflowsOrAnnounce(List<PathAction> actions)
    {
        PathEndpoint? signalAndSubflow = null;
        int signalEndpoints = _endpoints.Count(e => e.Has(EndpointFlags.Signal));
        if (AddAddrSignaled < signalEndpoints && _awaitingEcho is null
            && _endpoints.Find(e => e.Has(EndpointFlags.Signal) && !_usedEndpoints.Contains(e.Id)) is { Id: not 0 } signal)
        {
            _usedEndpoints.Add(signal.Id);
            byte id = LocalIdOf(signal.Address, signal.Id);
            _announced[id] = signal;
            _awaitingEcho = id;
            actions.Add(new Announce(id, signal.Address, signal.Port));
            if (signal.Has(EndpointFlags.Subflow))
            {
                signalAndSubflow = signal;
            }
        }

        int subflowEndpoints = _endpoints.Count(e => e.Has(EndpointFlags.Subflow));
        while (LocalAddrUsed < subflowEndpoints && AdditionalSubflows < _limits.Subflows)
        {
            PathEndpoint local;
            if (signalAndSubflow is { } both)
            {
                local = both;
                signalAndSubflow = null;
            }
            else if (_endpoints.Find(e => e.Has(EndpointFlags.Subflow) && !_usedEndpoints.Contains(e.Id)) is { Id: not 0 } next)
            {
                local = next;
            }
            else
            {
                break;
            }

            _usedEndpoints.Add(local.Id);
            if (local.Address != _initialLocal)
            {
                LocalAddrUsed++;
            }

            foreach ((byte remoteId, IpAddressBytes address, ushort port) in RemotesFor(local))
            {
                actions.Add(Open(local.Address, local.Id, remoteId, address, port, local.IsBackup));
            }
        }
    }

    /// <summary>
    /// fill_remote_addresses_vec: the peer's initial address, or for fullmesh every peer address we
    /// know (its initial one and the announcements we followed) not yet joined from this address.
    /// The kernel takes the remote ends of all subflows instead, which on a client is the same set.
    /// </summary>
    private List<(byte Id, IpAddressBytes Address, ushort Port)> RemotesFor(PathEndpoint local)
    {
        var remotes = new List<(byte, IpAddressBytes, ushort)>();
        bool fullmesh = local.Has(EndpointFlags.Fullmesh);
        var reached = new HashSet<byte>(_subflows.Where(s => s.LocalAddress == local.Address).Select(s => s.RemoteId));
        foreach ((byte id, (IpAddressBytes address, ushort port)) in _remoteAddresses.OrderBy(r => r.Key))
        {
            if ((!fullmesh && id != 0) || (_peerDeniesJoinToInitialAddress && id == 0)
                || address.Family != local.Address.Family || (fullmesh && reached.Contains(id))
                || (fullmesh && AdditionalSubflows + remotes.Count >= _limits.Subflows))
            {
                continue;
            }

            remotes.Add((id, address, port));
        }

        return remotes;
    }

    private OpenSubflow Open(IpAddressBytes local, byte endpointId, byte remoteId, IpAddressBytes remote, ushort port, bool backup)
    {
        byte localId = LocalIdOf(local, endpointId);
        var open = new OpenSubflow(_nextSubflowId++, localId, local, remoteId, remote, port, backup);
        _subflows.Add(new PathSubflow(open.SubflowId, localId, local, remoteId, remote, port, backup));
        AdditionalSubflows++;
        return open;
    }

    /// <summary>
    /// Withdraws our address <paramref name="address"/>: REMOVE_ADDR for its ID if it was announced or
    /// in use, its subflows closed, and the ID free to name another address (RFC 8684 §3.4.2).
    /// </summary>
    private void Withdraw(IpAddressBytes address, List<PathAction> actions)
    {
        byte localId;
        if (address == _initialLocal)
        {
            localId = 0;
        }
        else if (!_localIds.Remove(address, out localId))
        {
            return; // never used by this connection
        }

        bool announced = _announced.Remove(localId);
        if (_awaitingEcho == localId)
        {
            _awaitingEcho = null;
        }

        bool inUse = _subflows.Exists(s => s.LocalAddress == address);
        if (announced || inUse)
        {
            actions.Add(new RemoveAddress(localId));
        }

        CloseWhere(s => s.LocalAddress == address, actions);
    }

    private void CloseWhere(Predicate<PathSubflow> match, List<PathAction> actions)
    {
        foreach (PathSubflow s in _subflows.FindAll(match))
        {
            Forget(s);
            actions.Add(new CloseSubflow(s.Id));
        }
    }

    private void Forget(PathSubflow subflow)
    {
        _subflows.Remove(subflow);
        if (!subflow.IsInitial)
        {
            AdditionalSubflows--;
        }
    }

    /// <summary>
    /// This connection's address ID for our <paramref name="address"/> (RFC 8684 §3.4.1): 0 for the
    /// initial address; else the ID it already has; else <paramref name="preferred"/> (the endpoint's
    /// ID) unless another address holds it here; else the lowest ID no address or endpoint holds
    /// (for an address the peer joined that is no endpoint, the kernel's implicit endpoint).
    /// </summary>
    private byte LocalIdOf(IpAddressBytes address, byte preferred)
    {
        if (address == _initialLocal)
        {
            return 0;
        }

        if (_localIds.TryGetValue(address, out byte id))
        {
            return id;
        }

        if (preferred == 0 || _localIds.ContainsValue(preferred))
        {
            preferred = 0;
            for (int candidate = 1; candidate <= byte.MaxValue && preferred == 0; candidate++)
            {
                if (!_localIds.ContainsValue((byte)candidate) && !_endpoints.Exists(e => e.Id == candidate && e.Address != address))
                {
                    preferred = (byte)candidate;
                }
            }

            if (preferred == 0)
            {
                throw new InvalidOperationException("no free address ID");
            }
        }

        _localIds[address] = preferred;
        return preferred;
    }
}
