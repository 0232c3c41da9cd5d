namespace MptcpPrivacy.Stack.Mptcp.PathManagement;

/// <summary>
/// What the path manager does with a local endpoint, as the flags of <c>ip mptcp endpoint add</c>
/// (Linux's <c>MPTCP_PM_ADDR_FLAG_*</c>).
/// </summary>
[Flags]
public enum EndpointFlags
{
    /// <summary>Known, but neither announced nor used to open subflows.</summary>
    None = 0,

    /// <summary>Announce the address to the peer with ADD_ADDR (RFC 8684 §3.4.1).</summary>
    Signal = 1,

    /// <summary>Open a subflow from the address to the peer's initial address (MP_JOIN, RFC 8684 §3.2).</summary>
    Subflow = 2,

    /// <summary>Subflows from the address are backups: MP_JOIN with B=1, MP_PRIO on change (RFC 8684 §3.3.8).</summary>
    Backup = 4,

    /// <summary>Open subflows from the address to every known peer address, not only the initial one.</summary>
    Fullmesh = 8,
}
