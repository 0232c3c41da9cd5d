using System.Globalization;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;

namespace MptcpPrivacy.Cli.Simulate;

/// <summary>
/// Builds the scenario <c>simulate</c> plays: the scenario file (or <see cref="Default"/> when there
/// is none), then the options on top. Options of one value (<c>--up</c>, <c>--down</c>,
/// <c>--seed</c>, <c>--duration</c>) replace the file's; <c>--path</c>, when given at all, replaces
/// the file's whole list of paths (paths are known by their number, so one list from one place
/// keeps "path 2" unambiguous); <c>--mobility</c> and <c>--announce</c> add to the file's lists.
/// </summary>
internal static class SimulateScenario
{
    /// <summary>
    /// Gets the scenario played with no scenario file: two paths (100 Mbit/s with a 20 ms RTT and
    /// 50 Mbit/s with a 40 ms RTT), so that the client joins a second subflow, the second's addresses
    /// announced by the client (ADD_ADDR), so that a privacy mode has joins and an announcement to
    /// hide, and 2 MB up and 4 MB down, so that both directions carry data; seed 1, 60 s limit.
    /// </summary>
    public static ScenarioSpec Default { get; } = new()
    {
        Description = "default: two paths, the second announced, 2 MB up, 4 MB down",
        Paths = [PathSpec.Parse("rate=100M,rtt=20ms"), PathSpec.Parse("rate=50M,rtt=40ms,announce")],
        ClientToServerBytes = 2_000_000,
        ServerToClientBytes = 4_000_000,
    };

    /// <summary>Builds and validates the scenario of <paramref name="request"/>.</summary>
    /// <param name="request">The file name and options.</param>
    /// <param name="fileText">The scenario file's text, or null when the request names no file.</param>
    /// <exception cref="ScenarioFormatException">The file or an option is bad, or they do not make a scenario together; the message names the file position or the option.</exception>
    public static ScenarioSpec Build(SimulateRequest request, string? fileText)
    {
        ScenarioSpec spec = fileText is null ? Default : ScenarioSpec.FromJson(fileText, request.ScenarioFile);
        if (fileText is null && (request.Paths.Count > 0 || request.Mobility.Count > 0 || request.Announce.Count > 0 || request.Up is not null || request.Down is not null || request.Connections is not null))
        {
            spec = spec with { Description = "default, changed by options" };
        }

        var origin = new Origin(request, spec.Mobility.Count, spec.ServerAnnouncedAddresses.Count);

        List<PathSpec> paths = Read("path", request.Paths, PathSpec.Parse);
        if (paths.Count > 0)
        {
            spec = spec with { Paths = paths };
        }

        spec = spec with
        {
            Mobility = [.. spec.Mobility, .. Read("mobility", request.Mobility, MobilityEvent.Parse)],
            ServerAnnouncedAddresses = [.. spec.ServerAnnouncedAddresses, .. Read("announce", request.Announce, ReadAddress)],
        };
        if (request.Up is { } up)
        {
            spec = spec with { ClientToServerBytes = Read("--up", up, ScenarioValues.ParseBytes) };
        }

        if (request.Down is { } down)
        {
            spec = spec with { ServerToClientBytes = Read("--down", down, ScenarioValues.ParseBytes) };
        }

        if (request.Seed is { } seed)
        {
            spec = spec with { Seed = (int)Read("--seed", seed, text => ScenarioValues.ParseInteger(text, int.MinValue, int.MaxValue)) };
        }

        if (request.Duration is { } duration)
        {
            spec = spec with { DurationNs = Read("--duration", duration, ScenarioValues.ParseDuration) };
        }

        if (request.Profile is { } profile)
        {
            spec = spec with { Profile = Read("--profile", profile, ScenarioValues.ParseProfile) };
        }

        if (request.Connections is { } connections)
        {
            spec = spec with { Connections = (int)Read("--connections", connections, ScenarioValues.ParseConnections) };
        }

        try
        {
            spec.Validate();
        }
        catch (ScenarioFormatException e) when (e.Location is not null)
        {
            throw origin.Locate(e);
        }

        return spec;
    }

    private static InterfaceAddress ReadAddress(string text) =>
        InterfaceAddress.TryParse(text, out InterfaceAddress address, out string error) ? address : throw new ScenarioFormatException(error);

    private static List<T> Read<T>(string option, IReadOnlyList<string> values, Func<string, T> read)
    {
        var list = new List<T>(values.Count);
        for (int i = 0; i < values.Count; i++)
        {
            list.Add(Read(OptionName(option, i, values[i]), values[i], read));
        }

        return list;
    }

    /// <summary>Reads one option's value; any error is re-placed at the option, keeping what is wrong.</summary>
    private static T Read<T>(string where, string value, Func<string, T> read)
    {
        try
        {
            return read(value);
        }
        catch (ScenarioFormatException e)
        {
            throw new ScenarioFormatException(e.Detail, where, 0, 0);
        }
    }

    /// <summary>Names a repeatable option's value the way the scenario readers do: <c>--path #2 "rate=1M"</c>.</summary>
    private static string OptionName(string option, int index, string value) =>
        $"--{option} #{(index + 1).ToString(CultureInfo.InvariantCulture)} \"{value}\"";

    /// <summary>Where each part of the merged scenario came from, to name it in a validation error.</summary>
    private sealed class Origin(SimulateRequest request, int fileMobility, int fileAnnounced)
    {
        /// <summary>Turns a validator location ("paths[1].mtu", "mobility[2]", "duration") into the option or the file entry it came from.</summary>
        public ScenarioFormatException Locate(ScenarioFormatException e)
        {
            string location = e.Location!;
            int open = location.IndexOf('[', StringComparison.Ordinal);
            int close = location.IndexOf(']', StringComparison.Ordinal);
            string list = open < 0 ? location.Split('.')[0] : location[..open];
            string key = open < 0 || close < open ? "" : location[(close + 1)..].TrimStart('.');
            int index = open < 0 || close < open ? -1 : int.Parse(location[(open + 1)..close], CultureInfo.InvariantCulture);
            (string Option, IReadOnlyList<string> Values, int FromFile, string? Single) source = list switch
            {
                "paths" => ("path", request.Paths, request.Paths.Count > 0 ? 0 : int.MaxValue, null),
                "mobility" => ("mobility", request.Mobility, fileMobility, null),
                "announce" => ("announce", request.Announce, fileAnnounced, null),
                "client-to-server" => ("up", [], 0, request.Up),
                "server-to-client" => ("down", [], 0, request.Down),
                "duration" => ("duration", [], 0, request.Duration),
                "profile" => ("profile", [], 0, request.Profile),
                "connections" => ("connections", [], 0, request.Connections),
                _ => (list, [], 0, null),
            };
            (string option, IReadOnlyList<string> values, int fromFile, string? single) = source;

            bool fromOption = index < 0 ? single is not null || (option == "path" && values.Count > 0) : index >= fromFile;
            if (!fromOption)
            {
                // The entry is the file's (or the default's), which was valid alone: an option made it clash.
                string hint = request.Paths.Count > 0 ? " (--path replaced the scenario's paths)" : "";
                return new ScenarioFormatException(e.Detail + hint, "$." + location, 0, 0, request.ScenarioFile ?? "the default scenario");
            }

            string where = index < 0 ? "--" + option : OptionName(option, index - fromFile, values[index - fromFile]);
            return new ScenarioFormatException(key.Length == 0 ? e.Detail : $"{key}: {e.Detail}", where, 0, 0);
        }
    }
}
