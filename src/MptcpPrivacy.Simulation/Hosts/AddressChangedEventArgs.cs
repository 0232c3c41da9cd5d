namespace MptcpPrivacy.Simulation;

/// <summary>Whether an address appeared on an interface or went away.</summary>
public enum AddressChangeKind
{
    /// <summary>The address was added and may be used from now on.</summary>
    Added,

    /// <summary>The address was removed; packets from it are dropped from now on.</summary>
    Removed,
}

/// <summary>Says that an address of a <see cref="HostInterfaces"/> appeared or went away.</summary>
/// <param name="time">The virtual time of the change in nanoseconds.</param>
/// <param name="interfaceIndex">The interface the address is (or was) on.</param>
/// <param name="address">The address and its prefix length.</param>
/// <param name="kind">Whether it was added or removed.</param>
public sealed class AddressChangedEventArgs(long time, int interfaceIndex, InterfaceAddress address, AddressChangeKind kind) : EventArgs
{
    /// <summary>Gets the virtual time of the change in nanoseconds.</summary>
    public long Time { get; } = time;

    /// <summary>Gets the interface the address is (or was) on.</summary>
    public int InterfaceIndex { get; } = interfaceIndex;

    /// <summary>Gets the address and its prefix length.</summary>
    public InterfaceAddress Address { get; } = address;

    /// <summary>Gets whether it was added or removed.</summary>
    public AddressChangeKind Kind { get; } = kind;
}
