using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Stack.Mptcp.PathManagement;

/// <summary>A subflow as the path manager accounts for it: the address IDs and addresses at each end.</summary>
/// <param name="Id">The subflow's identifier; 0 is the initial (MP_CAPABLE) subflow.</param>
/// <param name="LocalId">Our address ID for its local address (0 for the initial address).</param>
/// <param name="LocalAddress">Its local address.</param>
/// <param name="RemoteId">The peer's address ID for its remote address (0 for the peer's initial address).</param>
/// <param name="RemoteAddress">Its remote address.</param>
/// <param name="RemotePort">Its remote port.</param>
/// <param name="Backup">Whether it is a backup subflow.</param>
public sealed record PathSubflow(
    int Id,
    byte LocalId,
    IpAddressBytes LocalAddress,
    byte RemoteId,
    IpAddressBytes RemoteAddress,
    ushort RemotePort,
    bool Backup)
{
    /// <summary>Gets whether this is the connection's initial subflow.</summary>
    public bool IsInitial => Id == 0;
}
