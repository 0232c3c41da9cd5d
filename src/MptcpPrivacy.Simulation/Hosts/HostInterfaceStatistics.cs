namespace MptcpPrivacy.Simulation;

/// <summary>What a <see cref="HostInterfaces"/> let through and what it stopped, in both directions.</summary>
public sealed class HostInterfaceStatistics
{
    /// <summary>Gets the packets handed out to leave by an interface.</summary>
    public long Sent { get; internal set; }

    /// <summary>Gets the outgoing packets dropped because no interface holds their source address (it was removed, or never was).</summary>
    public long DroppedNoSourceAddress { get; internal set; }

    /// <summary>Gets the outgoing packets dropped because their source address's interface is down.</summary>
    public long DroppedInterfaceDown { get; internal set; }

    /// <summary>Gets the arriving packets accepted as addressed to the host.</summary>
    public long Accepted { get; internal set; }

    /// <summary>Gets the arriving packets that did not read as IPv4 or IPv6, were cut short, or had a wrong IPv4 header checksum.</summary>
    public long DiscardedMalformed { get; internal set; }

    /// <summary>Gets the arriving packets whose destination is none of the host's addresses.</summary>
    public long DiscardedNotForUs { get; internal set; }

    /// <summary>Gets the packets that arrived on an interface that is down.</summary>
    public long DiscardedInterfaceDown { get; internal set; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"sent {Sent}, no source address {DroppedNoSourceAddress}, sent on a down interface {DroppedInterfaceDown}, " +
        $"accepted {Accepted}, malformed {DiscardedMalformed}, not for us {DiscardedNotForUs}, arrived on a down interface {DiscardedInterfaceDown}";
}
