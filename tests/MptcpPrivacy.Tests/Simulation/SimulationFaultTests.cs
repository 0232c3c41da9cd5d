using MptcpPrivacy.Simulation;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>A node that never stops sending, or never lets time move on, stops the run with a fault naming it, not a hang or a bare exception.</summary>
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

    [Fact]
    public void ANodeThatAsksForAPollAtOnceForEverAndSendsNothingStopsTheRunWithAFaultNamingIt()
    {
        var sim = new Simulator(new Random(1));
        var idle = new IdleLoopingNode();
        sim.AddNode(idle);
        sim.Wake(idle);

        SimulationFaultException fault = Assert.Throws<SimulationFaultException>(() => sim.RunUntil(1_000_000_000, maxEvents: 10_000_000));
        Assert.Equal("idler", fault.Node);
        Assert.Contains("time could not move on", fault.Message);
        Assert.InRange(idle.Polls, 100_000, 200_000);
    }

    private sealed class IdleLoopingNode : INode
    {
        public int Polls { get; private set; }

        public string Name => "idler";

        public void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket)
        {
        }

        public bool PollTransmit(long now, out OutgoingPacket packet)
        {
            Polls++;
            packet = default;
            return false;
        }

        public long NextDeadline(long now) => now;
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
