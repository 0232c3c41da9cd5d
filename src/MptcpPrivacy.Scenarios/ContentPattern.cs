namespace MptcpPrivacy.Scenarios;

/// <summary>
/// Deterministic test content, fast enough not to matter next to the stack: xorshift64* (Vigna)
/// eight bytes at a time. The same seed gives the same bytes on every machine and .NET version,
/// which <see cref="Random"/>'s seeded generator does not promise.
/// </summary>
internal sealed class ContentPattern(int seed)
{
    private ulong _state = 0x9E3779B97F4A7C15UL ^ (ulong)(uint)seed ^ ((ulong)(uint)seed << 32) | 1;

    /// <summary>Fills <paramref name="destination"/> with the next bytes of the pattern.</summary>
    public void Fill(Span<byte> destination)
    {
        // The state lives in a local for the loop: as a field, every store into the span could
        // alias it for the JIT, which then reloads and stores it on each step of the serial chain.
        ulong state = _state;
        Span<ulong> words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(destination);
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = Next(ref state);
        }

        for (int i = words.Length * 8; i < destination.Length; i++)
        {
            destination[i] = (byte)Next(ref state);
        }

        _state = state;
    }

    private static ulong Next(ref ulong state)
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545F4914F6CDD1DUL;
    }
}
