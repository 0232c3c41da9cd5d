using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>
/// Builds a <see cref="PathSpec"/> one key at a time, for the text form and for a path object in a
/// scenario file alike, so both accept exactly the same keys and values.
/// </summary>
internal sealed class PathSpecReader : IKeyedReader<PathSpec>
{
    /// <summary>The keys, in the order <see cref="PathSpec.ToString"/> writes them.</summary>
    public static readonly string[] Keys =
        ["name", "rate", "rtt", "delay", "jitter", "loss", "reorder", "reorder-delay", "dup", "mtu", "queue", "nat", "strip", "announce", "backup", "down", "up", "v4", "v6"];

    /// <summary>The keys that may be given more than once.</summary>
    public static readonly string[] RepeatableKeys = ["down", "up"];

    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<LinkStateChange> _changes = [];

    /// <inheritdoc/>
    public string KeyKind => "path key";

    /// <inheritdoc/>
    IReadOnlyList<string> IKeyedReader<PathSpec>.Keys => Keys;

    private PathSpec Spec { get; set; } = new();

    /// <inheritdoc/>
    public bool IsRepeatable(string key) => RepeatableKeys.Contains(key);

    /// <inheritdoc/>
    public bool IsFlag(string key) => key is "nat" or "announce" or "backup";

    /// <inheritdoc/>
    public PathSpec Finish() => Spec;

    /// <inheritdoc/>
    public void Set(string key, string? value)
    {
        if (!_seen.Add(key) && !IsRepeatable(key))
        {
            throw new ScenarioFormatException("given twice");
        }

        if (!IsFlag(key) && value is null)
        {
            throw new ScenarioFormatException("needs a value (only nat, announce and backup may stand alone)");
        }

        string text = value ?? "";
        Spec = key switch
        {
            "name" => Spec with { Name = ReadName(text) },
            "rate" => Spec with { RateBitsPerSecond = ScenarioValues.ParseRate(text) },
            "rtt" => Spec with { DelayNs = ReadRtt(text) },
            "delay" => Spec with { DelayNs = ReadDelay(text) },
            "jitter" => Spec with { JitterNs = ScenarioValues.ParseDuration(text) },
            "loss" => Spec with { Loss = ReadLoss(text) },
            "reorder" => Spec with { ReorderProbability = ScenarioValues.ParsePercent(text) },
            "reorder-delay" => Spec with { ReorderDelayNs = ScenarioValues.ParseDuration(text) },
            "dup" => Spec with { DuplicateProbability = ScenarioValues.ParsePercent(text) },
            "mtu" => Spec with { Mtu = (int)ScenarioValues.ParseInteger(text, PathSpec.MinimumMtu, ushort.MaxValue) },
            "queue" => Spec with { QueuePackets = (int)ScenarioValues.ParseInteger(text, 0, PathSpec.MaximumQueuePackets) },
            "nat" => ReadNat(value),
            "strip" => Spec with { Strip = ReadStrip(text) },
            "announce" => Spec with { Announce = ReadYesNo(value, "announce") },
            "backup" => Spec with { Backup = ReadYesNo(value, "backup") },
            "down" => Spec with { LinkChanges = AddChange(text, up: false) },
            "up" => Spec with { LinkChanges = AddChange(text, up: true) },
            "v4" => Spec with { Ipv4 = ReadAddress(text, v4: true) },
            "v6" => Spec with { Ipv6 = ReadAddress(text, v4: false) },
            _ => throw new ArgumentException($"{key} is not a path key.", nameof(key)),
        };
    }

    /// <summary>Returns whether <paramref name="name"/> may name a link: 1 to 32 letters, digits, '-', '_' or '.'.</summary>
    internal static bool IsValidName(string name) =>
        name.Length is > 0 and <= 32 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Reads "1%" (Bernoulli) or "ge:P:R[:LOSS_IN_GOOD[:LOSS_IN_BAD]]" (Gilbert-Elliott); "0%" is no loss.</summary>
    internal static LossModel? ReadLoss(string text)
    {
        if (!text.StartsWith("ge:", StringComparison.OrdinalIgnoreCase))
        {
            double probability = ScenarioValues.ParsePercent(text);
            return probability == 0 ? null : new BernoulliLoss(probability);
        }

        string[] parts = text[3..].Split(':');
        if (parts.Length is < 2 or > 4)
        {
            throw new ScenarioFormatException(
                $"\"{text}\" is not a Gilbert-Elliott loss: write ge:P:R with P the chance to go from good to bad and R back, as in ge:1%:10% " +
                "(then optionally the loss in the good state and in the bad state, default 0% and 100%)");
        }

        return new GilbertElliottLoss(
            ScenarioValues.ParsePercent(parts[0]),
            ScenarioValues.ParsePercent(parts[1]),
            parts.Length > 2 ? ScenarioValues.ParsePercent(parts[2]) : 0,
            parts.Length > 3 ? ScenarioValues.ParsePercent(parts[3]) : 1);
    }

    private static string ReadName(string text) =>
        IsValidName(text) ? text : throw new ScenarioFormatException($"\"{text}\" is not a name: use 1 to 32 letters, digits, '-', '_' or '.'");

    private static StripMode ReadStrip(string text) => text.ToLowerInvariant() switch
    {
        "none" => StripMode.None,
        "all" => StripMode.All,
        "syn" => StripMode.Syn,
        "join" => StripMode.Join,
        _ => throw new ScenarioFormatException($"\"{text}\" is not a strip mode: none, all, syn or join"),
    };

    private static PathAddress ReadAddress(string text, bool v4)
    {
        if (text.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return PathAddress.None;
        }

        if (!InterfaceAddress.TryParse(text, out InterfaceAddress address, out string error))
        {
            throw new ScenarioFormatException(error);
        }

        if (address.Address.IsV4 != v4)
        {
            throw new ScenarioFormatException($"\"{text}\" is not an {(v4 ? "IPv4" : "IPv6")} address");
        }

        return PathAddress.Given(address);
    }

    private long ReadRtt(string text)
    {
        if (_seen.Contains("delay"))
        {
            throw new ScenarioFormatException("give rtt or delay, not both (delay is one way, rtt both)");
        }

        long rtt = ScenarioValues.ParseDuration(text);
        return rtt % 2 == 0 ? rtt / 2 : throw new ScenarioFormatException($"\"{text}\" is an odd number of nanoseconds and cannot be split into two equal one-way delays; give delay instead");
    }

    private long ReadDelay(string text) =>
        _seen.Contains("rtt")
            ? throw new ScenarioFormatException("give rtt or delay, not both (delay is one way, rtt both)")
            : ScenarioValues.ParseDuration(text);

    /// <summary>Reads a flag's value: bare, "yes" or "true" is set, "no" or "false" is not; anything else is null.</summary>
    private static bool? YesNo(string? value) => value?.ToLowerInvariant() switch
    {
        null or "yes" or "true" => true,
        "no" or "false" => false,
        _ => null,
    };

    private static bool ReadYesNo(string? value, string key) =>
        YesNo(value) ?? throw new ScenarioFormatException($"\"{value}\" is not a value for {key}: give it bare, or yes or no");

    private PathSpec ReadNat(string? value)
    {
        bool? nat = YesNo(value);
        if (nat is not null || value is null)
        {
            return Spec with { Nat = nat ?? true, NatPublicAddress = null };
        }

        if (!AddressText.TryParseAddress(value, out IpAddressBytes address, out string error))
        {
            throw new ScenarioFormatException($"{error}; nat takes yes, no, or the NAT's public IPv4 address");
        }

        return address.IsV4 ? Spec with { Nat = true, NatPublicAddress = address } : throw new ScenarioFormatException($"\"{value}\" is IPv6; the NAT is IPv4 only (NAT44)");
    }

    private List<LinkStateChange> AddChange(string text, bool up)
    {
        long at = ScenarioValues.ParseDuration(text);
        foreach (LinkStateChange change in _changes)
        {
            if (change.AtNs == at)
            {
                throw new ScenarioFormatException(change.Up == up
                    ? $"{(up ? "up" : "down")} at {ScenarioValues.FormatDuration(at)} is given twice"
                    : $"the link cannot go down and up at the same time ({ScenarioValues.FormatDuration(at)})");
            }
        }

        _changes.Add(new LinkStateChange(at, up));

        // Kept in time order, so a file's down and up lists and a string's interleaved keys give the same path.
        return [.. _changes.OrderBy(c => c.AtNs)];
    }
}
