namespace MptcpPrivacy.Linux.PathManager;

/// <summary>The attributes of <c>mptcp_pm</c> events (<c>enum mptcp_event_attr</c>, <c>include/uapi/linux/mptcp_pm.h</c>).</summary>
public enum MptcpEventAttribute : ushort
{
    /// <summary>Unused.</summary>
    Unspec = 0,

    /// <summary>u32: the connection's token (RFC 8684 §3.2), which commands name it by.</summary>
    Token = 1,

    /// <summary>u16: AF_INET or AF_INET6.</summary>
    Family = 2,

    /// <summary>u8: our address ID of the subflow's local address.</summary>
    LocalId = 3,

    /// <summary>u8: the peer's address ID of the subflow's remote address (or of an announced or removed address).</summary>
    RemoteId = 4,

    /// <summary>4 bytes: the local IPv4 address.</summary>
    SourceAddress4 = 5,

    /// <summary>16 bytes: the local IPv6 address.</summary>
    SourceAddress6 = 6,

    /// <summary>4 bytes: the remote IPv4 address.</summary>
    DestinationAddress4 = 7,

    /// <summary>16 bytes: the remote IPv6 address.</summary>
    DestinationAddress6 = 8,

    /// <summary>be16: the local port.</summary>
    SourcePort = 9,

    /// <summary>be16: the remote port.</summary>
    DestinationPort = 10,

    /// <summary>u8: whether the subflow is a backup.</summary>
    Backup = 11,

    /// <summary>u8: the subflow's socket error (errno), if any.</summary>
    Error = 12,

    /// <summary>u16: connection flags (MPTCP_PM_EV_FLAG_*).</summary>
    Flags = 13,

    /// <summary>u32: a timeout.</summary>
    Timeout = 14,

    /// <summary>s32: the interface the subflow is bound to.</summary>
    InterfaceIndex = 15,

    /// <summary>u32: the MP_TCPRST reason (RFC 8684 §3.6) of a closed subflow.</summary>
    ResetReason = 16,

    /// <summary>u32: the MP_TCPRST flags of a closed subflow.</summary>
    ResetFlags = 17,

    /// <summary>u8: whether this host is the connection's server (it accepted the MP_CAPABLE SYN).</summary>
    ServerSide = 18,
}
