namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>
/// Builds a value one key at a time from text, so the command-line form ("key=value,...") and a
/// scenario file's object go through the same checks and cannot drift apart.
/// </summary>
/// <typeparam name="T">What is built.</typeparam>
internal interface IKeyedReader<out T>
{
    /// <summary>Gets what a key is called in messages ("path key").</summary>
    string KeyKind { get; }

    /// <summary>Gets the keys, lower case.</summary>
    IReadOnlyList<string> Keys { get; }

    /// <summary>Returns whether <paramref name="key"/> may be given more than once.</summary>
    bool IsRepeatable(string key);

    /// <summary>Returns whether <paramref name="key"/> may stand alone, with no value.</summary>
    bool IsFlag(string key);

    /// <summary>Sets one known key from its text value (null for a bare key).</summary>
    /// <exception cref="ScenarioFormatException">The value is bad; the detail does not repeat the key.</exception>
    void Set(string key, string? value);

    /// <summary>Returns what was built.</summary>
    /// <exception cref="ScenarioFormatException">Something needed is missing.</exception>
    T Finish();
}
