namespace MptcpPrivacy.Linux.PathManager;

/// <summary>The commands of the <c>mptcp_pm</c> generic netlink family (<c>MPTCP_PM_CMD_*</c>, <c>include/uapi/linux/mptcp_pm.h</c>).</summary>
public enum MptcpPmCommandType : byte
{
    /// <summary>Unused.</summary>
    Unspec = 0,

    /// <summary>In-kernel PM: add an endpoint (<c>ip mptcp endpoint add</c>).</summary>
    AddAddr = 1,

    /// <summary>In-kernel PM: delete an endpoint.</summary>
    DelAddr = 2,

    /// <summary>In-kernel PM: read endpoints.</summary>
    GetAddr = 3,

    /// <summary>In-kernel PM: delete every endpoint.</summary>
    FlushAddrs = 4,

    /// <summary>In-kernel PM: set the limits.</summary>
    SetLimits = 5,

    /// <summary>In-kernel PM: read the limits.</summary>
    GetLimits = 6,

    /// <summary>Change an endpoint's or (with a token) a subflow's backup flag: MP_PRIO (RFC 8684 §3.3.8).</summary>
    SetFlags = 7,

    /// <summary>Userspace PM: announce a local address to the peer (ADD_ADDR, RFC 8684 §3.4.1).</summary>
    Announce = 8,

    /// <summary>Userspace PM: withdraw an announced or used local address (REMOVE_ADDR, RFC 8684 §3.4.2).</summary>
    Remove = 9,

    /// <summary>Userspace PM: open a subflow (MP_JOIN, RFC 8684 §3.2).</summary>
    SubflowCreate = 10,

    /// <summary>Userspace PM: close a subflow.</summary>
    SubflowDestroy = 11,
}
