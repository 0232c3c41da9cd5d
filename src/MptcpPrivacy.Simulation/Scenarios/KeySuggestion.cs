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

    /// <summary>
    /// Returns the optimal string alignment distance: the fewest single-character insertions,
    /// deletions, substitutions and swaps of neighbours ("pahts" is one swap from "paths").
    /// </summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(d[i - 1, j - 1] + cost, Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
