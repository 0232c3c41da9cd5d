using System.Runtime.CompilerServices;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The W live join tokens one connection has issued for joins toward this host, with each one's
/// index and half-open count, held inline in this one object (W ≤ <see cref="MaxSize"/>) so that a
/// lookup touches the hash table and this object's first cache lines only. Owned and changed only by
/// its <see cref="JoinTokenTable{TConnection}"/>.
/// </summary>
/// <typeparam name="TConnection">Whatever the stack keeps per connection.</typeparam>
public sealed class JoinTokenWindow<TConnection>
    where TConnection : class
{
    /// <summary>The largest window.</summary>
    public const int MaxSize = 8;

    private readonly byte[] _tokenKey;
    private Slots<ulong> _tokens;
    private Slots<byte> _halfOpen;
    private Slots<ulong> _indices;

    internal JoinTokenWindow(TConnection connection, ReadOnlySpan<byte> tokenKey, int size)
    {
        Connection = connection;
        Size = size;
        _tokenKey = tokenKey.ToArray();
    }

    /// <summary>The connection these tokens lead to.</summary>
    public TConnection Connection { get; }

    /// <summary>How many tokens the window holds (W).</summary>
    public int Size { get; }

    /// <summary>Half-open joins on this connection's tokens.</summary>
    public int HalfOpen { get; internal set; }

    /// <summary>The index the next issued token gets.</summary>
    public ulong NextIndex { get; private set; }

    /// <summary>Tokens below this index are retired once nothing is half-open on them (the sender uses tokens in order).</summary>
    public ulong RetiredBelow { get; internal set; }

    /// <summary>Tokens derived and skipped because their value was already live in the table (a 64-bit clash).</summary>
    public int Clashes { get; internal set; }

    /// <summary>False once the connection left the table.</summary>
    public bool IsRegistered { get; internal set; } = true;

    /// <summary>The index of each live token, for tests and the audit.</summary>
    public IEnumerable<ulong> LiveIndices
    {
        get
        {
            ulong[] indices = new ulong[Size];
            for (int slot = 0; slot < Size; slot++)
            {
                indices[slot] = _indices[slot];
            }

            return indices;
        }
    }

    internal ulong TokenAt(int slot) => _tokens[slot];

    internal ulong IndexAt(int slot) => _indices[slot];

    internal int HalfOpenAt(int slot) => _halfOpen[slot];

    internal void SetHalfOpen(int slot, int count) => _halfOpen[slot] = (byte)count;

    internal int SlotOf(ulong token)
    {
        for (int slot = 0; slot < Size; slot++)
        {
            if (_tokens[slot] == token)
            {
                return slot;
            }
        }

        return -1;
    }

    internal JoinToken DeriveNext() => JoinToken.Derive(_tokenKey, NextIndex++);

    internal void Place(int slot, JoinToken token)
    {
        _tokens[slot] = token.Value;
        _indices[slot] = token.Index;
        _halfOpen[slot] = 0;
    }

    /// <summary>Eight values inline in the owning object.</summary>
    [InlineArray(MaxSize)]
    private struct Slots<T>
    {
        private T _first;
    }
}
