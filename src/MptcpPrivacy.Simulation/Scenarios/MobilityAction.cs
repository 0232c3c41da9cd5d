namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>What a <see cref="MobilityEvent"/> does to the client.</summary>
public enum MobilityAction
{
    /// <summary>An address appears on the path's interface ("add=ADDRESS").</summary>
    AddAddress,

    /// <summary>An address goes away from the path's interface ("remove=ADDRESS").</summary>
    RemoveAddress,

    /// <summary>The client's interface of the path goes down ("interface=down"); it keeps its addresses.</summary>
    InterfaceDown,

    /// <summary>The client's interface of the path comes back up ("interface=up").</summary>
    InterfaceUp,
}
