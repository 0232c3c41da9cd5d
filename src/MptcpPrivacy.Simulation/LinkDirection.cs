namespace MptcpPrivacy.Simulation;

/// <summary>One of the two directions of a full-duplex <see cref="Link"/>.</summary>
public enum LinkDirection
{
    /// <summary>From end A (the first node given to <see cref="Simulator.Connect"/>) to end B.</summary>
    AToB = 0,

    /// <summary>From end B to end A.</summary>
    BToA = 1,
}
