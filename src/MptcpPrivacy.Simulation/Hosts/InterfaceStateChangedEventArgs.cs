namespace MptcpPrivacy.Simulation;

/// <summary>Says that an interface of a <see cref="HostInterfaces"/> went up or down.</summary>
/// <param name="time">The virtual time of the change in nanoseconds.</param>
/// <param name="interfaceIndex">The interface.</param>
/// <param name="isUp">Whether it is up now.</param>
public sealed class InterfaceStateChangedEventArgs(long time, int interfaceIndex, bool isUp) : EventArgs
{
    /// <summary>Gets the virtual time of the change in nanoseconds.</summary>
    public long Time { get; } = time;

    /// <summary>Gets the interface.</summary>
    public int InterfaceIndex { get; } = interfaceIndex;

    /// <summary>Gets whether the interface is up now.</summary>
    public bool IsUp { get; } = isUp;
}
