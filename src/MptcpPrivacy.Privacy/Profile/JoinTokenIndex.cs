namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The hash index under a <see cref="JoinTokenTable{TConnection}"/>: 64-bit token → window, as one
/// flat array of 16-byte entries (token, window) with linear probing, a power-of-two capacity kept
/// at most three quarters full, and backward-shift deletion (no tombstones, so a miss ends at the
/// first empty entry however many tokens came and went).
/// </summary>
/// <remarks>
/// A lookup reads the entry its token hashes to and, while that entry holds another token, the
/// next ones: four entries share a cache line, so a hit or a miss usually costs one line, where a
/// <see cref="Dictionary{TKey, TValue}"/> reads its bucket array and then its entry array. The
/// home entry is the top bits of the token times 2^64/φ (Fibonacci hashing): tokens are HMAC
/// outputs already, the multiplication only spreads values a forger picks with equal high bits.
/// An empty entry is one without a window, so every 64-bit value, 0 included, can be a token.
/// </remarks>
/// <typeparam name="TConnection">Whatever the stack keeps per connection.</typeparam>
internal sealed class JoinTokenIndex<TConnection>
    where TConnection : class
{
    /// <summary>2^64 / φ, odd: the multiplier of the home-entry hash.</summary>
    internal const ulong Multiplier = 0x9E3779B97F4A7C15UL;

    private const int MinCapacity = 16;
    private const int MaxCapacity = 1 << 30;

    private Entry[] _entries;
    private int _shift;

    /// <summary>Makes an index with room for <paramref name="expected"/> tokens before it grows.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More tokens expected than the largest index holds.</exception>
    public JoinTokenIndex(int expected)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(expected, MaxCapacity / 4 * 3);
        int capacity = MinCapacity;
        while (capacity / 4 * 3 < expected)
        {
            capacity *= 2;
        }

        _entries = new Entry[capacity];
        _shift = 64 - int.Log2(capacity);
    }

    /// <summary>Tokens in the index.</summary>
    public int Count { get; private set; }

    /// <summary>Entries allocated (a power of two).</summary>
    public int Capacity => _entries.Length;

    /// <summary>The window that issued <paramref name="token"/>, or null when it is not live.</summary>
    public JoinTokenWindow<TConnection>? Find(ulong token)
    {
        Entry[] entries = _entries;
        int mask = entries.Length - 1;
        for (int i = Home(token, _shift); ; i = (i + 1) & mask)
        {
            ref Entry entry = ref entries[i];
            if (entry.Window is null || entry.Token == token)
            {
                return entry.Window;
            }
        }
    }

    /// <summary>
    /// Counts the entries <see cref="Find"/> reads for <paramref name="token"/> (diagnostics and
    /// tests: the work per lookup depends on the load factor, at most three quarters, never on how
    /// many connections are live).
    /// </summary>
    internal int EntriesRead(ulong token)
    {
        Entry[] entries = _entries;
        int mask = entries.Length - 1;
        int read = 1;
        for (int i = Home(token, _shift); ; i = (i + 1) & mask, read++)
        {
            if (entries[i].Window is null || entries[i].Token == token)
            {
                return read;
            }
        }
    }

    /// <summary>Adds a token issued by <paramref name="window"/>; false (nothing changed) when the token is live already.</summary>
    public bool TryAdd(ulong token, JoinTokenWindow<TConnection> window)
    {
        if (Count + 1 > _entries.Length / 4 * 3)
        {
            Grow();
        }

        int mask = _entries.Length - 1;
        int i = Home(token, _shift);
        while (_entries[i].Window is not null)
        {
            if (_entries[i].Token == token)
            {
                return false;
            }

            i = (i + 1) & mask;
        }

        _entries[i] = new Entry(token, window);
        Count++;
        return true;
    }

    /// <summary>Removes <paramref name="token"/> if <paramref name="window"/> issued it (a clash leaves it to its first owner).</summary>
    public void Remove(ulong token, JoinTokenWindow<TConnection> window)
    {
        Entry[] entries = _entries;
        int mask = entries.Length - 1;
        int hole = Home(token, _shift);
        while (entries[hole].Token != token || !ReferenceEquals(entries[hole].Window, window))
        {
            if (entries[hole].Window is null)
            {
                return;
            }

            hole = (hole + 1) & mask;
        }

        // Backward shift: every later entry of the run that may sit at the hole (its home is not
        // between the hole and itself) moves into it, so that no probe sequence has a gap.
        for (int next = (hole + 1) & mask; entries[next].Window is not null; next = (next + 1) & mask)
        {
            int home = Home(entries[next].Token, _shift);
            if (((next - home) & mask) >= ((next - hole) & mask))
            {
                entries[hole] = entries[next];
                hole = next;
            }
        }

        entries[hole] = default;
        Count--;
    }

    /// <summary>The entry a token's probe starts at: the top bits of token × <see cref="Multiplier"/>.</summary>
    private static int Home(ulong token, int shift) => (int)((token * Multiplier) >> shift);

    private void Grow()
    {
        Entry[] old = _entries;
        if (old.Length == MaxCapacity)
        {
            throw new InvalidOperationException("The join token index is full (2^30 entries).");
        }

        _entries = new Entry[old.Length * 2];
        _shift--;
        Count = 0;
        foreach (Entry entry in old)
        {
            if (entry.Window is not null)
            {
                TryAdd(entry.Token, entry.Window);
            }
        }
    }

    private readonly record struct Entry(ulong Token, JoinTokenWindow<TConnection>? Window);
}
