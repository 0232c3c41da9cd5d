using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;

namespace MptcpPrivacy.Scenarios;

/// <summary>What one direction of a scenario's transfer achieved.</summary>
/// <param name="BytesSent">Bytes the sender wrote.</param>
/// <param name="BytesDelivered">Bytes the receiver read.</param>
/// <param name="SentSha256">SHA-256 of what was written (hex), once all was written; null with <see cref="ContentCheck.Pattern"/>.</param>
/// <param name="DeliveredSha256">SHA-256 of what was read (hex), once the sender's DATA_FIN arrived; null with <see cref="ContentCheck.Pattern"/>.</param>
/// <param name="Complete">Whether everything arrived and matched what was sent (the digests, or every byte with <see cref="ContentCheck.Pattern"/>).</param>
/// <param name="GoodputBitsPerSecond">Bytes delivered × 8 over the time from the connection's start to the last byte read.</param>
public sealed record DirectionResult(long BytesSent, long BytesDelivered, string? SentSha256, string? DeliveredSha256, bool Complete, double GoodputBitsPerSecond);

/// <summary>
/// The outcome of a scenario: both directions, the connection's life, and what the network did. The
/// single-connection fields describe the first connection; <see cref="Connections"/> has every one.
/// </summary>
public sealed record ScenarioResult
{
    /// <summary>Gets the seed the run used.</summary>
    public required int Seed { get; init; }

    /// <summary>Gets the client-to-server direction.</summary>
    public required DirectionResult Upload { get; init; }

    /// <summary>Gets the server-to-client direction.</summary>
    public required DirectionResult Download { get; init; }

    /// <summary>Gets the virtual time the run took, in seconds.</summary>
    public required double DurationSeconds { get; init; }

    /// <summary>Gets the subflows the client's connection opened (including the first).</summary>
    public required int SubflowsOpened { get; init; }

    /// <summary>Gets the subflows that completed their handshake.</summary>
    public required int SubflowsEstablished { get; init; }

    /// <summary>Gets the subflows that closed or failed.</summary>
    public required int SubflowsClosed { get; init; }

    /// <summary>Gets whether the connection fell back to plain TCP, and why.</summary>
    public required string? Fallback { get; init; }

    /// <summary>Gets the client connection's events, in order.</summary>
    public required IReadOnlyList<MptcpEvent> ClientEvents { get; init; }

    /// <summary>Gets the server connection's events, in order.</summary>
    public required IReadOnlyList<MptcpEvent> ServerEvents { get; init; }

    /// <summary>Gets per-subflow byte counts at the client: (subflow, bytes it carried).</summary>
    public required IReadOnlyList<(FourTuple Subflow, long BytesSent)> ClientSubflows { get; init; }

    /// <summary>Gets per-subflow byte counts at the server.</summary>
    public required IReadOnlyList<(FourTuple Subflow, long BytesSent)> ServerSubflows { get; init; }

    /// <summary>Gets the client connection's counters.</summary>
    public required MptcpCounters ClientCounters { get; init; }

    /// <summary>Gets the server connection's counters.</summary>
    public required MptcpCounters ServerCounters { get; init; }

    /// <summary>Gets each link's statistics by direction: (link name, "a->b" or "b->a", statistics).</summary>
    public required IReadOnlyList<(string Link, string Direction, LinkStatistics Statistics)> Links { get; init; }

    /// <summary>Gets the simulator's events processed.</summary>
    public required long SimulatorEvents { get; init; }

    /// <summary>Gets how the run stopped.</summary>
    public required RunOutcome Outcome { get; init; }

    /// <summary>Gets every connection's outcome, the first one first (<see cref="ScenarioSpec.Connections"/> of them).</summary>
    public IReadOnlyList<ConnectionResult> Connections { get; init; } = [];

    /// <summary>Gets the client's first connection as it was when the run stopped (for inspection).</summary>
    public MptcpConnection? ClientConnection { get; init; }

    /// <summary>Gets the server's side of the first connection as it was when the run stopped (for inspection).</summary>
    public MptcpConnection? ServerConnection { get; init; }

    /// <summary>Gets whether both directions of every connection arrived complete and byte-exact.</summary>
    public bool Success => Upload.Complete && Download.Complete && Connections.All(c => c.Success);
}
