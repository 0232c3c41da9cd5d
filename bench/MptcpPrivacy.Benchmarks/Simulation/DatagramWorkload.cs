using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;

namespace MptcpPrivacy.Benchmarks.Simulation;

/// <summary>
/// The simulator alone on the network of <see cref="SimulationWorkload"/>'s scenarios: the client
/// sends 1500-byte IP packets of UDP on both paths at 8,000 a second each (96 Mbit/s, just under the
/// line rate) for two virtual seconds, and the server counts them. What the stack costs is then the
/// difference between the two benchmarks.
/// </summary>
internal static class DatagramWorkload
{
    private const long DurationNs = 2_000_000_000;

    /// <summary>Runs the simulator alone on scenario <paramref name="name"/>'s network and returns its links' delivered packets and the client's datagrams.</summary>
    public static (long Packets, long Segments) Run(string name)
    {
        ScenarioSpec spec = SimulationWorkload.Spec(name) with { DurationNs = DurationNs + 1_000_000_000 };
        var simulator = new Simulator(new Random(spec.Seed));
        PacedDatagramHost? client = null;
        using SimulatedTopology topology = SimulatedTopology.Build(
            simulator,
            spec,
            interfaces => client = new PacedDatagramHost("client", interfaces, ScenarioSpec.ServerIpv4.Address, datagramBytes: 1480, intervalNs: 125_000, untilNs: DurationNs),
            interfaces => new PacedDatagramHost("server", interfaces, ScenarioSpec.ServerIpv4.Address, datagramBytes: 1480, intervalNs: 0, untilNs: 0));
        topology.Run();
        long packets = 0;
        foreach (Link link in simulator.Links)
        {
            packets += link.Statistics(LinkDirection.AToB).Delivered + link.Statistics(LinkDirection.BToA).Delivered;
        }

        return (packets, client!.Sent);
    }
}
