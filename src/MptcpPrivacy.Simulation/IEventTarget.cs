namespace MptcpPrivacy.Simulation;

/// <summary>
/// What a simulator event calls when it fires: a link channel finishing or delivering a packet, a
/// node's wake-up, a caller's action. The event carries its own state, so scheduling one allocates
/// nothing (a lambda per event was a fifth of a scenario's allocations).
/// </summary>
internal interface IEventTarget
{
    /// <summary>Runs the event scheduled with <paramref name="kind"/>, <paramref name="state"/> and <paramref name="argument"/> at <paramref name="time"/>.</summary>
    void Fire(long time, int kind, object? state, long argument);
}
