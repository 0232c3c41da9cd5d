namespace MptcpPrivacy.Stack.Mptcp;

/// <summary>
/// The tokens of a host's live MPTCP connections, by which an incoming MP_JOIN SYN finds its
/// connection in O(1) (RFC 8684 §3.2). A new connection draws keys until its token is unique among
/// the live ones (RFC 8684 §3.1: "SHOULD ... check that the token is unique ... re-generate the
/// key"), at most <see cref="MaxDraws"/> times, as Linux does (net/mptcp/token.c); token 0 is
/// never used, Linux keeps it reserved too. Randomness is injected.
/// </summary>
/// <typeparam name="TConnection">Whatever the stack keeps per connection.</typeparam>
public sealed class TokenTable<TConnection>
    where TConnection : class
{
    /// <summary>How many keys a new connection may draw before giving up.</summary>
    public const int MaxDraws = 4;

    private readonly Dictionary<uint, TConnection> _byToken = [];
    private readonly Random _random;

    /// <summary>Makes an empty table drawing keys from <paramref name="random"/>.</summary>
    public TokenTable(Random random) => _random = random;

    /// <summary>How many connections hold a token.</summary>
    public int Count => _byToken.Count;

    /// <summary>How many draws were thrown away because their token was taken (for tests and counters).</summary>
    public long Redraws { get; private set; }

    /// <summary>
    /// Draws a key whose token is free and registers <paramref name="connection"/> under it; false
    /// (no key) when <see cref="MaxDraws"/> draws all clashed, which the caller treats like Linux:
    /// fall back to plain TCP for this connection.
    /// </summary>
    public bool TryAdd(TConnection connection, out LocalKey key)
    {
        for (int draw = 0; draw < MaxDraws; draw++)
        {
            LocalKey candidate = LocalKey.From((ulong)_random.NextInt64() ^ ((ulong)_random.Next() << 63));
            if (candidate.Token != 0 && _byToken.TryAdd(candidate.Token, connection))
            {
                key = candidate;
                return true;
            }

            Redraws++;
        }

        key = default;
        return false;
    }

    /// <summary>Registers a connection under a key chosen elsewhere (tests, or a key the application supplies); false when its token is taken.</summary>
    public bool TryAdd(TConnection connection, LocalKey key) => key.Token != 0 && _byToken.TryAdd(key.Token, connection);

    /// <summary>The connection whose token an MP_JOIN SYN carries, if it is live.</summary>
    public bool TryFind(uint token, out TConnection connection) => _byToken.TryGetValue(token, out connection!);

    /// <summary>Forgets a closed connection's token, so that it may be drawn again.</summary>
    public bool Remove(uint token, TConnection connection) =>
        _byToken.TryGetValue(token, out TConnection? held) && ReferenceEquals(held, connection) && _byToken.Remove(token);
}
