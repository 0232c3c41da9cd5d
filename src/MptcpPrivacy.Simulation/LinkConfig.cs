namespace MptcpPrivacy.Simulation;

/// <summary>
/// The impairments of one direction of a link, in the spirit of Linux netem and smoltcp's
/// <c>FaultInjector</c>. Every probability is drawn from the simulator's seeded generator.
/// </summary>
public sealed record LinkConfig
{
    /// <summary>Gets the line rate in bits per second; 0 means infinitely fast (no serialisation delay, no queueing).</summary>
    public long RateBitsPerSecond { get; init; }

    /// <summary>Gets the one-way propagation delay in nanoseconds.</summary>
    public long DelayNs { get; init; }

    /// <summary>Gets the jitter bound in nanoseconds: each packet gets an extra delay drawn uniformly from [0, JitterNs].</summary>
    public long JitterNs { get; init; }

    /// <summary>Gets how many packets may wait behind the one being serialised; more are tail-dropped.</summary>
    public int QueuePackets { get; init; } = 100;

    /// <summary>Gets the loss process, or null for none.</summary>
    public LossModel? Loss { get; init; }

    /// <summary>Gets the probability that a packet is held back by <see cref="ReorderDelayNs"/> so later ones overtake it.</summary>
    public double ReorderProbability { get; init; }

    /// <summary>Gets the extra delay of a reordered packet, in nanoseconds.</summary>
    public long ReorderDelayNs { get; init; } = 1_000_000;

    /// <summary>Gets the probability that a packet is delivered twice.</summary>
    public double DuplicateProbability { get; init; }

    /// <summary>Gets the largest IP packet the link carries; larger ones are dropped and counted (no fragmentation).</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>Returns the time to put <paramref name="bytes"/> on the wire, rounded up to a whole nanosecond.</summary>
    public long SerialisationNs(int bytes) =>
        RateBitsPerSecond <= 0 ? 0 : ((bytes * 8L * 1_000_000_000L) + RateBitsPerSecond - 1) / RateBitsPerSecond;
}
