using MptcpPrivacy.Simulation;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>A node that never stops sending stops the run with a fault naming it, not a hang or a bare exception.</summary>
public sealed class SimulationFaultTests
{
    [Fact]
    public void ANodeThatNeverStopsSendingStopsTheRunWithAFaultNamingIt()
    {
        var sim = new Simulator(new Random(1));
        var looping = new LoopingNode();
        var sink = new LoopingNode { Silent = true };
        sim.AddNode(looping);
        sim.AddNode(sink);
        sim.Connect(looping, 0, sink, 0, new LinkConfig { DelayNs = 1_000_000 }, "loop");
        sim.Wake(looping);

        SimulationFaultException fault = Assert.Throws<SimulationFaultException>(() => sim.RunUntil(1_000_000_000, maxEvents: 1_000_000));
        Assert.Equal("looper", fault.Node);
        Assert.Contains("packets in one poll", fault.Message);
    }

    private sealed class LoopingNode : INode
    {
        public bool Silent { get; init; }

        public string Name => Silent ? "sink" : "looper";

        public void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket)
        {
        }

        public bool PollTransmit(long now, out OutgoingPacket packet)
        {
            packet = new OutgoingPacket(0, new byte[20]);
            return !Silent;
        }

        public long NextDeadline(long now) => long.MaxValue;
    }
}
