using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>The simulator's data path (events, link queues, loss, the router, host packets from the pool) allocates nothing per packet.</summary>
public sealed class SimulatorAllocationTests
{
    [Fact]
    public void A_steady_flow_through_lossy_queued_paths_and_the_router_allocates_nothing_per_packet()
    {
        var spec = new ScenarioSpec { Paths = [PathSpec.Parse("rate=20M,rtt=10ms,queue=20,loss=1%"), PathSpec.Parse("rate=20M,rtt=30ms,queue=50")] };
        var simulator = new Simulator(new Random(spec.Seed));
        Flow? sender = null;
        Flow? receiver = null;
        using SimulatedTopology topology = SimulatedTopology.Build(
            simulator,
            spec,
            interfaces => sender = new Flow("client", interfaces, intervalNs: 500_000),
            interfaces => receiver = new Flow("server", interfaces, intervalNs: 0));

        // Two 1000-byte datagrams every 0.5 ms (16 Mbit/s a path): the queues hold some, 1% is lost.
        simulator.RunUntil(1_000_000_000);
        Assert.True(receiver!.Received > 3000, $"{receiver.Received} received in warm-up");

        // The runtime may allocate once while it tiers the loop up; the quietest of several rounds must be free.
        long fewest = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            simulator.RunUntil(simulator.Now + 100_000_000);
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
        Assert.True(topology.Paths[0].Link.Statistics(LinkDirection.AToB).DroppedLoss > 0);
        Assert.True(receiver.Received > 5000, $"{receiver.Received} received");
    }

    /// <summary>Sends a UDP datagram from each of its IPv4 addresses every interval to the server, or counts what it accepts.</summary>
    private sealed class Flow(string name, HostInterfaces interfaces, long intervalNs) : INode
    {
        private readonly byte[] _datagram = new byte[980];
        private readonly IpAddressBytes[] _sources = interfaces.AllAddresses.Select(a => a.Address.Address).Where(a => a.IsV4).ToArray();
        private long _due = intervalNs > 0 ? 0 : long.MaxValue;
        private int _next;

        public string Name => name;

        public long Received { get; private set; }

        public void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket)
        {
            if (interfaces.TryAccept(interfaceIndex, ipPacket, out _))
            {
                Received++;
            }
        }

        public bool PollTransmit(long now, out OutgoingPacket packet)
        {
            packet = default;
            if (_due > now)
            {
                return false;
            }

            IpAddressBytes source = _sources[_next];
            if (++_next == _sources.Length)
            {
                (_next, _due) = (0, _due + intervalNs);
            }

            return interfaces.TrySend(source, ScenarioSpec.ServerIpv4.Address, IpProtocol.Udp, _datagram, out packet);
        }

        public long NextDeadline(long now) => _due;
    }
}
