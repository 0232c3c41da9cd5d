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
public sealed class Simulator : IEventTarget
{
    /// <summary>The most packets one poll of a node may return before it is treated as broken.</summary>
    private const int MaxPacketsPerPoll = 1 << 20;

    // Wake-ups of one node at one instant in a row that sent nothing and asked to be polled again at
    // once: a node in that state never lets time move on, which is a bug in it.
    private const int MaxIdleWakesAtOneInstant = 100_000;

    /// <summary>The kinds of event the simulator itself fires.</summary>
    private const int ActionEvent = 0;
    private const int WakeEvent = 1;
    private const int DeadlineEvent = 2;

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

    /// <summary>Gets the arrays packets are built in and given back to once delivered.</summary>
    internal PacketPool Packets { get; } = new();

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
        link.SetChannel(LinkDirection.AToB, new LinkChannel(this, link, LinkDirection.AToB, config, new LinkEnd(stateB, interfaceB)));
        link.SetChannel(LinkDirection.BToA, new LinkChannel(this, link, LinkDirection.BToA, reverse ?? config, new LinkEnd(stateA, interfaceA)));
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
        _events.Schedule(time, this, ActionEvent, action, 0);
    }

    /// <summary>Schedules an event of the simulator's own parts (a link channel's, in its lane), with no check of the time.</summary>
    internal void ScheduleEvent(long time, IEventTarget target, int kind, object? state, long argument, EventQueue.Lane lane) =>
        _events.Schedule(time, target, kind, state, argument, lane);

    /// <summary>Polls <paramref name="node"/> at the current time, for a node that has something new to send.</summary>
    public void Wake(INode node)
    {
        NodeState state = State(node);
        _events.Schedule(Now, this, WakeEvent, state, 0);
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

            EventQueue.Event e = _events.Dequeue();
            Now = e.Time;
            EventsProcessed++;
            e.Fire();
        }
    }

    /// <inheritdoc/>
    void IEventTarget.Fire(long time, int kind, object? state, long argument)
    {
        switch (kind)
        {
            case ActionEvent:
                ((Action<long>)state!)(time);
                break;
            case WakeEvent:
                Service(time, (NodeState)state!);
                break;
            default:
                // A later wake-up already queued stays in the queue and is ignored when it fires,
                // because PendingWake no longer names its time.
                var node = (NodeState)state!;
                if (node.PendingWake == time)
                {
                    node.PendingWake = long.MaxValue;
                    Service(time, node);
                }

                break;
        }
    }

    /// <summary>Hands a packet a link carried to the node at its far end, then services that node.</summary>
    /// <param name="now">The arrival time.</param>
    /// <param name="end">The receiving node and interface.</param>
    /// <param name="packet">The packet; the simulator owns it.</param>
    /// <param name="pooled">Whether the array is the pool's, to be reused once the node has read it.</param>
    internal void Deliver(long now, LinkEnd end, byte[] packet, bool pooled)
    {
        NodeState state = end.Node;
        if (state.Forwarder is { } forwarder)
        {
            forwarder.OnPacket(now, end.InterfaceIndex, packet, pooled, Packets);
        }
        else
        {
            state.Node.OnPacket(now, end.InterfaceIndex, packet);
            if (pooled)
            {
                Packets.Return(packet);
            }
        }

        Service(now, state);
    }

    private NodeState State(INode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return _nodes.TryGetValue(node, out var state)
            ? state
            : throw new InvalidOperationException($"Node {node.Name} has not been added to the simulation.");
    }

    /// <summary>Drains the node's transmit queue onto its links and arms its next wake-up.</summary>
    private void Service(long now, NodeState state)
    {
        int sent = 0;
        while (state.Node.PollTransmit(now, out OutgoingPacket packet))
        {
            if (++sent > MaxPacketsPerPoll)
            {
                // A node that never stops sending is a bug in it: name the packet it repeats.
                throw new SimulationFaultException(state.Node.Name, now, $"returned more than {MaxPacketsPerPoll} packets in one poll; the last, interface {packet.InterfaceIndex}: {Convert.ToHexString(packet.Data.AsSpan(0, Math.Min(packet.Data.Length, 96)))}");
            }

            if (state.Ports.TryGetValue(packet.InterfaceIndex, out var channel))
            {
                channel.Offer(now, packet.Data, packet.Pooled);
            }
            else
            {
                UnattachedPackets++;
                if (packet.Pooled)
                {
                    Packets.Return(packet.Data);
                }
            }
        }

        long asked = state.Node.NextDeadline(now);
        if (sent > 0 || asked > now || state.IdleWakeAt != now)
        {
            (state.IdleWakeAt, state.IdleWakes) = (now, 0);
        }
        else if (++state.IdleWakes > MaxIdleWakesAtOneInstant)
        {
            throw new SimulationFaultException(state.Node.Name, now, $"asked to be polled again at once {MaxIdleWakesAtOneInstant} times in a row and sent nothing: time could not move on");
        }

        long deadline = Math.Max(asked, now);
        if (deadline != long.MaxValue && deadline < state.PendingWake)
        {
            state.PendingWake = deadline;
            _events.Schedule(deadline, this, DeadlineEvent, state, 0);
        }
    }

    /// <summary>The far end of one direction of a link: the node and its interface number there.</summary>
    internal readonly record struct LinkEnd(NodeState Node, int InterfaceIndex);

    /// <summary>What the simulator keeps per node: its link ends and its armed wake-up.</summary>
    internal sealed class NodeState(INode node)
    {
        public INode Node { get; } = node;

        /// <summary>Gets the node as one that takes arriving arrays over, or null.</summary>
        public IForwardingNode? Forwarder { get; } = node as IForwardingNode;

        public Dictionary<int, LinkChannel> Ports { get; } = [];

        public long PendingWake { get; set; } = long.MaxValue;

        /// <summary>Gets or sets the instant of the node's last wake-ups that sent nothing and asked for another at once.</summary>
        public long IdleWakeAt { get; set; } = -1;

        /// <summary>Gets or sets how many such wake-ups came in a row at <see cref="IdleWakeAt"/>.</summary>
        public int IdleWakes { get; set; }
    }
}
