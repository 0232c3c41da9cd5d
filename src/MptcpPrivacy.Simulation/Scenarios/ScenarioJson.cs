using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>
/// Reads and writes scenario files. Every error names the file, the line and column, and the JSON
/// path of the value at fault ("scenario.json:7:17: $.paths[1].loss: ..."); nothing in a file makes
/// the reader throw anything but <see cref="ScenarioFormatException"/>.
/// </summary>
/// <remarks>
/// A path or mobility object takes the same keys and the same value text as the command-line form,
/// through the same readers, so the two cannot drift apart. A whole path or event may also be
/// written as the command-line string. Keys are matched without regard to case.
/// </remarks>
internal sealed class ScenarioJson
{
    /// <summary>The top-level keys, in the order a written file has them.</summary>
    public static readonly string[] TopKeys =
        ["description", "seed", "duration", "client-to-server", "server-to-client", "connections", "profile", "paths", "mobility", "announce"];

    private readonly string? _fileName;

    // The line and column of every value read, by its path without the leading "$" ("paths[1].loss"),
    // so an error found later by the validator can point into the file too.
    private readonly Dictionary<string, (int Line, int Column)> _positions = [];

    private ScenarioJson(string? fileName)
    {
        _fileName = fileName;
    }

    /// <summary>Reads a scenario file and validates the scenario.</summary>
    /// <exception cref="ScenarioFormatException">Anything wrong, with its place in the file.</exception>
    public static ScenarioSpec Read(string json, string? fileName)
    {
        ArgumentNullException.ThrowIfNull(json);
        var reader = new ScenarioJson(fileName);
        JsonItem root;
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        try
        {
            root = JsonItem.Parse(utf8);
        }
        catch (JsonException e)
        {
            // The reader's message ends with its own 0-based "LineNumber: ... | BytePositionInLine: ...",
            // and speaks of its API ("when isFinalBlock is true"); neither helps the file's author.
            string message = e.Message;
            int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            message = (cut >= 0 ? message[..cut] : message).Replace(", when isFinalBlock is true", "", StringComparison.Ordinal)
                .Replace(" when isFinalBlock is true", "", StringComparison.Ordinal).TrimEnd();
            int line = (int)(e.LineNumber ?? 0);
            int column = JsonItem.CharacterColumn(utf8, line, e.BytePositionInLine ?? 0);
            throw new ScenarioFormatException("not valid JSON: " + message, null, line + 1, column, fileName);
        }

        ScenarioSpec spec = reader.ReadScenario(root);
        try
        {
            spec.Validate();
        }
        catch (ScenarioFormatException e) when (e.Location is not null)
        {
            (int line, int column) = reader.PositionOf(e.Location);
            throw new ScenarioFormatException(e.Detail, "$." + e.Location, line, column, fileName);
        }

        return spec;
    }

    /// <summary>Writes a scenario file (indented, keys in <see cref="TopKeys"/> order).</summary>
    public static string Write(ScenarioSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (spec.Description is not null)
            {
                writer.WriteString("description", spec.Description);
            }

            writer.WriteNumber("seed", spec.Seed);
            writer.WriteString("duration", ScenarioValues.FormatDuration(spec.DurationNs));
            writer.WriteString("client-to-server", ScenarioValues.FormatBytes(spec.ClientToServerBytes));
            writer.WriteString("server-to-client", ScenarioValues.FormatBytes(spec.ServerToClientBytes));
            writer.WriteNumber("connections", spec.Connections);
            writer.WriteString("profile", ScenarioValues.FormatProfile(spec.Profile));
            writer.WriteStartArray("paths");
            foreach (PathSpec path in spec.Paths)
            {
                WritePath(writer, path);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("mobility");
            foreach (MobilityEvent e in spec.Mobility)
            {
                writer.WriteStartObject();
                foreach ((string key, string value) in e.Items())
                {
                    if (key == "path")
                    {
                        writer.WriteNumber(key, e.PathNumber);
                    }
                    else
                    {
                        writer.WriteString(key, value);
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("announce");
            foreach (InterfaceAddress address in spec.ServerAnnouncedAddresses)
            {
                writer.WriteStringValue(address.ToString());
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WritePath(Utf8JsonWriter writer, PathSpec path)
    {
        writer.WriteStartObject();
        List<(string Key, string? Value)> items = path.Items();
        foreach ((string key, string? value) in items)
        {
            switch (key)
            {
                case "mtu":
                    writer.WriteNumber(key, path.Mtu);
                    break;
                case "queue":
                    writer.WriteNumber(key, path.QueuePackets);
                    break;
                case "nat" or "announce" or "backup" when value is null:
                    writer.WriteBoolean(key, true);
                    break;
                case "down" or "up":
                    // Written once per key, as a list of all its times.
                    if (items.First(i => i.Key == key).Value == value)
                    {
                        writer.WriteStartArray(key);
                        foreach ((string k, string? v) in items)
                        {
                            if (k == key)
                            {
                                writer.WriteStringValue(v);
                            }
                        }

                        writer.WriteEndArray();
                    }

                    break;
                default:
                    writer.WriteString(key, value);
                    break;
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Describes a value for a message: a string in quotes, "the number 20", or the kind.</summary>
    private static string Describe(JsonItem item) => item.Kind switch
    {
        JsonTokenType.String => $"\"{item.Text}\"",
        JsonTokenType.Number => $"the number {item.Text}",
        _ => item.KindName,
    };

    private ScenarioSpec ReadScenario(JsonItem root)
    {
        Remember("", root);
        if (root.Kind != JsonTokenType.StartObject)
        {
            throw Fail(root, "$", $"a scenario file holds one JSON object {{ ... }}, not {root.KindName}");
        }

        var spec = new ScenarioSpec();
        foreach ((string key, JsonItem value) in Members(root, "", TopKeys, "top-level key"))
        {
            string at = key;
            spec = key switch
            {
                "description" => spec with { Description = String(value, at, "a note such as \"wifi and LTE, LTE drops at 5s\"") },
                "seed" => spec with { Seed = (int)Parse(value, at, text => ScenarioValues.ParseInteger(text, int.MinValue, int.MaxValue), number: true) },
                "duration" => spec with { DurationNs = Parse(value, at, ScenarioValues.ParseDuration, number: false) },
                "client-to-server" => spec with { ClientToServerBytes = Parse(value, at, ScenarioValues.ParseBytes, number: true) },
                "server-to-client" => spec with { ServerToClientBytes = Parse(value, at, ScenarioValues.ParseBytes, number: true) },
                "connections" => spec with { Connections = (int)Parse(value, at, ScenarioValues.ParseConnections, number: true) },
                "profile" => spec with { Profile = Apply(value, at, String(value, at, "\"standard\", \"draft\" or \"privacy\""), ScenarioValues.ParseProfile) },
                "paths" => spec with { Paths = List(value, at, ReadPath) },
                "mobility" => spec with { Mobility = List(value, at, ReadMobility) },
                "announce" => spec with { ServerAnnouncedAddresses = List(value, at, ReadAddress) },
                _ => throw new InvalidOperationException(key),
            };
        }

        return spec;
    }

    private PathSpec ReadPath(JsonItem item, string at) =>
        ReadKeyed(item, at, new PathSpecReader(), PathSpec.Parse, "a path is an object such as { \"rate\": \"100M\", \"rtt\": \"20ms\" } or a string \"rate=100M,rtt=20ms\"");

    private MobilityEvent ReadMobility(JsonItem item, string at) =>
        ReadKeyed(item, at, new MobilityEventReader(), MobilityEvent.Parse, "a mobility event is an object such as { \"at\": \"3s\", \"path\": 2, \"add\": \"203.0.113.9/24\" } or a string \"at=3s,path=2,add=203.0.113.9/24\"");

    /// <summary>Reads an object through <paramref name="reader"/>, or a string in the command-line form through <paramref name="parse"/>.</summary>
    private T ReadKeyed<T>(JsonItem item, string at, IKeyedReader<T> reader, Func<string, T> parse, string shape)
    {
        if (item.Kind == JsonTokenType.String)
        {
            try
            {
                return parse(item.Text);
            }
            catch (ScenarioFormatException e)
            {
                throw Fail(item, "$." + at, e.Detail);
            }
        }

        if (item.Kind != JsonTokenType.StartObject)
        {
            throw Fail(item, "$." + at, $"{shape}, not {item.KindName}");
        }

        foreach ((string key, JsonItem value) in Members(item, at, reader.Keys, reader.KeyKind))
        {
            string keyAt = $"{at}.{key}";
            if (value.Kind == JsonTokenType.StartArray && reader.IsRepeatable(key))
            {
                for (int i = 0; i < value.Items.Count; i++)
                {
                    Remember($"{keyAt}[{i}]", value.Items[i]);
                    Set(reader, key, value.Items[i], $"{keyAt}[{i}]");
                }
            }
            else
            {
                Set(reader, key, value, keyAt);
            }
        }

        try
        {
            return reader.Finish();
        }
        catch (ScenarioFormatException e)
        {
            throw Fail(item, "$." + at, e.Detail);
        }
    }

    private InterfaceAddress ReadAddress(JsonItem item, string at)
    {
        string text = String(item, at, "an address such as \"192.0.2.2\" or \"2001:db8::2/64\"");
        return InterfaceAddress.TryParse(text, out InterfaceAddress address, out string error) ? address : throw Fail(item, "$." + at, error);
    }

    /// <summary>Hands one value to a reader as text: a string as it is, a number as written, true as a bare key and false as "no" (for a flag).</summary>
    private void Set<T>(IKeyedReader<T> reader, string key, JsonItem value, string at)
    {
        bool flag = reader.IsFlag(key);
        string? text = value.Kind switch
        {
            JsonTokenType.String or JsonTokenType.Number => value.Text,
            JsonTokenType.True when flag => null,
            JsonTokenType.False when flag => "no",
            _ => throw Fail(value, "$." + at, $"{value.KindName} is not a value for {key}{(reader.IsRepeatable(key) ? " (give a time such as \"5s\", or a list of them)" : "")}"),
        };
        try
        {
            reader.Set(key, text);
        }
        catch (ScenarioFormatException e)
        {
            throw Fail(value, "$." + at, e.Detail);
        }
    }

    /// <summary>Yields an object's members with their keys made canonical; an unknown key or one given twice is an error.</summary>
    private IEnumerable<(string Key, JsonItem Value)> Members(JsonItem item, string at, IReadOnlyList<string> known, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, int line, int column, JsonItem value) in item.Properties)
        {
            string location = at.Length == 0 ? "$" : "$." + at;
            string key = known.FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ScenarioFormatException(KeySuggestion.UnknownKey(what, name, known), location, line, column, _fileName);
            if (!seen.Add(key))
            {
                throw new ScenarioFormatException($"\"{name}\" is given twice", location, line, column, _fileName);
            }

            string keyAt = at.Length == 0 ? key : $"{at}.{key}";
            Remember(keyAt, value);
            yield return (key, value);
        }
    }

    private List<T> List<T>(JsonItem value, string at, Func<JsonItem, string, T> read)
    {
        if (value.Kind != JsonTokenType.StartArray)
        {
            throw Fail(value, "$." + at, $"expected a list [ ... ], not {value.KindName}");
        }

        var list = new List<T>(value.Items.Count);
        for (int i = 0; i < value.Items.Count; i++)
        {
            string itemAt = $"{at}[{i}]";
            Remember(itemAt, value.Items[i]);
            list.Add(read(value.Items[i], itemAt));
        }

        return list;
    }

    private string String(JsonItem value, string at, string example) =>
        value.Kind == JsonTokenType.String ? value.Text : throw Fail(value, "$." + at, $"expected a string ({example}), not {Describe(value)}");

    private long Parse(JsonItem value, string at, Func<string, long> parse, bool number)
    {
        if (value.Kind != JsonTokenType.String && !(number && value.Kind == JsonTokenType.Number))
        {
            throw Fail(value, "$." + at, number ? $"expected a number or a string, not {value.KindName}" : $"expected a string with a unit such as \"20ms\", not {Describe(value)}");
        }

        return Apply(value, at, value.Text, parse);
    }

    /// <summary>Reads a value's text with <paramref name="parse"/>, placing any error at the value.</summary>
    private T Apply<T>(JsonItem value, string at, string text, Func<string, T> parse)
    {
        try
        {
            return parse(text);
        }
        catch (ScenarioFormatException e)
        {
            throw Fail(value, "$." + at, e.Detail);
        }
    }

    private void Remember(string at, JsonItem item) => _positions[at] = (item.Line, item.Column);

    /// <summary>Returns where the value at <paramref name="location"/> or, failing that, its nearest enclosing value was read.</summary>
    private (int Line, int Column) PositionOf(string location)
    {
        string at = location;
        while (true)
        {
            if (_positions.TryGetValue(at, out var position))
            {
                return position;
            }

            int cut = Math.Max(at.LastIndexOf('.'), at.LastIndexOf('['));
            if (cut <= 0)
            {
                return _positions.TryGetValue("", out var root) ? root : (1, 1);
            }

            at = at[..cut];
        }
    }

    private ScenarioFormatException Fail(JsonItem item, string location, string detail) =>
        new(detail, location, item.Line, item.Column, _fileName);
}
