using System.Globalization;
using System.Text;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>
/// One path of a scenario, between the client's interface of that path and the router: line rate,
/// delay, jitter, loss, reordering, duplication, MTU and queue, the middleboxes on it (NAT, MPTCP
/// option stripper), when its link goes down and comes back, and the client's addresses on it.
/// Pure data: <see cref="SimulatedTopology"/> builds the network from it.
/// </summary>
/// <remarks>
/// The text form is the one of <c>--path</c>, items separated by commas:
/// <c>rate=100M,rtt=20ms,jitter=1ms,loss=1%,reorder=0.5%,dup=0.2%,mtu=1400,nat,strip=join,announce,down=5s,up=8s</c>.
/// <see cref="Parse"/> reads it and <see cref="ToString"/> writes it, so that <c>Parse(p.ToString())</c> equals <c>p</c>.
/// docs/simulate-scenarios.md lists every key.
/// </remarks>
public sealed record PathSpec
{
    /// <summary>The smallest MTU a path may have (RFC 791: every IPv4 host must take 68-byte packets).</summary>
    public const int MinimumMtu = 68;

    /// <summary>The smallest MTU of a path with an IPv6 address (RFC 8200 §5).</summary>
    public const int MinimumIpv6Mtu = 1280;

    /// <summary>The most packets a path's queue may be given.</summary>
    public const int MaximumQueuePackets = 1_000_000;

    /// <summary>Gets a name for the path's link (the capture interface name), or null for "path" and the path's number.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the line rate in bits per second in each direction; 0 means no limit. Default 100 Mbit/s.</summary>
    public long RateBitsPerSecond { get; init; } = 100_000_000;

    /// <summary>Gets the one-way propagation delay in nanoseconds (half the round-trip time). Default 10 ms.</summary>
    public long DelayNs { get; init; } = 10_000_000;

    /// <summary>Gets the jitter bound in nanoseconds (each packet gets up to this much more delay).</summary>
    public long JitterNs { get; init; }

    /// <summary>Gets the loss process of each direction, or null for none.</summary>
    public LossModel? Loss { get; init; }

    /// <summary>Gets the probability that a packet is held back by <see cref="ReorderDelayNs"/>.</summary>
    public double ReorderProbability { get; init; }

    /// <summary>Gets how long a reordered packet is held back, in nanoseconds. Default 1 ms.</summary>
    public long ReorderDelayNs { get; init; } = 1_000_000;

    /// <summary>Gets the probability that a packet arrives twice.</summary>
    public double DuplicateProbability { get; init; }

    /// <summary>Gets the largest IP packet the path carries. Default 1500.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>Gets how many packets may wait for the line in each direction. Default 100.</summary>
    public int QueuePackets { get; init; } = 100;

    /// <summary>Gets whether an IPv4 NAT (<see cref="Nat44"/>) sits on the path, the client on its inside.</summary>
    public bool Nat { get; init; }

    /// <summary>Gets the NAT's public address, or null for the default (the first address of the path's IPv4 prefix).</summary>
    public IpAddressBytes? NatPublicAddress { get; init; }

    /// <summary>Gets which MPTCP options a middlebox on the path strips.</summary>
    public StripMode Strip { get; init; }

    /// <summary>
    /// Gets whether the client announces its addresses on the path to the server (ADD_ADDR, RFC 8684
    /// §3.4) besides joining from them: their path-manager endpoints are "signal subflow", not "subflow".
    /// </summary>
    public bool Announce { get; init; }

    /// <summary>
    /// Gets whether the client's endpoints on the path are backups (<c>ip mptcp endpoint ... backup</c>):
    /// its joins carry the B flag (RFC 8684 §3.2) and data only when no other subflow can.
    /// </summary>
    public bool Backup { get; init; }

    /// <summary>Gets when the path's link goes down and comes back up, in time order.</summary>
    public IReadOnlyList<LinkStateChange> LinkChanges { get; init; } = [];

    /// <summary>Gets the client's IPv4 address on the path.</summary>
    public PathAddress Ipv4 { get; init; }

    /// <summary>Gets the client's IPv6 address on the path.</summary>
    public PathAddress Ipv6 { get; init; }

    /// <summary>Gets the keys of the text form, in the order <see cref="ToString"/> writes them.</summary>
    public static IReadOnlyList<string> Keys => PathSpecReader.Keys;

    /// <summary>
    /// Returns the default client IPv4 address of path <paramref name="pathNumber"/> (1-based):
    /// 198.51.100.2/24, 203.0.113.2/24, 192.0.2.130/25 for paths 1 to 3 (the server takes
    /// 192.0.2.0/25); null after that, when there is no documentation prefix left (RFC 5737).
    /// </summary>
    public static InterfaceAddress? DefaultIpv4(int pathNumber) => pathNumber switch
    {
        1 => InterfaceAddress.Parse("198.51.100.2/24"),
        2 => InterfaceAddress.Parse("203.0.113.2/24"),
        3 => InterfaceAddress.Parse("192.0.2.130/25"),
        _ => null,
    };

    /// <summary>Returns the default client IPv6 address of path <paramref name="pathNumber"/> (1-based): 2001:db8:N::2/64 with N the number in hex (RFC 3849).</summary>
    public static InterfaceAddress DefaultIpv6(int pathNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pathNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pathNumber, 0xFFFF);
        return InterfaceAddress.Parse($"2001:db8:{pathNumber.ToString("x", CultureInfo.InvariantCulture)}::2/64");
    }

    /// <summary>Reads the text form ("rate=100M,rtt=20ms,loss=1%,nat,strip=join,down=5s").</summary>
    /// <exception cref="ScenarioFormatException">The text names an unknown key, a bad value, or a key twice; the message names the key.</exception>
    public static PathSpec Parse(string text) => KeyValueText.Read("path", text, new PathSpecReader());

    /// <summary>Returns the path's name: <see cref="Name"/>, or "path" and <paramref name="pathNumber"/>.</summary>
    public string ResolveName(int pathNumber) => Name ?? $"path{pathNumber.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Returns the client's IPv4 address on the path when it is path number <paramref name="pathNumber"/>, or null for none.</summary>
    public InterfaceAddress? ResolveIpv4(int pathNumber) => Resolve(Ipv4, DefaultIpv4(pathNumber));

    /// <summary>Returns the client's IPv6 address on the path when it is path number <paramref name="pathNumber"/>, or null for none.</summary>
    public InterfaceAddress? ResolveIpv6(int pathNumber) => Resolve(Ipv6, DefaultIpv6(pathNumber));

    /// <summary>Returns the client's addresses on path number <paramref name="pathNumber"/> at the start, IPv4 first.</summary>
    public IReadOnlyList<InterfaceAddress> ResolveAddresses(int pathNumber)
    {
        var addresses = new List<InterfaceAddress>(2);
        if (ResolveIpv4(pathNumber) is { } v4)
        {
            addresses.Add(v4);
        }

        if (ResolveIpv6(pathNumber) is { } v6)
        {
            addresses.Add(v6);
        }

        return addresses;
    }

    /// <summary>
    /// Returns the NAT's public address on path number <paramref name="pathNumber"/>: <see cref="NatPublicAddress"/>,
    /// or the first address of the client's IPv4 prefix (198.51.100.1 on path 1); null when there is no NAT or no IPv4.
    /// </summary>
    public IpAddressBytes? ResolveNatAddress(int pathNumber)
    {
        if (!Nat)
        {
            return null;
        }

        if (NatPublicAddress is { } given)
        {
            return given;
        }

        if (ResolveIpv4(pathNumber) is not { } inside)
        {
            return null;
        }

        IpAddressBytes network = inside.Prefix.Network;
        Span<byte> bytes = stackalloc byte[4];
        network.CopyTo(bytes);
        bytes[3]++;
        return IpAddressBytes.FromSpan(bytes);
    }

    /// <summary>Returns the impairments of each direction of the path's link.</summary>
    public LinkConfig ToLinkConfig() => new()
    {
        RateBitsPerSecond = RateBitsPerSecond,
        DelayNs = DelayNs,
        JitterNs = JitterNs,
        QueuePackets = QueuePackets,
        Loss = Loss,
        ReorderProbability = ReorderProbability,
        ReorderDelayNs = ReorderDelayNs,
        DuplicateProbability = DuplicateProbability,
        Mtu = Mtu,
    };

    /// <summary>Returns the stripper mode for the path, or null when it has no stripper.</summary>
    public OptionStripMode? ToOptionStripMode() => Strip switch
    {
        StripMode.All => OptionStripMode.AllSegments,
        StripMode.Syn => OptionStripMode.SynOnly,
        StripMode.Join => OptionStripMode.MpJoinSynOnly,
        _ => null,
    };

    /// <summary>Writes the text form that <see cref="Parse"/> reads back to an equal path; rate and rtt always, other keys when they differ from the default.</summary>
    public override string ToString() => string.Join(',', Items().Select(item => item.Value is null ? item.Key : $"{item.Key}={item.Value}"));

    /// <inheritdoc/>
    public bool Equals(PathSpec? other) =>
        other is not null
        && Name == other.Name
        && RateBitsPerSecond == other.RateBitsPerSecond
        && DelayNs == other.DelayNs
        && JitterNs == other.JitterNs
        && Equals(Loss, other.Loss)
        && ReorderProbability.Equals(other.ReorderProbability)
        && ReorderDelayNs == other.ReorderDelayNs
        && DuplicateProbability.Equals(other.DuplicateProbability)
        && Mtu == other.Mtu
        && QueuePackets == other.QueuePackets
        && Nat == other.Nat
        && NatPublicAddress == other.NatPublicAddress
        && Strip == other.Strip
        && Announce == other.Announce
        && Backup == other.Backup
        && LinkChanges.SequenceEqual(other.LinkChanges)
        && Ipv4 == other.Ipv4
        && Ipv6 == other.Ipv6;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RateBitsPerSecond, DelayNs, Loss, Mtu, Nat, Strip, LinkChanges.Count, Ipv4);

    /// <summary>Returns the keys and values of the text form in order (null for a bare key); a scenario file writes the same.</summary>
    internal List<(string Key, string? Value)> Items()
    {
        var items = new List<(string Key, string? Value)>();
        if (Name is not null)
        {
            items.Add(("name", Name));
        }

        items.Add(("rate", ScenarioValues.FormatRate(RateBitsPerSecond)));
        items.Add(DelayNs <= long.MaxValue / 2 ? ("rtt", ScenarioValues.FormatDuration(DelayNs * 2)) : ("delay", ScenarioValues.FormatDuration(DelayNs)));
        var defaults = new PathSpec();
        if (JitterNs != 0)
        {
            items.Add(("jitter", ScenarioValues.FormatDuration(JitterNs)));
        }

        if (Loss is not null)
        {
            items.Add(("loss", FormatLoss(Loss)));
        }

        if (ReorderProbability != 0)
        {
            items.Add(("reorder", ScenarioValues.FormatPercent(ReorderProbability)));
        }

        if (ReorderDelayNs != defaults.ReorderDelayNs)
        {
            items.Add(("reorder-delay", ScenarioValues.FormatDuration(ReorderDelayNs)));
        }

        if (DuplicateProbability != 0)
        {
            items.Add(("dup", ScenarioValues.FormatPercent(DuplicateProbability)));
        }

        if (Mtu != defaults.Mtu)
        {
            items.Add(("mtu", Mtu.ToString(CultureInfo.InvariantCulture)));
        }

        if (QueuePackets != defaults.QueuePackets)
        {
            items.Add(("queue", QueuePackets.ToString(CultureInfo.InvariantCulture)));
        }

        if (Nat)
        {
            items.Add(("nat", NatPublicAddress?.ToString()));
        }

        if (Strip != StripMode.None)
        {
            items.Add(("strip", FormatStrip(Strip)));
        }

        if (Announce)
        {
            items.Add(("announce", null));
        }

        if (Backup)
        {
            items.Add(("backup", null));
        }

        foreach (LinkStateChange change in LinkChanges)
        {
            items.Add((change.Up ? "up" : "down", ScenarioValues.FormatDuration(change.AtNs)));
        }

        if (Ipv4.Kind != PathAddressKind.Default)
        {
            items.Add(("v4", Ipv4.ToString()));
        }

        if (Ipv6.Kind != PathAddressKind.Default)
        {
            items.Add(("v6", Ipv6.ToString()));
        }

        return items;
    }

    /// <summary>Writes a loss model in the text form: "1%" or "ge:1%:10%" (with the loss in each state when not 0% and 100%).</summary>
    internal static string FormatLoss(LossModel loss)
    {
        switch (loss)
        {
            case BernoulliLoss bernoulli:
                return ScenarioValues.FormatPercent(bernoulli.Probability);
            case GilbertElliottLoss ge:
                var text = new StringBuilder("ge:");
                text.Append(ScenarioValues.FormatPercent(ge.GoodToBad)).Append(':').Append(ScenarioValues.FormatPercent(ge.BadToGood));
                if (ge.LossInGood != 0 || ge.LossInBad != 1)
                {
                    text.Append(':').Append(ScenarioValues.FormatPercent(ge.LossInGood));
                    if (ge.LossInBad != 1)
                    {
                        text.Append(':').Append(ScenarioValues.FormatPercent(ge.LossInBad));
                    }
                }

                return text.ToString();
            default:
                throw new ArgumentException($"Unknown loss model {loss.GetType().Name}.", nameof(loss));
        }
    }

    /// <summary>Writes a strip mode as its text key value.</summary>
    internal static string FormatStrip(StripMode mode) => mode switch
    {
        StripMode.All => "all",
        StripMode.Syn => "syn",
        StripMode.Join => "join",
        _ => "none",
    };

    private static InterfaceAddress? Resolve(PathAddress choice, InterfaceAddress? fallback) => choice.Kind switch
    {
        PathAddressKind.None => null,
        PathAddressKind.Given => choice.Address,
        _ => fallback,
    };
}
