namespace MptcpPrivacy.Linux.PathManager;

/// <summary>The attributes nested in an <c>mptcp_pm</c> address (<c>MPTCP_PM_ADDR_ATTR_*</c>, <c>include/uapi/linux/mptcp_pm.h</c>; policy in <c>net/mptcp/mptcp_pm_gen.c</c>).</summary>
public enum MptcpPmAddressAttribute : ushort
{
    /// <summary>Unused.</summary>
    Unspec = 0,

    /// <summary>u16: AF_INET or AF_INET6 (required by the userspace PM's commands).</summary>
    Family = 1,

    /// <summary>u8: the address ID (RFC 8684 §3.4.1).</summary>
    Id = 2,

    /// <summary>4 bytes in network order (policy NLA_U32): an IPv4 address.</summary>
    Address4 = 3,

    /// <summary>16 bytes: an IPv6 address.</summary>
    Address6 = 4,

    /// <summary>u16 in host order: a port.</summary>
    Port = 5,

    /// <summary>u32: <see cref="MptcpPmAddressFlags"/>.</summary>
    Flags = 6,

    /// <summary>s32: an interface index.</summary>
    InterfaceIndex = 7,
}
