namespace MptcpPrivacy.Linux.PathManager;

/// <summary>The top-level attributes of <c>mptcp_pm</c> commands (<c>MPTCP_PM_ATTR_*</c>, <c>include/uapi/linux/mptcp_pm.h</c>).</summary>
public enum MptcpPmAttribute : ushort
{
    /// <summary>Unused.</summary>
    Unspec = 0,

    /// <summary>Nested <see cref="MptcpPmAddressAttribute"/>: the local address (and ID, flags, port).</summary>
    Address = 1,

    /// <summary>u32: the add_addr_accepted limit.</summary>
    ReceiveAddAddrs = 2,

    /// <summary>u32: the subflows limit.</summary>
    Subflows = 3,

    /// <summary>u32: the connection's token.</summary>
    Token = 4,

    /// <summary>u8: a local address ID (REMOVE).</summary>
    LocalId = 5,

    /// <summary>Nested <see cref="MptcpPmAddressAttribute"/>: the remote address and port.</summary>
    RemoteAddress = 6,
}
