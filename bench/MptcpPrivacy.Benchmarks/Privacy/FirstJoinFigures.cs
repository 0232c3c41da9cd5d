using System.Globalization;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.Privacy;

namespace MptcpPrivacy.Benchmarks.Privacy;

/// <summary>
/// The round trips each privacy mode adds before the first join, measured on the simulator (its
/// clock is virtual, so the figures are exact and the same on every machine): two paths of equal
/// round-trip time, a client that joins from its second address, 64 kB each way.
/// </summary>
internal static class FirstJoinFigures
{
    public static void Print()
    {
        Console.WriteLine("| mode | path RTT (ms) | first subflow established (ms) | second subflow established (ms) | join after the first subflow (RTTs) | added vs standard (RTTs) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (int rtt in new[] { 20, 100 })
        {
            double? standard = null;
            foreach (PrivacyMode mode in new[] { PrivacyMode.Standard, PrivacyMode.Draft, PrivacyMode.Profile })
            {
                (double first, double second) = Measure(mode, rtt);
                double rtts = (second - first) / rtt;
                standard ??= rtts;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {mode} | {rtt} | {first:F1} | {second:F1} | {rtts:F2} | {rtts - standard.Value:+0.00;-0.00;0.00} |"));
            }
        }

        Console.WriteLine();
    }

    private static (double First, double Second) Measure(PrivacyMode mode, int rttMs)
    {
        var spec = new ScenarioSpec
        {
            Paths = [PathSpec.Parse($"rate=100M,rtt={rttMs}ms"), PathSpec.Parse($"rate=100M,rtt={rttMs}ms")],
            ClientToServerBytes = 65_536,
            ServerToClientBytes = 65_536,
            DurationNs = 60_000_000_000,
        };
        var options = new MptcpOptions { Privacy = new PrivacyOptions { Mode = mode } };
        ScenarioResult r = ScenarioRunner.Run(spec, client: options, server: options);
        if (!r.Success || r.ClientConnection?.PrivacyMode != mode)
        {
            throw new InvalidOperationException($"the {mode} run did not complete as {mode}");
        }

        TimeSpan[] established = [.. r.ClientEvents.Where(e => e.Kind == MptcpEventKind.SubflowEstablished).Select(e => e.Time)];
        if (established.Length < 2)
        {
            throw new InvalidOperationException($"the {mode} run established {established.Length} subflow(s)");
        }

        return (established[0].TotalMilliseconds, established[1].TotalMilliseconds);
    }
}
