namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The W live join tokens one connection has issued for joins toward this host. Owned and changed
/// only by its <see cref="JoinTokenTable{TConnection}"/>, which keeps each token's index and
/// half-open count in its hash table entry, so that a lookup touches the entry and this object only.
/// </summary>
/// <typeparam name="TConnection">Whatever the stack keeps per connection.</typeparam>
public sealed class JoinTokenWindow<TConnection>
    where TConnection : class
{
    private readonly byte[] _tokenKey;
    private readonly ulong[] _tokens;

    internal JoinTokenWindow(TConnection connection, ReadOnlySpan<byte> tokenKey, int size)
    {
        Connection = connection;
        _tokenKey = tokenKey.ToArray();
        _tokens = new ulong[size];
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

    /// <summary>Tokens derived and skipped because their value was already live in the table (a 64-bit clash).</summary>
    public int Clashes { get; internal set; }

    /// <summary>False once the connection left the table.</summary>
    public bool IsRegistered { get; internal set; } = true;

    /// <summary>The live token values (for the table, tests and the audit).</summary>
    internal ReadOnlySpan<ulong> Tokens => _tokens;

    internal int SlotOf(ulong token) => Array.IndexOf(_tokens, token);

    internal JoinToken DeriveNext() => JoinToken.Derive(_tokenKey, NextIndex++);

    internal void Place(int slot, ulong token) => _tokens[slot] = token;
}
