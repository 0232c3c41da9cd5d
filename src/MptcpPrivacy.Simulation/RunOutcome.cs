namespace MptcpPrivacy.Simulation;

/// <summary>Why <see cref="Simulator.RunUntilIdle"/> stopped.</summary>
public enum RunOutcome
{
    /// <summary>No event is left.</summary>
    Idle,

    /// <summary>The next event is after the time limit.</summary>
    TimeLimit,

    /// <summary>The event budget ran out with events still waiting.</summary>
    EventLimit,
}
