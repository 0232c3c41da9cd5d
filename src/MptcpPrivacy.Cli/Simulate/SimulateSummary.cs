using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;

namespace MptcpPrivacy.Cli.Simulate;

/// <summary>
/// One run of <c>simulate</c> as both summaries (text and JSON) show it: the scenario played, the
/// request's stack options and capture, the result, and what is derived from them once for both.
/// </summary>
/// <param name="Spec">The scenario played.</param>
/// <param name="Request">The request, for the options that are not part of a scenario.</param>
/// <param name="Result">What the run achieved.</param>
internal sealed record SimulateSummary(ScenarioSpec Spec, SimulateRequest Request, ScenarioResult Result)
{
    /// <summary>Gets why the run stopped: "done", "event-limit", "time-limit" or "stalled" (docs/simulate-json.md).</summary>
    public string End =>
        Result.Success ? "done"
        : Result.Outcome == Simulation.RunOutcome.EventLimit ? "event-limit"
        : Result.DurationSeconds * 1e9 >= Spec.DurationNs ? "time-limit"
        : "stalled";

    /// <summary>Gets both connections' events in time order, the client's first at equal times.</summary>
    public IReadOnlyList<(string Host, MptcpEvent Event)> Events =>
        [.. Result.ClientEvents.Select(e => ("client", e)).Concat(Result.ServerEvents.Select(e => ("server", e))).OrderBy(e => e.Item2.Time)];
}
