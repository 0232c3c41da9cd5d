namespace MptcpPrivacy.Simulation;

/// <summary>
/// One direction of a link: elements, MTU, loss, a FIFO queue in front of a serialiser, then
/// propagation delay with jitter, reordering and duplication.
/// </summary>
/// <remarks>
/// The order of the impairments follows netem: loss is decided when the packet is offered, so a lost
/// packet takes no queue space or line time. Packets already serialised when the link goes down are
/// still delivered (they are on the wire); queued ones are dropped. A packet whose array is the
/// simulator's pool's goes back to the pool wherever it is dropped.
/// </remarks>
internal sealed class LinkChannel(Simulator simulator, Link link, LinkDirection direction, LinkConfig config, Simulator.LinkEnd receiver) : IEventTarget
{
    /// <summary>The event that ends a packet's serialisation; its state is the packet.</summary>
    private const int TransmittedEvent = 0;

    /// <summary>The event of a packet reaching the far end; its state is the packet, its argument the packet's sequence number.</summary>
    private const int ArrivedEvent = 1;

    /// <summary>Added to an event's kind when its packet's array is the pool's.</summary>
    private const int PooledFlag = 2;

    private readonly LossProcess _loss = new(config.Loss);

    // Each direction draws from its own generator, seeded from the simulator's when the link is
    // made: traffic on one link then never changes the losses, jitter or reordering of another, so
    // two runs that differ on one path (say, a second subflow) see the same impairments on the others.
    private readonly Random _random = new(simulator.Random.Next());
    private readonly Queue<(byte[] Packet, bool Pooled)> _queue = new();
    private readonly PacketPool _pool = simulator.Packets;
    private bool _transmitting;
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
        else if (!_transmitting)
        {
            StartTransmit(now, current, pooled);
            return;
        }
        else if (_queue.Count >= Config.QueuePackets)
        {
            Statistics.DroppedQueueFull++;
        }
        else
        {
            _queue.Enqueue((current, pooled));
            return;
        }

        Recycle(current, pooled);
    }

    /// <summary>Drops everything waiting in the queue, as a link going down does.</summary>
    public void FlushQueue()
    {
        Statistics.DroppedLinkDown += _queue.Count;
        while (_queue.TryDequeue(out var queued))
        {
            Recycle(queued.Packet, queued.Pooled);
        }
    }

    /// <inheritdoc/>
    void IEventTarget.Fire(long time, int kind, object? state, long argument)
    {
        var packet = (byte[])state!;
        bool pooled = (kind & PooledFlag) != 0;
        if ((kind & ~PooledFlag) == TransmittedEvent)
        {
            Propagate(time, packet, pooled, argument);
            _transmitting = false;
            if (_queue.TryDequeue(out var next))
            {
                StartTransmit(time, next.Packet, next.Pooled);
            }
        }
        else
        {
            Deliver(time, packet, pooled, argument);
        }
    }

    private void StartTransmit(long now, byte[] packet, bool pooled)
    {
        _transmitting = true;
        simulator.ScheduleEvent(now + Config.SerialisationNs(packet.Length), this, TransmittedEvent | Flag(pooled), packet, _nextSequence++);
    }

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

        simulator.ScheduleEvent(arrival, this, ArrivedEvent | Flag(pooled), packet, sequence);
        if (Config.DuplicateProbability > 0 && random.NextDouble() < Config.DuplicateProbability)
        {
            Statistics.Duplicated++;
            byte[] copy = _pool.Rent(packet.Length);
            packet.CopyTo(copy, 0);
            simulator.ScheduleEvent(arrival, this, ArrivedEvent | PooledFlag, copy, sequence);
        }
    }

    private void Deliver(long now, byte[] packet, bool pooled, long sequence)
    {
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

    private void Recycle(byte[] packet, bool pooled)
    {
        if (pooled)
        {
            _pool.Return(packet);
        }
    }

    private static int Flag(bool pooled) => pooled ? PooledFlag : 0;
}
