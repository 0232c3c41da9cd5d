namespace MptcpPrivacy.Simulation;

/// <summary>
/// One direction of a link: elements, MTU, loss, a FIFO queue in front of a serialiser, then
/// propagation delay with jitter, reordering and duplication.
/// </summary>
/// <remarks>
/// <para>
/// The order of the impairments follows netem: loss is decided when the packet is offered, so a lost
/// packet takes no queue space or line time. Packets already serialised when the link goes down are
/// still delivered (they are on the wire); queued ones are dropped. A packet whose array is the
/// simulator's pool's goes back to the pool wherever it is dropped.
/// </para>
/// <para>
/// A FIFO serialiser needs no event of its own: when a packet is offered, the time it starts on the
/// line (when the line is free of the packets before it) and so its arrival are already known, and
/// the arrival is scheduled at once. The channel keeps the start and end times of the packets not yet
/// off the line, which tell how many are waiting (for tail drop) and which ones a link going down
/// takes: their arrivals are then cancelled. One event per packet and hop instead of two.
/// </para>
/// </remarks>
internal sealed class LinkChannel(Simulator simulator, Link link, LinkDirection direction, LinkConfig config, Simulator.LinkEnd receiver) : IEventTarget
{
    /// <summary>The event of a packet reaching the far end; its state is the packet, its argument the packet's sequence number.</summary>
    private const int ArrivedEvent = 0;

    /// <summary>Added to an event's kind when its packet's array is the pool's.</summary>
    private const int PooledFlag = 1;

    private readonly LossProcess _loss = new(config.Loss);

    // Each direction draws from its own generator, seeded from the simulator's when the link is
    // made: traffic on one link then never changes the losses, jitter or reordering of another, so
    // two runs that differ on one path (say, a second subflow) see the same impairments on the others.
    private readonly Random _random = new(simulator.Random.Next());
    private readonly Queue<(long Start, long End)> _onLine = new();
    private readonly List<(long From, long To)> _cancelled = [];
    private readonly PacketPool _pool = simulator.Packets;

    // Arrivals come in time order unless jitter or reordering intervene: they queue in a lane.
    private readonly EventQueue.Lane _arrivals = new();
    private long _lineFreeAt;
    private long _nextSequence;
    private long _highestDeliveredSequence = -1;

    /// <summary>Gets the impairments of this direction.</summary>
    public LinkConfig Config { get; } = config;

    /// <summary>Gets the counters of this direction.</summary>
    public LinkStatistics Statistics { get; } = new();

    /// <summary>Takes a packet from the sending node at <paramref name="now"/>.</summary>
    /// <param name="now">The virtual time.</param>
    /// <param name="packet">The packet; the channel owns it.</param>
    /// <param name="pooled">Whether the array is the pool's.</param>
    public void Offer(long now, byte[] packet, bool pooled)
    {
        Statistics.Offered++;
        byte[]? current = packet;
        List<ILinkElement> elements = link.Elements;
        for (int i = 0; i < elements.Count; i++)
        {
            current = elements[i].Process(now, link, direction, current);
            if (current is null)
            {
                Statistics.DroppedByElement++;
                return;
            }

            // An element that answered with a new array may keep the old one: neither is the pool's now.
            pooled &= ReferenceEquals(current, packet);
        }

        if (!link.IsUp)
        {
            Statistics.DroppedLinkDown++;
        }
        else if (current.Length > Config.Mtu)
        {
            Statistics.DroppedOverMtu++;
        }
        else if (_loss.NextIsLost(_random))
        {
            Statistics.DroppedLoss++;
        }
        else if (Config.RateBitsPerSecond <= 0)
        {
            Propagate(now, current, pooled, _nextSequence++);
            return;
        }
        else if (Waiting(now) >= Config.QueuePackets)
        {
            Statistics.DroppedQueueFull++;
        }
        else
        {
            long start = Math.Max(now, _lineFreeAt);
            _lineFreeAt = start + Config.SerialisationNs(current.Length);
            _onLine.Enqueue((start, _lineFreeAt));
            Propagate(_lineFreeAt, current, pooled, _nextSequence++);
            return;
        }

        Recycle(current, pooled);
    }

    /// <summary>Drops everything waiting in the queue, as a link going down does; the packet on the line still arrives.</summary>
    public void FlushQueue()
    {
        long now = simulator.Now;
        int waiting = Waiting(now);
        if (waiting == 0)
        {
            return;
        }

        // The waiting packets are the last ones accepted: their arrivals are cancelled.
        Statistics.DroppedLinkDown += waiting;
        _cancelled.Add((_nextSequence - waiting, _nextSequence));
        for (int i = _onLine.Count - waiting; i > 0; i--)
        {
            _onLine.Enqueue(_onLine.Dequeue());
        }

        for (int i = 0; i < waiting; i++)
        {
            _onLine.Dequeue();
        }

        _lineFreeAt = _onLine.TryPeek(out var onLine) ? onLine.End : now;
    }

    /// <inheritdoc/>
    void IEventTarget.Fire(long time, int kind, object? state, long argument) =>
        Deliver(time, (byte[])state!, (kind & PooledFlag) != 0, argument);

    /// <summary>Forgets the packets off the line by <paramref name="now"/> and returns how many wait behind the one on it.</summary>
    private int Waiting(long now)
    {
        while (_onLine.TryPeek(out var first) && first.End <= now)
        {
            _onLine.Dequeue();
        }

        return _onLine.Count == 0 ? 0 : _onLine.Peek().Start <= now ? _onLine.Count - 1 : _onLine.Count;
    }

    /// <summary>Schedules the arrival of a packet whose last bit leaves at <paramref name="now"/>, with its delay and impairments.</summary>
    private void Propagate(long now, byte[] packet, bool pooled, long sequence)
    {
        Random random = _random;
        long arrival = now + Config.DelayNs;
        if (Config.JitterNs > 0)
        {
            arrival += random.NextInt64(Config.JitterNs + 1);
        }

        if (Config.ReorderProbability > 0 && random.NextDouble() < Config.ReorderProbability)
        {
            arrival += Config.ReorderDelayNs;
            Statistics.Reordered++;
        }

        simulator.ScheduleEvent(arrival, this, ArrivedEvent | (pooled ? PooledFlag : 0), packet, sequence, _arrivals);
        if (Config.DuplicateProbability > 0 && random.NextDouble() < Config.DuplicateProbability)
        {
            Statistics.Duplicated++;
            byte[] copy = _pool.Rent(packet.Length);
            packet.CopyTo(copy, 0);
            simulator.ScheduleEvent(arrival, this, ArrivedEvent | PooledFlag, copy, sequence, _arrivals);
        }
    }

    private void Deliver(long now, byte[] packet, bool pooled, long sequence)
    {
        if (_cancelled.Count > 0 && IsCancelled(sequence))
        {
            Recycle(packet, pooled);
            return;
        }

        if (sequence < _highestDeliveredSequence)
        {
            Statistics.ArrivedOutOfOrder++;
        }
        else
        {
            _highestDeliveredSequence = sequence;
        }

        Statistics.Delivered++;
        Statistics.DeliveredBytes += packet.Length;
        List<ILinkObserver> observers = link.Observers;
        for (int i = 0; i < observers.Count; i++)
        {
            observers[i].OnDelivered(now, link, direction, packet);
        }

        simulator.Deliver(now, receiver, packet, pooled);
    }

    private bool IsCancelled(long sequence)
    {
        foreach ((long from, long to) in _cancelled)
        {
            if (sequence >= from && sequence < to)
            {
                return true;
            }
        }

        return false;
    }

    private void Recycle(byte[] packet, bool pooled)
    {
        if (pooled)
        {
            _pool.Return(packet);
        }
    }
}
