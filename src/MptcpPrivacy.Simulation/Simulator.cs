namespace MptcpPrivacy.Simulation;

/// <summary>
/// A deterministic discrete-event network: virtual time in nanoseconds, one event queue, nodes
/// joined by links. Nothing reads the wall clock and every random draw comes from the one seeded
/// <see cref="System.Random"/> given to the constructor, so the same seed replays the same bytes.
/// </summary>
/// <example>
/// <code>
/// var sim = new Simulator(new Random(42));
/// sim.AddNode(client); sim.AddNode(server);
/// sim.Connect(client, 0, server, 0, new LinkConfig { RateBitsPerSecond = 10_000_000, DelayNs = 10_000_000 });
/// sim.RunUntilIdle(maxTime: 60_000_000_000, maxEvents: 1_000_000);
/// </code>
/// </example>
public sealed class Simulator
{
    /// <summary>The most packets one poll of a node may return before it is treated as broken.</summary>
    private const int MaxPacketsPerPoll = 1 << 20;

    private readonly EventQueue _events = new();
    private readonly Dictionary<INode, NodeState> _nodes = new(ReferenceEqualityComparer.Instance);
    private readonly List<Link> _links = [];

    /// <summary>Makes an empty network at time 0 drawing all randomness from <paramref name="random"/>.</summary>
    public Simulator(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Random = random;
    }

    /// <summary>Gets the current virtual time in nanoseconds.</summary>
    public long Now { get; private set; }

    /// <summary>Gets how many events have run.</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>Gets the packets nodes sent on an interface with no link.</summary>
    public long UnattachedPackets { get; private set; }

    /// <summary>Gets the links in the order they were made.</summary>
    public IReadOnlyList<Link> Links => _links;

    /// <summary>Gets the seeded generator every impairment draws from.</summary>
    internal Random Random { get; }

    /// <summary>Adds a node and polls it once at the current time.</summary>
    /// <exception cref="InvalidOperationException">The node was already added.</exception>
    public void AddNode(INode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!_nodes.TryAdd(node, new NodeState(node)))
        {
            throw new InvalidOperationException($"Node {node.Name} is already in the simulation.");
        }

        Wake(node);
    }

    /// <summary>
    /// Joins interface <paramref name="interfaceA"/> of <paramref name="a"/> and interface
    /// <paramref name="interfaceB"/> of <paramref name="b"/> with a full-duplex link.
    /// </summary>
    /// <param name="a">End A; must have been added.</param>
    /// <param name="interfaceA">A's interface number.</param>
    /// <param name="b">End B; must have been added.</param>
    /// <param name="interfaceB">B's interface number.</param>
    /// <param name="config">The impairments from A to B, and from B to A unless <paramref name="reverse"/> is given.</param>
    /// <param name="name">The link's name; "a.interfaceA-b.interfaceB" when null.</param>
    /// <param name="reverse">The impairments from B to A, when they differ.</param>
    /// <exception cref="InvalidOperationException">A node is unknown or an interface already has a link.</exception>
    public Link Connect(INode a, int interfaceA, INode b, int interfaceB, LinkConfig config, string? name = null, LinkConfig? reverse = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        NodeState stateA = State(a);
        NodeState stateB = State(b);
        if (stateA.Ports.ContainsKey(interfaceA) || stateB.Ports.ContainsKey(interfaceB))
        {
            throw new InvalidOperationException("An interface can be on one link only.");
        }

        var link = new Link(name ?? $"{a.Name}.{interfaceA}-{b.Name}.{interfaceB}", a, interfaceA, b, interfaceB);
        link.SetChannel(LinkDirection.AToB, new LinkChannel(this, link, LinkDirection.AToB, config, (now, packet) => Deliver(now, stateB, interfaceB, packet)));
        link.SetChannel(LinkDirection.BToA, new LinkChannel(this, link, LinkDirection.BToA, reverse ?? config, (now, packet) => Deliver(now, stateA, interfaceA, packet)));
        stateA.Ports[interfaceA] = link.Channel(LinkDirection.AToB);
        stateB.Ports[interfaceB] = link.Channel(LinkDirection.BToA);
        _links.Add(link);
        return link;
    }

    /// <summary>Schedules <paramref name="link"/> to go down (queued packets are dropped) or up at <paramref name="time"/>.</summary>
    public void ScheduleLinkState(Link link, long time, bool up)
    {
        ArgumentNullException.ThrowIfNull(link);
        Schedule(time, _ => link.SetUp(up));
    }

    /// <summary>Runs <paramref name="action"/> with the time at <paramref name="time"/>; events at equal times run in the order scheduled.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The time is in the past.</exception>
    public void Schedule(long time, Action<long> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThan(time, Now);
        _events.Schedule(time, action);
    }

    /// <summary>Polls <paramref name="node"/> at the current time, for a node that has something new to send.</summary>
    public void Wake(INode node)
    {
        NodeState state = State(node);
        Schedule(Now, now => Service(now, state));
    }

    /// <summary>Runs every event up to and including <paramref name="time"/>, then sets the clock to it.</summary>
    /// <param name="time">The virtual time to stop at.</param>
    /// <param name="maxEvents">The most events to run; a node asking to be polled forever stops here.</param>
    /// <returns><see cref="RunOutcome.TimeLimit"/>, or <see cref="RunOutcome.EventLimit"/> when the budget ran out first (the clock then stays at the last event).</returns>
    public RunOutcome RunUntil(long time, long maxEvents = long.MaxValue)
    {
        RunOutcome outcome = RunUntilIdle(time, maxEvents);
        if (outcome == RunOutcome.EventLimit)
        {
            return outcome;
        }

        Now = Math.Max(Now, time);
        return RunOutcome.TimeLimit;
    }

    /// <summary>Runs events until none is left, the next is after <paramref name="maxTime"/>, or <paramref name="maxEvents"/> have run.</summary>
    /// <returns>Why it stopped; the clock stays at the last event run.</returns>
    public RunOutcome RunUntilIdle(long maxTime, long maxEvents)
    {
        long budget = maxEvents;
        while (true)
        {
            if (!_events.TryPeekTime(out long next))
            {
                return RunOutcome.Idle;
            }

            if (next > maxTime)
            {
                return RunOutcome.TimeLimit;
            }

            if (budget-- <= 0)
            {
                return RunOutcome.EventLimit;
            }

            var (time, action) = _events.Dequeue();
            Now = time;
            EventsProcessed++;
            action(time);
        }
    }

    private NodeState State(INode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return _nodes.TryGetValue(node, out var state)
            ? state
            : throw new InvalidOperationException($"Node {node.Name} has not been added to the simulation.");
    }

    private void Deliver(long now, NodeState state, int interfaceIndex, byte[] packet)
    {
        state.Node.OnPacket(now, interfaceIndex, packet);
        Service(now, state);
    }

    /// <summary>Drains the node's transmit queue onto its links and arms its next wake-up.</summary>
    private void Service(long now, NodeState state)
    {
        int sent = 0;
        while (state.Node.PollTransmit(now, out OutgoingPacket packet))
        {
            if (++sent > MaxPacketsPerPoll)
            {
                throw new InvalidOperationException($"Node {state.Node.Name} returned more than {MaxPacketsPerPoll} packets in one poll.");
            }

            if (state.Ports.TryGetValue(packet.InterfaceIndex, out var channel))
            {
                channel.Offer(now, packet.Data);
            }
            else
            {
                UnattachedPackets++;
            }
        }

        long deadline = Math.Max(state.Node.NextDeadline(now), now);
        if (deadline != long.MaxValue && deadline < state.PendingWake)
        {
            // A later wake-up already queued stays in the queue and is ignored when it fires,
            // because PendingWake no longer names its time.
            state.PendingWake = deadline;
            _events.Schedule(deadline, at =>
            {
                if (state.PendingWake == at)
                {
                    state.PendingWake = long.MaxValue;
                    Service(at, state);
                }
            });
        }
    }

    /// <summary>What the simulator keeps per node: its link ends and its armed wake-up.</summary>
    private sealed class NodeState(INode node)
    {
        public INode Node { get; } = node;

        public Dictionary<int, LinkChannel> Ports { get; } = [];

        public long PendingWake { get; set; } = long.MaxValue;
    }
}
