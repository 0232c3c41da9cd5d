using MptcpPrivacy.Simulation;
using MptcpPrivacy.Stack.Mptcp;

namespace MptcpPrivacy.Scenarios.Proxy;

/// <summary>What a <see cref="ProxyScenarioRunner"/> run achieved, end to end and at the proxy.</summary>
/// <param name="Connections">Each user connection's outcome, from the user's application to the origin's and back (the server's mode is the proxy's).</param>
/// <param name="Relays">The proxy's relays, in the order it opened them.</param>
/// <param name="UserConnections">The user's connections, in the order opened.</param>
/// <param name="OriginConnections">The connections the origin accepted, in the order accepted.</param>
/// <param name="Proxy">The proxy, with its stacks and counters.</param>
/// <param name="Outcome">How the simulation ended.</param>
/// <param name="DurationSeconds">Simulated time at the end.</param>
public sealed record ProxyScenarioResult(
    IReadOnlyList<ConnectionResult> Connections,
    IReadOnlyList<ProxyRelay> Relays,
    IReadOnlyList<MptcpConnection> UserConnections,
    IReadOnlyList<MptcpConnection> OriginConnections,
    TerminatingProxyNode Proxy,
    RunOutcome Outcome,
    double DurationSeconds)
{
    /// <summary>Gets whether every connection arrived complete and byte-exact in both directions.</summary>
    public bool Success => Connections.Count > 0 && Connections.All(c => c.Success);
}
