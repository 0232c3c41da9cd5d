namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The W live join tokens one connection has issued for joins toward this host, with their
/// half-open reservations. Owned and changed only by its <see cref="JoinTokenTable{TConnection}"/>.
/// </summary>
/// <typeparam name="TConnection">Whatever the stack keeps per connection.</typeparam>
public sealed class JoinTokenWindow<TConnection>
    where TConnection : class
{
    private readonly byte[] _tokenKey;
    private readonly ulong[] _tokens;
    private readonly ulong[] _indices;
    private readonly byte[] _halfOpen;

    internal JoinTokenWindow(TConnection connection, ReadOnlySpan<byte> tokenKey, int size)
    {
        Connection = connection;
        _tokenKey = tokenKey.ToArray();
        _tokens = new ulong[size];
        _indices = new ulong[size];
        _halfOpen = new byte[size];
    }

    /// <summary>The connection these tokens lead to.</summary>
    public TConnection Connection { get; }

    /// <summary>How many tokens the window holds (W).</summary>
    public int Size => _tokens.Length;

    /// <summary>The index the next issued token gets.</summary>
    public ulong NextIndex { get; private set; }

    /// <summary>Tokens below this index are retired once nothing is half-open on them (the sender uses tokens in order).</summary>
    public ulong RetiredBelow { get; internal set; }

    /// <summary>Half-open joins on this connection's tokens.</summary>
    public int HalfOpen { get; internal set; }

    /// <summary>Tokens issued and later skipped because their value was already live in the table (a 64-bit clash).</summary>
    public int Clashes { get; internal set; }

    /// <summary>False once the connection left the table.</summary>
    public bool IsRegistered { get; internal set; } = true;

    /// <summary>The index of each live token, for tests and the audit.</summary>
    public IEnumerable<ulong> LiveIndices => _indices;

    internal ulong TokenAt(int slot) => _tokens[slot];

    internal ulong IndexAt(int slot) => _indices[slot];

    internal int HalfOpenAt(int slot) => _halfOpen[slot];

    internal void SetHalfOpen(int slot, int count) => _halfOpen[slot] = (byte)count;

    internal int SlotOf(ulong token)
    {
        ulong[] tokens = _tokens;
        for (int slot = 0; slot < tokens.Length; slot++)
        {
            if (tokens[slot] == token)
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
}
