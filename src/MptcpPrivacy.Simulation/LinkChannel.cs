namespace MptcpPrivacy.Simulation;

/// <summary>
/// One direction of a link: elements, MTU, loss, a FIFO queue in front of a serialiser, then
/// propagation delay with jitter, reordering and duplication.
/// </summary>
/// <remarks>
/// The order of the impairments follows netem: loss is decided when the packet is offered, so a lost
/// packet takes no queue space or line time. Packets already serialised when the link goes down are
/// still delivered (they are on the wire); queued ones are dropped.
/// </remarks>
internal sealed class LinkChannel(Simulator simulator, Link link, LinkDirection direction, LinkConfig config, Action<long, byte[]> deliver)
{
    private readonly LossProcess _loss = new(config.Loss);

    // Each direction draws from its own generator, seeded from the simulator's when the link is
    // made: traffic on one link then never changes the losses, jitter or reordering of another, so
    // two runs that differ on one path (say, a second subflow) see the same impairments on the others.
    private readonly Random _random = new(simulator.Random.Next());
    private readonly Queue<byte[]> _queue = new();
    private bool _transmitting;
    private long _nextSequence;
    private long _highestDeliveredSequence = -1;

    /// <summary>Gets the impairments of this direction.</summary>
    public LinkConfig Config { get; } = config;

    /// <summary>Gets the counters of this direction.</summary>
    public LinkStatistics Statistics { get; } = new();

    /// <summary>Takes a packet from the sending node at <paramref name="now"/>.</summary>
    public void Offer(long now, byte[] packet)
    {
        Statistics.Offered++;
        byte[]? current = packet;
        foreach (var element in link.Elements)
        {
            current = element.Process(now, link, direction, current);
            if (current is null)
            {
                Statistics.DroppedByElement++;
                return;
            }
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
            Propagate(now, current, _nextSequence++);
        }
        else if (!_transmitting)
        {
            StartTransmit(now, current);
        }
        else if (_queue.Count >= Config.QueuePackets)
        {
            Statistics.DroppedQueueFull++;
        }
        else
        {
            _queue.Enqueue(current);
        }
    }

    /// <summary>Drops everything waiting in the queue, as a link going down does.</summary>
    public void FlushQueue()
    {
        Statistics.DroppedLinkDown += _queue.Count;
        _queue.Clear();
    }

    private void StartTransmit(long now, byte[] packet)
    {
        _transmitting = true;
        long sequence = _nextSequence++;
        simulator.Schedule(now + Config.SerialisationNs(packet.Length), finished =>
        {
            Propagate(finished, packet, sequence);
            _transmitting = false;
            if (_queue.Count > 0)
            {
                StartTransmit(finished, _queue.Dequeue());
            }
        });
    }

    private void Propagate(long now, byte[] packet, long sequence)
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

        simulator.Schedule(arrival, at => Deliver(at, packet, sequence));
        if (Config.DuplicateProbability > 0 && random.NextDouble() < Config.DuplicateProbability)
        {
            Statistics.Duplicated++;
            byte[] copy = (byte[])packet.Clone();
            simulator.Schedule(arrival, at => Deliver(at, copy, sequence));
        }
    }

    private void Deliver(long now, byte[] packet, long sequence)
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
        foreach (var observer in link.Observers)
        {
            observer.OnDelivered(now, link, direction, packet);
        }

        deliver(now, packet);
    }
}
