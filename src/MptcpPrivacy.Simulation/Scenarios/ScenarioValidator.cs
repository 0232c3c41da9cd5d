using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>
/// The checks of <see cref="ScenarioSpec.Validate"/>: each value in range (for scenarios built in
/// code, which skip the readers), and what only the whole scenario shows: names and addresses that
/// clash, prefixes the router could not tell apart, mobility events that add an address the path
/// already has or remove one it does not have at that time.
/// </summary>
internal static class ScenarioValidator
{
    public static void Validate(ScenarioSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Paths.Count == 0)
        {
            throw Error("paths", "a scenario needs at least one path");
        }

        if (spec.Paths.Count > ScenarioSpec.MaximumPaths)
        {
            throw Error("paths", $"{spec.Paths.Count} paths are more than the {ScenarioSpec.MaximumPaths} a scenario may have");
        }

        if (spec.ClientToServerBytes < 0)
        {
            throw Error("client-to-server", "cannot be negative");
        }

        if (spec.ServerToClientBytes < 0)
        {
            throw Error("server-to-client", "cannot be negative");
        }

        if (spec.DurationNs <= 0)
        {
            throw Error("duration", "must be longer than 0");
        }

        if (spec.Connections is < 1 or > ScenarioSpec.MaximumConnections)
        {
            throw Error("connections", $"{spec.Connections} is out of range (1 to {ScenarioSpec.MaximumConnections})");
        }

        if (!Enum.IsDefined(spec.Profile))
        {
            throw Error("profile", $"{spec.Profile} is not a privacy profile");
        }

        // Who holds each address and whose each routed prefix is, to find clashes.
        var addressOwners = new Dictionary<IpAddressBytes, string>();
        var prefixOwners = new Dictionary<IpPrefix, string>();
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["server"] = 0 };
        for (int i = 0; i < spec.Paths.Count; i++)
        {
            ValidatePath(spec.Paths[i], i, names);
        }

        Claim(addressOwners, prefixOwners, ScenarioSpec.ServerIpv4, "the server", "server");
        Claim(addressOwners, prefixOwners, ScenarioSpec.ServerIpv6, "the server", "server");
        for (int i = 0; i < spec.Paths.Count; i++)
        {
            string owner = $"path {i + 1}";
            foreach (InterfaceAddress address in spec.Paths[i].ResolveAddresses(i + 1))
            {
                Claim(addressOwners, prefixOwners, address, owner, $"paths[{i}]");
            }

            if (spec.Paths[i].ResolveNatAddress(i + 1) is { } nat)
            {
                Claim(addressOwners, prefixOwners, InterfaceAddress.Host(nat), $"{owner}'s NAT", $"paths[{i}].nat");
            }
        }

        for (int i = 0; i < spec.ServerAnnouncedAddresses.Count; i++)
        {
            InterfaceAddress announced = spec.ServerAnnouncedAddresses[i];
            if (announced.Address.Length == 0 || (addressOwners.TryGetValue(announced.Address, out string? holder) && holder == "the server"))
            {
                throw Error($"announce[{i}]", announced.Address.Length == 0 ? "has no address" : $"the server already has {announced.Address}");
            }

            Claim(addressOwners, prefixOwners, announced, "the server", $"announce[{i}]");
        }

        ValidateMobility(spec, addressOwners, prefixOwners);
    }

    private static void ValidatePath(PathSpec path, int index, Dictionary<string, int> names)
    {
        string at = $"paths[{index}]";
        int number = index + 1;
        if (path.Name is not null && !PathSpecReader.IsValidName(path.Name))
        {
            throw Error($"{at}.name", $"\"{path.Name}\" is not a name: use 1 to 32 letters, digits, '-', '_' or '.'");
        }

        string name = path.ResolveName(number);
        if (!names.TryAdd(name, number))
        {
            throw Error($"{at}.name", names[name] == 0 ? "\"server\" names the server's link" : $"\"{name}\" is also the name of path {names[name]}");
        }

        NotNegative(path.RateBitsPerSecond, $"{at}.rate");
        NotNegative(path.DelayNs, $"{at}.delay");
        NotNegative(path.JitterNs, $"{at}.jitter");
        NotNegative(path.ReorderDelayNs, $"{at}.reorder-delay");
        Probability(path.ReorderProbability, $"{at}.reorder");
        Probability(path.DuplicateProbability, $"{at}.dup");
        switch (path.Loss)
        {
            case BernoulliLoss bernoulli:
                Probability(bernoulli.Probability, $"{at}.loss");
                break;
            case GilbertElliottLoss ge:
                Probability(ge.GoodToBad, $"{at}.loss");
                Probability(ge.BadToGood, $"{at}.loss");
                Probability(ge.LossInGood, $"{at}.loss");
                Probability(ge.LossInBad, $"{at}.loss");
                break;
        }

        if (path.Mtu is < PathSpec.MinimumMtu or > ushort.MaxValue)
        {
            throw Error($"{at}.mtu", $"{path.Mtu} is out of range ({PathSpec.MinimumMtu} to {ushort.MaxValue})");
        }

        if (path.QueuePackets is < 0 or > PathSpec.MaximumQueuePackets)
        {
            throw Error($"{at}.queue", $"{path.QueuePackets} is out of range (0 to {PathSpec.MaximumQueuePackets})");
        }

        for (int i = 0; i < path.LinkChanges.Count; i++)
        {
            LinkStateChange change = path.LinkChanges[i];
            string key = $"{at}.{(change.Up ? "up" : "down")}";
            NotNegative(change.AtNs, key);
            if (i > 0 && path.LinkChanges[i - 1].AtNs >= change.AtNs)
            {
                throw Error(key, "link changes must be in time order, one at a time");
            }
        }

        if (path.Ipv4.Kind == PathAddressKind.Given && !path.Ipv4.Address.Address.IsV4)
        {
            throw Error($"{at}.v4", $"{path.Ipv4.Address} is not an IPv4 address");
        }

        if (path.Ipv6.Kind == PathAddressKind.Given && path.Ipv6.Address.Address.IsV4)
        {
            throw Error($"{at}.v6", $"{path.Ipv6.Address} is not an IPv6 address");
        }

        InterfaceAddress? v4 = path.ResolveIpv4(number);
        InterfaceAddress? v6 = path.ResolveIpv6(number);
        if (v4 is null && v6 is null)
        {
            throw Error(at, path.Ipv4.Kind == PathAddressKind.None
                ? $"path {number} has no address (v4=none and v6=none)"
                : $"path {number} has no default IPv4 address (paths 1 to 3 have one) and v6=none; give v4=ADDRESS/LENGTH");
        }

        if (v6 is not null && path.Mtu < PathSpec.MinimumIpv6Mtu)
        {
            throw Error($"{at}.mtu", $"{path.Mtu} is below IPv6's minimum MTU of {PathSpec.MinimumIpv6Mtu} and path {number} has an IPv6 address (add v6=none to leave it out)");
        }

        if (path.Nat)
        {
            if (path.NatPublicAddress is { IsV4: false } wrong)
            {
                throw Error($"{at}.nat", $"{wrong} is IPv6; the NAT is IPv4 only (NAT44)");
            }

            if (v4 is null)
            {
                throw Error($"{at}.nat", $"a NAT needs an IPv4 address on path {number}, which has none");
            }

            if (path.ResolveNatAddress(number) == v4.Value.Address)
            {
                throw Error($"{at}.nat", $"the NAT's public address {v4.Value.Address} is the client's own address; give another as nat=ADDRESS");
            }
        }
    }

    private static void ValidateMobility(ScenarioSpec spec, Dictionary<IpAddressBytes, string> addressOwners, Dictionary<IpPrefix, string> prefixOwners)
    {
        var current = new List<HashSet<IpAddressBytes>>();
        for (int i = 0; i < spec.Paths.Count; i++)
        {
            current.Add([.. spec.Paths[i].ResolveAddresses(i + 1).Select(a => a.Address)]);
        }

        // The order they will happen in: by time, ties in list order (a stable sort).
        var ordered = spec.Mobility.Select((e, i) => (Event: e, Index: i)).OrderBy(p => p.Event.AtNs).ToList();
        foreach ((MobilityEvent e, int index) in ordered)
        {
            string at = $"mobility[{index}]";
            if (e.PathNumber < 1 || e.PathNumber > spec.Paths.Count)
            {
                throw Error($"{at}.path", $"there is no path {e.PathNumber}; the scenario has {spec.Paths.Count}");
            }

            NotNegative(e.AtNs, $"{at}.at");
            HashSet<IpAddressBytes> addresses = current[e.PathNumber - 1];
            string when = ScenarioValues.FormatDuration(e.AtNs);
            switch (e.Action)
            {
                case MobilityAction.AddAddress:
                    if (e.Address.Address.Length == 0)
                    {
                        throw Error($"{at}.add", "has no address");
                    }

                    if (!addresses.Add(e.Address.Address))
                    {
                        throw Error($"{at}.add", $"path {e.PathNumber} already has {e.Address.Address} at {when}");
                    }

                    Claim(addressOwners, prefixOwners, e.Address, $"path {e.PathNumber}", $"{at}.add");
                    break;
                case MobilityAction.RemoveAddress:
                    if (!addresses.Remove(e.Address.Address))
                    {
                        throw Error($"{at}.remove", $"path {e.PathNumber} has no address {e.Address.Address} at {when}");
                    }

                    break;
                case MobilityAction.InterfaceDown or MobilityAction.InterfaceUp:
                    break;
                default:
                    throw Error(at, $"unknown action {e.Action}");
            }
        }
    }

    /// <summary>Records that <paramref name="owner"/> holds an address and routes its prefix; the same address or the same prefix for another owner is an error.</summary>
    private static void Claim(Dictionary<IpAddressBytes, string> addresses, Dictionary<IpPrefix, string> prefixes, InterfaceAddress address, string owner, string location)
    {
        if (addresses.TryGetValue(address.Address, out string? holder) && holder != owner)
        {
            throw Error(location, $"{address.Address} is already {holder}'s address");
        }

        addresses[address.Address] = owner;
        if (prefixes.TryGetValue(address.Prefix, out string? router) && router != owner)
        {
            throw Error(location, $"{address.Prefix} is also {router}'s prefix; the router could not tell where to send it");
        }

        prefixes[address.Prefix] = owner;
    }

    private static void NotNegative(long value, string location)
    {
        if (value < 0)
        {
            throw Error(location, "cannot be negative");
        }
    }

    private static void Probability(double value, string location)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw Error(location, $"{value} is not a probability from 0 to 1 (0% to 100%)");
        }
    }

    private static ScenarioFormatException Error(string location, string detail) => new(detail, location, 0, 0);
}
