namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>Builds a <see cref="MobilityEvent"/> one key at a time, for the text form and a scenario file's mobility object alike.</summary>
internal sealed class MobilityEventReader : IKeyedReader<MobilityEvent>
{
    /// <summary>The keys, in the order <see cref="MobilityEvent.ToString"/> writes them.</summary>
    public static readonly string[] Keys = ["at", "path", "add", "remove", "interface"];

    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private long? _at;
    private int? _path;
    private MobilityAction? _action;
    private InterfaceAddress _address;

    /// <inheritdoc/>
    public string KeyKind => "mobility key";

    /// <inheritdoc/>
    IReadOnlyList<string> IKeyedReader<MobilityEvent>.Keys => Keys;

    /// <inheritdoc/>
    public bool IsRepeatable(string key) => false;

    /// <inheritdoc/>
    public bool IsFlag(string key) => false;

    /// <inheritdoc/>
    public void Set(string key, string? value)
    {
        if (!_seen.Add(key))
        {
            throw new ScenarioFormatException("given twice");
        }

        if (value is null)
        {
            throw new ScenarioFormatException("needs a value");
        }

        if (key is "add" or "remove" or "interface" && _action is not null)
        {
            throw new ScenarioFormatException("an event does one thing: give one of add, remove or interface");
        }

        switch (key)
        {
            case "at":
                _at = ScenarioValues.ParseDuration(value);
                break;
            case "path":
                _path = (int)ScenarioValues.ParseInteger(value, 1, ScenarioSpec.MaximumPaths);
                break;
            case "add":
                _address = ReadAddress(value);
                _action = MobilityAction.AddAddress;
                break;
            case "remove":
                _address = InterfaceAddress.Host(ReadAddress(value).Address);
                _action = MobilityAction.RemoveAddress;
                break;
            case "interface":
                _action = value.ToLowerInvariant() switch
                {
                    "down" => MobilityAction.InterfaceDown,
                    "up" => MobilityAction.InterfaceUp,
                    _ => throw new ScenarioFormatException($"\"{value}\" is not an interface state: up or down"),
                };
                break;
            default:
                throw new ArgumentException($"{key} is not a mobility key.", nameof(key));
        }
    }

    /// <inheritdoc/>
    public MobilityEvent Finish()
    {
        if (_at is not { } at)
        {
            throw new ScenarioFormatException("needs at= (when it happens, as in at=3s)");
        }

        if (_path is not { } path)
        {
            throw new ScenarioFormatException("needs path= (the path number, from 1)");
        }

        if (_action is not { } action)
        {
            throw new ScenarioFormatException("needs one of add=ADDRESS, remove=ADDRESS, interface=down or interface=up");
        }

        return new MobilityEvent(at, path, action, _address);
    }

    private static InterfaceAddress ReadAddress(string text) =>
        InterfaceAddress.TryParse(text, out InterfaceAddress address, out string error) ? address : throw new ScenarioFormatException(error);
}
