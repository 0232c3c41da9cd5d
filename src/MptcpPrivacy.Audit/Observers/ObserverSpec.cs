using System.Globalization;

namespace MptcpPrivacy.Audit.Observers;

/// <summary>The observer classes of draft-bagnulo-mptcp-privacy-00 §2.1, and observers a user defines.</summary>
public enum ObserverClass : byte
{
    /// <summary>Sees every packet of the capture (all paths).</summary>
    FullyOnPath,

    /// <summary>Sees one path only.</summary>
    PartiallyOnPath,

    /// <summary>The server: sees its own subflows and holds the keys.</summary>
    Endpoint,

    /// <summary>Defined with --observer.</summary>
    Custom,
}

/// <summary>
/// Which packets one observer sees. A spec is a comma-separated list of alternatives; a packet is
/// seen when it matches any of them. An alternative is one or more conditions joined by '&amp;', all
/// of which must hold: <c>all</c>; <c>if:N</c> (interface N of any file: the SLL2 interface index or
/// the pcapng interface id); <c>if:F:N</c> (interface N of file F, 1-based); <c>net:PREFIX</c> (source
/// or destination inside the prefix); <c>file:F</c>. Example: <c>wifi=if:2,if:3&amp;net:203.0.113.0/24</c>.
/// </summary>
public sealed class ObserverSpec
{
    private readonly Condition[][] _alternatives;

    private ObserverSpec(string name, string text, ObserverClass observerClass, Condition[][] alternatives)
    {
        Name = name;
        Text = text;
        Class = observerClass;
        _alternatives = alternatives;
    }

    /// <summary>The observer's name in reports.</summary>
    public string Name { get; }

    /// <summary>The spec as written (after NAME=).</summary>
    public string Text { get; }

    /// <summary>The observer's class.</summary>
    public ObserverClass Class { get; }

    /// <summary>The fully on-path observer: every packet.</summary>
    public static ObserverSpec FullyOnPath() => new("fully-on-path", "all", ObserverClass.FullyOnPath, [[new Condition(ConditionKind.All)]]);

    /// <summary>The endpoint: every packet of its own subflows (in a capture of its traffic, all of them), keys known.</summary>
    public static ObserverSpec Endpoint() => new("endpoint", "all", ObserverClass.Endpoint, [[new Condition(ConditionKind.All)]]);

    /// <summary>A partially on-path observer of one capture interface.</summary>
    public static ObserverSpec OnInterface(int file, int interfaceIndex, bool manyFiles) => new(
        manyFiles ? $"path-if{file}:{interfaceIndex}" : $"path-if{interfaceIndex}",
        $"if:{file}:{interfaceIndex}",
        ObserverClass.PartiallyOnPath,
        [[new Condition(ConditionKind.Interface) { File = file, Interface = interfaceIndex }]]);

    /// <summary>A partially on-path observer of the packets between two addresses (captures without interfaces).</summary>
    public static ObserverSpec BetweenAddresses(Wire.Ip.IpAddressBytes a, Wire.Ip.IpAddressBytes b) => new(
        $"path-{a}-{b}",
        $"net:{a}/{a.Length * 8}&net:{b}/{b.Length * 8}",
        ObserverClass.PartiallyOnPath,
        [[new Condition(ConditionKind.Network) { Prefix = new IpPrefix(a, a.Length * 8) }, new Condition(ConditionKind.Network) { Prefix = new IpPrefix(b, b.Length * 8) }]]);

    /// <summary>Parses "NAME=SPEC" as given to --observer.</summary>
    public static bool TryParse(string argument, out ObserverSpec? spec, out string error)
    {
        spec = null;
        int equals = argument.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || equals == argument.Length - 1)
        {
            error = $"--observer '{argument}': expected NAME=SPEC, e.g. wifi=if:3 or cell=net:203.0.113.0/24";
            return false;
        }

        string name = argument[..equals];
        string text = argument[(equals + 1)..];
        var alternatives = new List<Condition[]>();
        foreach (string alternative in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var conditions = new List<Condition>();
            foreach (string atom in alternative.Split('&', StringSplitOptions.TrimEntries))
            {
                if (!TryParseCondition(atom, out Condition condition, out error))
                {
                    error = $"--observer '{argument}': {error}";
                    return false;
                }

                conditions.Add(condition);
            }

            alternatives.Add(conditions.ToArray());
        }

        spec = new ObserverSpec(name, text, ObserverClass.Custom, alternatives.ToArray());
        error = "";
        return true;
    }

    /// <summary>True when the observer sees a packet captured at <paramref name="vantage"/>.</summary>
    public bool Sees(in PacketVantage vantage)
    {
        foreach (Condition[] alternative in _alternatives)
        {
            bool all = true;
            foreach (Condition condition in alternative)
            {
                if (!condition.Holds(in vantage))
                {
                    all = false;
                    break;
                }
            }

            if (all)
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseCondition(string atom, out Condition condition, out string error)
    {
        condition = default;
        error = "";
        if (atom == "all")
        {
            condition = new Condition(ConditionKind.All);
            return true;
        }

        if (atom.StartsWith("net:", StringComparison.Ordinal))
        {
            if (!IpPrefix.TryParse(atom[4..], out IpPrefix prefix, out error))
            {
                return false;
            }

            condition = new Condition(ConditionKind.Network) { Prefix = prefix };
            return true;
        }

        if (atom.StartsWith("if:", StringComparison.Ordinal))
        {
            string[] parts = atom[3..].Split(':');
            if (parts.Length is 1 or 2 && parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                int[] numbers = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
                condition = new Condition(ConditionKind.Interface) { File = numbers.Length == 2 ? numbers[0] : 0, Interface = numbers[^1] };
                return true;
            }

            error = $"'{atom}': expected if:N or if:FILE:N with whole numbers";
            return false;
        }

        if (atom.StartsWith("file:", StringComparison.Ordinal) && int.TryParse(atom[5..], NumberStyles.None, CultureInfo.InvariantCulture, out int file) && file > 0)
        {
            condition = new Condition(ConditionKind.File) { File = file };
            return true;
        }

        error = $"'{atom}' is not a condition (all, if:N, if:FILE:N, net:PREFIX, file:N)";
        return false;
    }

    private enum ConditionKind : byte
    {
        All,
        Interface,
        Network,
        File,
    }

    private readonly record struct Condition(ConditionKind Kind)
    {
        public int File { get; init; }

        public int Interface { get; init; }

        public IpPrefix Prefix { get; init; }

        public bool Holds(in PacketVantage v) => Kind switch
        {
            ConditionKind.All => true,
            ConditionKind.Interface => v.Interface == Interface && (File == 0 || v.File == File),
            ConditionKind.Network => Prefix.Contains(v.Source) || Prefix.Contains(v.Destination),
            _ => v.File == File,
        };
    }
}
