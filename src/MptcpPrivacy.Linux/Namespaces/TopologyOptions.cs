namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>What an <see cref="InteropTopology"/> is built with.</summary>
public sealed record TopologyOptions
{
    /// <summary>Gets the number of paths, 1 to <see cref="TopologyPath.MaxPaths"/> (default 2).</summary>
    public int Paths { get; init; } = 2;

    /// <summary>Gets what plays the stack host (default: the userspace stack on a TUN device).</summary>
    public StackSide StackSide { get; init; } = StackSide.Tun;

    /// <summary>
    /// Gets the rate, in bits per second, that an HTB qdisc limits every path to in each direction
    /// (on the egress of both veth ends); null leaves the paths unshaped.
    /// </summary>
    public long? RateBitsPerSecond { get; init; }

    /// <summary>Gets which segments a middlebox strips of the MPTCP option (default none).</summary>
    public OptionStrip OptionStrip { get; init; } = OptionStrip.None;

    /// <summary>Gets the name of the TUN device created in the stack namespace when <see cref="StackSide"/> is <see cref="StackSide.Tun"/>.</summary>
    public string TunName { get; init; } = "tun0";

    /// <summary>Throws <see cref="ArgumentException"/> when an option is out of range.</summary>
    public void Validate()
    {
        if (Paths is < 1 or > TopologyPath.MaxPaths)
        {
            throw new ArgumentException($"a topology has 1 to {TopologyPath.MaxPaths} paths, not {Paths}", nameof(Paths));
        }

        if (RateBitsPerSecond is <= 0)
        {
            throw new ArgumentException($"a path rate must be positive, not {RateBitsPerSecond} bit/s", nameof(RateBitsPerSecond));
        }

        if (!Enum.IsDefined(StackSide) || !Enum.IsDefined(OptionStrip))
        {
            throw new ArgumentException("unknown stack side or option strip mode");
        }

        // IFNAMSIZ is 16 with the terminating zero.
        if (TunName.Length is 0 or > 15 || TunName.Any(c => c is '/' or ' ' or ':' || char.IsControl(c)))
        {
            throw new ArgumentException($"\"{TunName}\" is not a valid interface name", nameof(TunName));
        }
    }
}
