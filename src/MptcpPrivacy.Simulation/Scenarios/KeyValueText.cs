namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>Splits "key=value,flag,key=value" text (a path or mobility string) into its items.</summary>
internal static class KeyValueText
{
    /// <summary>Returns the items in order; a bare key has a null value. Spaces around items, keys and values are ignored.</summary>
    /// <exception cref="ScenarioFormatException">An item is empty or has no key.</exception>
    public static List<(string Key, string? Value)> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var items = new List<(string, string?)>();
        if (text.Trim().Length == 0)
        {
            return items;
        }

        string[] parts = text.Split(',');
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i].Trim();
            if (part.Length == 0)
            {
                throw new ScenarioFormatException(i == parts.Length - 1 ? "ends with a comma" : $"item {i + 1} is empty (two commas in a row?)");
            }

            int equals = part.IndexOf('=', StringComparison.Ordinal);
            string key = (equals < 0 ? part : part[..equals]).Trim();
            if (key.Length == 0)
            {
                throw new ScenarioFormatException($"\"{part}\" has no key before the =");
            }

            items.Add((key, equals < 0 ? null : part[(equals + 1)..].Trim()));
        }

        return items;
    }

    /// <summary>Reads key=value text with <paramref name="reader"/>, naming the text and the key in any error.</summary>
    /// <param name="what">What the text is, for the message ("path", "mobility event").</param>
    /// <param name="text">The text.</param>
    /// <param name="reader">Takes the keys and builds the value.</param>
    /// <exception cref="ScenarioFormatException">The text is bad; the location is <paramref name="what"/> and the quoted text.</exception>
    public static T Read<T>(string what, string text, IKeyedReader<T> reader)
    {
        string location = $"{what} \"{text}\"";
        try
        {
            foreach ((string key, string? value) in Split(text))
            {
                string known = reader.Keys.FirstOrDefault(k => k.Equals(key, StringComparison.OrdinalIgnoreCase))
                    ?? throw new ScenarioFormatException(KeySuggestion.UnknownKey("key", key, reader.Keys), location, 0, 0);
                try
                {
                    reader.Set(known, value);
                }
                catch (ScenarioFormatException e) when (e.Location is null)
                {
                    throw new ScenarioFormatException($"{known}: {e.Detail}", location, 0, 0);
                }
            }

            return reader.Finish();
        }
        catch (ScenarioFormatException e) when (e.Location is null)
        {
            throw new ScenarioFormatException(e.Detail, location, 0, 0);
        }
    }
}
