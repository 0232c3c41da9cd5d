namespace MptcpPrivacy.Simulation;

/// <summary>One address a host holds, with the interface it is on.</summary>
/// <param name="InterfaceIndex">The interface.</param>
/// <param name="Address">The address and its prefix length.</param>
public readonly record struct HostAddress(int InterfaceIndex, InterfaceAddress Address);
