using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MptcpPrivacy.Simulation.Scenarios;

namespace MptcpPrivacy.Benchmarks.Simulation;

/// <summary>
/// A whole scenario on the simulator with our MPTCP stack at both ends: 20 MB uploaded over two
/// 100 Mbit/s paths (20 and 60 ms RTT), clean and with 1% loss. Besides time and allocation, the
/// summary shows issue 4's figures per invocation: packets carried per second and bytes allocated
/// per client segment (see <see cref="SimulationColumns"/>). Goal: a million packets per CPU-second.
/// The same network carrying paced datagrams between two hosts with no stack measures the
/// simulator alone (<see cref="DatagramWorkload"/>).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[Config(typeof(Columns))]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 30)]
public class SimulationBenchmarks
{
    private ScenarioSpec _spec = null!;

    /// <summary>Gets or sets the scenario's name (<see cref="SimulationWorkload.Names"/>).</summary>
    [ParamsSource(nameof(ScenarioNames))]
    public string Scenario { get; set; } = "";

    /// <summary>Gets the scenario names for <see cref="Scenario"/>.</summary>
    public static IEnumerable<string> ScenarioNames => SimulationWorkload.Names;

    [GlobalSetup]
    public void Setup() => _spec = SimulationWorkload.Spec(Scenario);

    /// <summary>Runs the scenario to completion; returns the simulator's event count so nothing is optimised away.</summary>
    [Benchmark]
    public long StackOnSimulator() => SimulationWorkload.Run(_spec).SimulatorEvents;

    /// <summary>Runs the paced datagrams on the scenario's network; returns the packets delivered.</summary>
    [Benchmark]
    public long SimulatorAlone() => DatagramWorkload.Run(Scenario).Packets;

    private sealed class Columns : ManualConfig
    {
        public Columns()
        {
            AddColumn(SimulationColumns.PacketsPerSecond, SimulationColumns.AllocatedPerSegment);
        }
    }
}
