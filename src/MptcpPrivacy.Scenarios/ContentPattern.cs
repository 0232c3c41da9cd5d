namespace MptcpPrivacy.Scenarios;

/// <summary>
/// Deterministic test content, fast enough not to matter next to the stack: xorshift64* (Vigna)
/// eight bytes at a time. The same seed gives the same bytes on every machine and .NET version,
/// which <see cref="Random"/>'s seeded generator does not promise.
/// </summary>
/// <remarks>
/// A fill draws one word per eight bytes (stored in machine order) and, for a trailing partial word,
/// one word per byte (its low byte). Each word is <see cref="Multiplier"/> times the state after a
/// <see cref="Step"/>; the multiplier is odd, so a word gives its state back (<see cref="StateOf"/>),
/// which lets <see cref="PatternVerifier"/> check words independently of one another.
/// </remarks>
internal sealed class ContentPattern(int seed)
{
    /// <summary>The odd constant xorshift64* multiplies the state by to make an output word.</summary>
    internal const ulong Multiplier = 0x2545F4914F6CDD1DUL;

    /// <summary>The inverse of <see cref="Multiplier"/> modulo 2^64: a word times it is the state the word was made from.</summary>
    internal static readonly ulong InverseMultiplier = InvertOdd(Multiplier);

    private ulong _state = InitialState(seed);

    /// <summary>Returns the state a generator made from <paramref name="seed"/> starts in.</summary>
    internal static ulong InitialState(int seed) => 0x9E3779B97F4A7C15UL ^ (ulong)(uint)seed ^ ((ulong)(uint)seed << 32) | 1;

    /// <summary>Advances a state by one xorshift step.</summary>
    internal static ulong Step(ulong state)
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state;
    }

    /// <summary>Returns the state an output word was made from.</summary>
    internal static ulong StateOf(ulong word) => word * InverseMultiplier;

    /// <summary>Fills <paramref name="destination"/> with the next bytes of the pattern.</summary>
    public void Fill(Span<byte> destination)
    {
        // The state lives in a local for the loop: as a field, every store into the span could
        // alias it for the JIT, which then reloads and stores it on each step of the serial chain.
        ulong state = _state;
        Span<ulong> words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(destination);
        for (int i = 0; i < words.Length; i++)
        {
            state = Step(state);
            words[i] = state * Multiplier;
        }

        for (int i = words.Length * 8; i < destination.Length; i++)
        {
            state = Step(state);
            destination[i] = (byte)(state * Multiplier);
        }

        _state = state;
    }

    // Newton's iteration for the inverse modulo 2^64: each step doubles the correct low bits.
    private static ulong InvertOdd(ulong a)
    {
        ulong x = a; // correct to 3 bits for any odd a
        for (int i = 0; i < 5; i++)
        {
            x *= 2 - (a * x);
        }

        return x;
    }
}
