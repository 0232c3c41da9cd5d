using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Stack.Mptcp.PathManagement;

/// <summary>
/// The path-management policy of one MPTCP connection (RFC 8684 §3.4): which subflows to open,
/// which addresses to announce or withdraw, and what to do with the peer's. Pure decisions: each
/// event returns the actions to take, and the connection reports their outcome as further events.
/// </summary>
public interface IPathManager
{
    /// <summary>Gets the subflows the path manager accounts for, the initial one first.</summary>
    IReadOnlyList<PathSubflow> Subflows { get; }

    /// <summary>Gets how many peer ADD_ADDRs were echoed but not followed: beyond the limits, or naming a live ID with another address.</summary>
    int AddAddrIgnored { get; }

    /// <summary>Takes the connection becoming fully established (RFC 8684 §3.1): the time to announce and open.</summary>
    IReadOnlyList<PathAction> OnFullyEstablished();

    /// <summary>Takes the handshake of an additional subflow completing.</summary>
    IReadOnlyList<PathAction> OnSubflowEstablished(int subflowId);

    /// <summary>Takes a subflow closing or failing to open (reset, timeout, refused join).</summary>
    IReadOnlyList<PathAction> OnSubflowClosed(int subflowId);

    /// <summary>Takes a peer's ADD_ADDR (E=0) whose HMAC the connection has verified.</summary>
    IReadOnlyList<PathAction> OnAddAddrReceived(byte addressId, IpAddressBytes address, ushort? port);

    /// <summary>
    /// Takes the peer's echo of one of our ADD_ADDR options, or the connection giving up
    /// retransmitting it unechoed (Linux moves on after <c>ADD_ADDR_RETRANS_MAX</c>).
    /// </summary>
    IReadOnlyList<PathAction> OnAddAddrEchoed(byte addressId);

    /// <summary>Takes a peer's REMOVE_ADDR listing <paramref name="addressIds"/>.</summary>
    IReadOnlyList<PathAction> OnRemoveAddrReceived(ReadOnlySpan<byte> addressIds);

    /// <summary>Takes a local endpoint appearing (a new address, <c>ip mptcp endpoint add</c>).</summary>
    IReadOnlyList<PathAction> OnLocalEndpointAdded(PathEndpoint endpoint);

    /// <summary>Takes a local endpoint being withdrawn (<c>ip mptcp endpoint del id K</c>).</summary>
    IReadOnlyList<PathAction> OnLocalEndpointRemoved(byte endpointId);

    /// <summary>Takes a local address disappearing (interface down), endpoint or not.</summary>
    IReadOnlyList<PathAction> OnLocalAddressLost(IpAddressBytes address);

    /// <summary>Takes a change of an endpoint's backup flag (<c>ip mptcp endpoint change id K backup</c>).</summary>
    IReadOnlyList<PathAction> OnEndpointBackupChanged(byte endpointId, bool backup);

    /// <summary>
    /// Decides on a peer's MP_JOIN SYN arriving at <paramref name="localAddress"/> from
    /// <paramref name="remoteAddress"/>:<paramref name="remotePort"/> (its address ID
    /// <paramref name="remoteId"/>, B flag <paramref name="backup"/>): returns the new subflow's id, or
    /// null to refuse it (answer with a reset, RFC 8684 §3.2).
    /// </summary>
    int? OnJoinRequest(IpAddressBytes localAddress, byte remoteId, IpAddressBytes remoteAddress, ushort remotePort, bool backup);

    /// <summary>
    /// Gets when the path manager next wants <see cref="OnTimer"/> (a join spaced by a rate limit, an
    /// old subflow to close after a handover), or null; the kernel model has no timers.
    /// </summary>
    TimeSpan? NextDeadline => null;

    /// <summary>Takes the connection's timers running at <paramref name="now"/>: returns what has come due.</summary>
    IReadOnlyList<PathAction> OnTimer(TimeSpan now) => [];

    /// <summary>
    /// Takes subflow <paramref name="subflowId"/> being stale (retransmission timeouts in a row, see
    /// <see cref="MptcpOptions.StaleAfterTimeouts"/>); reported on every timer run while it is. The
    /// kernel model ignores it, as Linux's in-kernel path manager does.
    /// </summary>
    IReadOnlyList<PathAction> OnSubflowStale(int subflowId) => [];
}
