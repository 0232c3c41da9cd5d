namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>A path's link going down or coming back up at a virtual time.</summary>
/// <param name="AtNs">When, in nanoseconds from the start.</param>
/// <param name="Up">True when the link comes up, false when it goes down.</param>
public readonly record struct LinkStateChange(long AtNs, bool Up);
