namespace MptcpPrivacy.Linux.PathManager;

/// <summary>
/// The events of the <c>mptcp_pm</c> generic netlink family (<c>enum mptcp_event_type</c>,
/// <c>include/uapi/linux/mptcp_pm.h</c>), multicast on group <c>mptcp_pm_events</c>; the value is the
/// generic netlink command of the event message.
/// </summary>
public enum MptcpEventType : byte
{
    /// <summary>Unused.</summary>
    Unspec = 0,

    /// <summary>A connection was created (MP_CAPABLE handshake); not yet usable for joins.</summary>
    Created = 1,

    /// <summary>The connection is fully established (RFC 8684 §3.1): subflows may be added.</summary>
    Established = 2,

    /// <summary>The connection closed.</summary>
    Closed = 3,

    /// <summary>The peer announced an address (ADD_ADDR, RFC 8684 §3.4.1); the kernel echoes it itself.</summary>
    Announced = 6,

    /// <summary>The peer withdrew an address (REMOVE_ADDR, RFC 8684 §3.4.2).</summary>
    Removed = 7,

    /// <summary>A subflow (ours or the peer's join) is established.</summary>
    SubflowEstablished = 10,

    /// <summary>A subflow closed, or a join failed.</summary>
    SubflowClosed = 11,

    /// <summary>A subflow's backup priority changed (MP_PRIO, RFC 8684 §3.3.8).</summary>
    SubflowPriority = 13,

    /// <summary>The path manager created a listener (for a port announced with an address).</summary>
    ListenerCreated = 15,

    /// <summary>A path-manager listener closed.</summary>
    ListenerClosed = 16,
}
