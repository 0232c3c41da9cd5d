using System.Runtime.CompilerServices;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The W live join tokens one connection has issued for joins toward this host, with each one's
/// index and half-open count, held inline in this one object (W ≤ <see cref="MaxSize"/>) so that a
/// lookup touches the table's index and this object's first cache lines only: the counts packed in
/// one word near the connection, then (token, index) pairs, the first four within 128 bytes of the
/// object's start. Owned and changed only by its <see cref="JoinTokenTable{TConnection}"/>.
/// </summary>
/// <typeparam name="TConnection">Whatever the stack keeps per connection.</typeparam>
public sealed class JoinTokenWindow<TConnection>
    where TConnection : class
{
    /// <summary>The largest window.</summary>
    public const int MaxSize = 8;

    private readonly byte[] _tokenKey;
    private Slots _slots;

    // One byte per slot: the half-open joins on that slot's token (at most 255, the table's cap).
    private ulong _halfOpen;

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
                indices[slot] = _slots[slot].Index;
            }

            return indices;
        }
    }

    internal ulong TokenAt(int slot) => _slots[slot].Token;

    internal ulong IndexAt(int slot) => _slots[slot].Index;

    internal int HalfOpenAt(int slot) => (byte)(_halfOpen >> (slot * 8));

    /// <summary>Counts <paramref name="delta"/> more half-open joins on a slot's token and on the connection.</summary>
    internal void AddHalfOpen(int slot, int delta)
    {
        _halfOpen += (ulong)(long)delta << (slot * 8);
        HalfOpen += delta;
    }

    internal void SetHalfOpen(int slot, int count)
    {
        int shift = slot * 8;
        _halfOpen = (_halfOpen & ~(0xFFUL << shift)) | ((ulong)(byte)count << shift);
    }

    /// <summary>The slot holding <paramref name="token"/>, -1 if none.</summary>
    /// <remarks>
    /// Compares all W slots and sums the matching one's number, without a branch: a join's token
    /// sits in a random slot, so a loop that stopped at the match would be mispredicted about every
    /// other join (with W = 4 that cost more than the lookup itself).
    /// </remarks>
    internal int SlotOf(ulong token)
    {
        ReadOnlySpan<Slot> slots = ((ReadOnlySpan<Slot>)_slots)[..Size];
        int matches = 0;
        int sum = 0;
        for (int slot = 0; slot < slots.Length; slot++)
        {
            int match = slots[slot].Token == token ? 1 : 0;
            matches += match;
            sum += match * slot;
        }

        return matches == 0 ? -1 : sum;
    }

    internal JoinToken DeriveNext() => JoinToken.Derive(_tokenKey, NextIndex++);

    internal void Place(int slot, JoinToken token)
    {
        _slots[slot] = new Slot(token.Value, token.Index);
        SetHalfOpen(slot, 0);
    }

    private readonly record struct Slot(ulong Token, ulong Index);

    /// <summary>Eight slots inline in the owning object.</summary>
    [InlineArray(MaxSize)]
    private struct Slots
    {
        private Slot _first;
    }
}
