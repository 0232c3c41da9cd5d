namespace MptcpPrivacy.Simulation;

/// <summary>One entry of a routing table: packets to <paramref name="Prefix"/> leave by <paramref name="InterfaceIndex"/>.</summary>
/// <param name="Prefix">The destinations the route covers.</param>
/// <param name="InterfaceIndex">The interface they leave by.</param>
public readonly record struct Route(IpPrefix Prefix, int InterfaceIndex);
