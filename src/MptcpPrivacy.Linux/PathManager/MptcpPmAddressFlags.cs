namespace MptcpPrivacy.Linux.PathManager;

/// <summary>The flags of an <c>mptcp_pm</c> address (<c>MPTCP_PM_ADDR_FLAG_*</c>, <c>include/uapi/linux/mptcp.h</c>).</summary>
[Flags]
public enum MptcpPmAddressFlags : uint
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>Announce it (ANNOUNCE requires it; SUBFLOW_CREATE refuses it).</summary>
    Signal = 1 << 0,

    /// <summary>Open subflows from it.</summary>
    Subflow = 1 << 1,

    /// <summary>Backup (MP_JOIN B flag, MP_PRIO).</summary>
    Backup = 1 << 2,

    /// <summary>Open subflows from it to every peer address.</summary>
    Fullmesh = 1 << 3,

    /// <summary>Created by the kernel for an address a subflow used (never set by us).</summary>
    Implicit = 1 << 4,
}
