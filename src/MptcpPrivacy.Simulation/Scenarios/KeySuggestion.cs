namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>Builds the "unknown key" message, with the closest known key when a typo is likely.</summary>
internal static class KeySuggestion
{
    /// <summary>Returns 'unknown key "x" (did you mean "y"?); keys: a, b, c'.</summary>
    public static string UnknownKey(string what, string given, IReadOnlyList<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in known)
        {
            int distance = Distance(given.ToLowerInvariant(), candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // More than a third of the word wrong is no longer a typo.
        string hint = best is not null && bestDistance <= Math.Max(1, given.Length / 3) ? $" (did you mean \"{best}\"?)" : "";
        return $"unknown {what} \"{given}\"{hint}; known: {string.Join(", ", known)}";
    }

    /// <summary>Returns the Levenshtein distance: the fewest single-character edits from one to the other.</summary>
    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
