using System.Reflection;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;

namespace MptcpPrivacy.Benchmarks.Simulation;

/// <summary>
/// The fixed scenarios the simulation benchmarks run, and the counts their figures are divided by.
/// Every scenario is seeded, so the same name gives the same packets on every run and machine.
/// </summary>
internal static class SimulationWorkload
{
    /// <summary>The bytes the client uploads in every scenario (nothing comes back but acknowledgements).</summary>
    public const long UploadBytes = 20_000_000;

    /// <summary>Gets the scenario names, in the order the benchmarks list them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["clean", "loss1%"];

    /// <summary>Returns the named scenario: two 100 Mbit/s paths of 20 and 60 ms RTT, <paramref name="uploadBytes"/> one way; "loss1%" loses 1% on each path and direction.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static ScenarioSpec Spec(string name, long uploadBytes = UploadBytes)
    {
        string loss = name switch
        {
            "clean" => "",
            "loss1%" => ",loss=1%",
            _ => throw new ArgumentException($"Unknown scenario {name}; known: {string.Join(", ", Names)}.", nameof(name)),
        };

        return new ScenarioSpec
        {
            Paths = [PathSpec.Parse($"rate=100M,rtt=20ms,queue=170{loss}"), PathSpec.Parse($"rate=100M,rtt=60ms,queue=500{loss}")],
            ClientToServerBytes = uploadBytes,
            ServerToClientBytes = 0,
            Seed = 1,
            DurationNs = 600_000_000_000,
        };
    }

    /// <summary>Gets the names of the content checks the applications can make: "sha256" (the documented workload) and "pattern".</summary>
    public static IReadOnlyList<string> Checks { get; } = ["sha256", "pattern"];

    /// <summary>
    /// Runs the scenario and returns its result, throwing when the transfer did not complete (a
    /// broken run would give flattering figures). <paramref name="check"/> "sha256" has both
    /// applications digest both directions; "pattern" has the receiver compare every byte with the
    /// sender's content instead (<c>ContentCheck.Pattern</c>).
    /// </summary>
    /// <exception cref="NotSupportedException">"pattern" on a revision of the stack without content checks (a base of bench/sim-before-after.sh).</exception>
    public static ScenarioResult Run(ScenarioSpec spec, string check = "sha256")
    {
        ScenarioResult result = check switch
        {
            "sha256" => ScenarioRunner.Run(spec),
            "pattern" => RunWithPatternCheck(spec),
            _ => throw new ArgumentException($"Unknown content check {check}; known: {string.Join(", ", Checks)}.", nameof(check)),
        };
        if (!result.Success)
        {
            throw new InvalidOperationException($"The scenario did not complete: {result.Outcome}, {result.Upload.BytesDelivered} of {spec.ClientToServerBytes} bytes delivered.");
        }

        return result;
    }

    // Reflection, because bench/sim-before-after.sh builds this harness against older revisions
    // too, whose ScenarioRunner has no content check parameter: there it fails at run time, not at
    // build time, and only when "pattern" is asked for.
    private static ScenarioResult RunWithPatternCheck(ScenarioSpec spec)
    {
        Type? checkType = typeof(ScenarioRunner).Assembly.GetType("MptcpPrivacy.Scenarios.ContentCheck");
        MethodInfo? run = checkType is null ? null : typeof(ScenarioRunner).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == nameof(ScenarioRunner.Run) && m.GetParameters().Any(p => p.ParameterType == checkType));
        if (run is null)
        {
            throw new NotSupportedException("This revision of the stack has no content check: only sha256 runs.");
        }

        object?[] arguments = run.GetParameters().Select(p => p.ParameterType == checkType ? Enum.Parse(checkType!, "Pattern") : p.Position == 0 ? spec : p.DefaultValue).ToArray();
        return (ScenarioResult)run.Invoke(null, arguments)!;
    }

    /// <summary>
    /// Returns the packets the simulator carried: every packet a link handed to a node, summed over
    /// every link and direction (a data segment counts twice, client to router and router to server;
    /// a packet lost on a link is not counted).
    /// </summary>
    public static long PacketsDelivered(ScenarioResult result) => result.Links.Sum(l => l.Statistics.Delivered);

    /// <summary>
    /// Returns the segments the client offered to its path links: the data segments of the upload,
    /// retransmissions included, plus the handful of handshake and closing segments.
    /// </summary>
    public static long ClientSegments(ScenarioResult result) =>
        result.Links.Where(l => l.Direction.StartsWith("client->", StringComparison.Ordinal)).Sum(l => l.Statistics.Offered);
}
