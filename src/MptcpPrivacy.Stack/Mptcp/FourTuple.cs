using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Stack.Mptcp;

/// <summary>A subflow's addresses and ports as seen from this host: the key segments are demultiplexed by.</summary>
/// <param name="LocalAddress">This host's address.</param>
/// <param name="LocalPort">This host's port.</param>
/// <param name="RemoteAddress">The peer's address.</param>
/// <param name="RemotePort">The peer's port.</param>
public readonly record struct FourTuple(IpAddressBytes LocalAddress, ushort LocalPort, IpAddressBytes RemoteAddress, ushort RemotePort)
{
    /// <inheritdoc/>
    public override string ToString() => LocalAddress.IsV4
        ? $"{LocalAddress}:{LocalPort} -> {RemoteAddress}:{RemotePort}"
        : $"[{LocalAddress}]:{LocalPort} -> [{RemoteAddress}]:{RemotePort}";
}
