using System.Globalization;

namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>
/// Reads a scenario from command-line options, for a <c>simulate</c> command that takes the scenario
/// on its command line: <c>--path</c> (once per path, in order), <c>--mobility</c> and
/// <c>--announce</c> (repeatable), <c>--client-to-server</c>, <c>--server-to-client</c>,
/// <c>--seed</c>, <c>--duration</c>, <c>--profile</c>, <c>--connections</c>, <c>--description</c>. Each takes its value as the next
/// argument or after "=".
/// </summary>
internal static class ScenarioArguments
{
    /// <summary>The options, without their dashes.</summary>
    public static readonly string[] Options =
        ["path", "mobility", "announce", "client-to-server", "server-to-client", "seed", "duration", "profile", "connections", "description"];

    private static readonly string[] Repeatable = ["path", "mobility", "announce"];

    /// <summary>Reads the options into a scenario and validates it.</summary>
    /// <exception cref="ScenarioFormatException">Anything wrong, naming the option ("--path #2").</exception>
    public static ScenarioSpec Read(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var values = new List<(string Option, string Value)>();
        for (int i = 0; i < arguments.Count; i++)
        {
            string argument = arguments[i];
            if (!argument.StartsWith("--", StringComparison.Ordinal) || argument.Length == 2)
            {
                throw new ScenarioFormatException($"\"{argument}\" is not an option; options start with -- (known: --{string.Join(", --", Options)})");
            }

            int equals = argument.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? argument[2..] : argument[2..equals];
            string option = Options.FirstOrDefault(o => o.Equals(name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ScenarioFormatException(KeySuggestion.UnknownKey("option", "--" + name, [.. Options.Select(o => "--" + o)]));
            string value;
            if (equals >= 0)
            {
                value = argument[(equals + 1)..];
            }
            else if (i + 1 < arguments.Count && !arguments[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = arguments[++i];
            }
            else
            {
                throw new ScenarioFormatException($"--{option} needs a value");
            }

            if (!Repeatable.Contains(option) && values.Any(v => v.Option == option))
            {
                throw new ScenarioFormatException($"--{option} is given twice");
            }

            values.Add((option, value));
        }

        var spec = new ScenarioSpec();
        var paths = new List<PathSpec>();
        var mobility = new List<MobilityEvent>();
        var announced = new List<InterfaceAddress>();
        foreach ((string option, string value) in values)
        {
            switch (option)
            {
                case "path":
                    paths.Add(Wrap(option, paths.Count, value, PathSpec.Parse));
                    break;
                case "mobility":
                    mobility.Add(Wrap(option, mobility.Count, value, MobilityEvent.Parse));
                    break;
                case "announce":
                    announced.Add(Wrap(option, announced.Count, value, text =>
                        InterfaceAddress.TryParse(text, out InterfaceAddress address, out string error) ? address : throw new ScenarioFormatException(error)));
                    break;
                case "client-to-server":
                    spec = spec with { ClientToServerBytes = Wrap(option, -1, value, ScenarioValues.ParseBytes) };
                    break;
                case "server-to-client":
                    spec = spec with { ServerToClientBytes = Wrap(option, -1, value, ScenarioValues.ParseBytes) };
                    break;
                case "seed":
                    spec = spec with { Seed = (int)Wrap(option, -1, value, text => ScenarioValues.ParseInteger(text, int.MinValue, int.MaxValue)) };
                    break;
                case "duration":
                    spec = spec with { DurationNs = Wrap(option, -1, value, ScenarioValues.ParseDuration) };
                    break;
                case "profile":
                    spec = spec with { Profile = Wrap(option, -1, value, ScenarioValues.ParseProfile) };
                    break;
                case "connections":
                    spec = spec with { Connections = (int)Wrap(option, -1, value, ScenarioValues.ParseConnections) };
                    break;
                case "description":
                    spec = spec with { Description = value };
                    break;
            }
        }

        spec = spec with { Mobility = mobility, ServerAnnouncedAddresses = announced };
        if (paths.Count > 0)
        {
            spec = spec with { Paths = paths };
        }

        try
        {
            spec.Validate();
        }
        catch (ScenarioFormatException e) when (e.Location is not null)
        {
            throw Locate(e, values);
        }

        return spec;
    }

    /// <summary>Reads one option's value, naming the option (and its number, for a repeatable one) in any error.</summary>
    private static T Wrap<T>(string option, int index, string value, Func<string, T> read)
    {
        try
        {
            return read(value);
        }
        catch (ScenarioFormatException e)
        {
            throw new ScenarioFormatException(e.Detail, Name(option, index, value), 0, 0);
        }
    }

    private static string Name(string option, int index, string value) =>
        index < 0 ? $"--{option}" : $"--{option} #{(index + 1).ToString(CultureInfo.InvariantCulture)} \"{value}\"";

    /// <summary>Turns a validator location ("paths[1].mtu", "mobility[0]") into the option it came from.</summary>
    private static ScenarioFormatException Locate(ScenarioFormatException e, List<(string Option, string Value)> values)
    {
        string location = e.Location!;
        int open = location.IndexOf('[', StringComparison.Ordinal);
        int close = location.IndexOf(']', StringComparison.Ordinal);
        if (open < 0 || close < open)
        {
            string option = location.Split('.')[0];
            return new ScenarioFormatException(e.Detail, Options.Contains(option) ? "--" + option : null, 0, 0);
        }

        string list = location[..open];
        string repeated = list switch
        {
            "paths" => "path",
            _ => list,
        };
        int index = int.Parse(location[(open + 1)..close], CultureInfo.InvariantCulture);
        string key = location[(close + 1)..].TrimStart('.');
        string value = values.Where(v => v.Option == repeated).Select(v => v.Value).ElementAtOrDefault(index) ?? "";
        return new ScenarioFormatException(key.Length == 0 ? e.Detail : $"{key}: {e.Detail}", Name(repeated, index, value), 0, 0);
    }
}
