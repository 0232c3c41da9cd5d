namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>What the kernel's in-kernel path manager does with an endpoint (<c>ip mptcp endpoint add ... FLAGS</c>).</summary>
[Flags]
public enum MptcpEndpointFlags
{
    /// <summary>The address is only known, neither announced nor used for new subflows.</summary>
    None = 0,

    /// <summary>The host announces the address to its peers (ADD_ADDR, RFC 8684 §3.4.1).</summary>
    Signal = 1,

    /// <summary>The host opens subflows from the address to its peers (MP_JOIN, RFC 8684 §3.2).</summary>
    Subflow = 2,

    /// <summary>Subflows on the address are backups (the B bit, MP_PRIO, RFC 8684 §3.3.8).</summary>
    Backup = 4,

    /// <summary>Subflows from the address go to every address the peer announced.</summary>
    Fullmesh = 8,
}
