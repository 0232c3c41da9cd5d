namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The host-wide table of the profile's live join tokens: one flat hash index keyed by the 64-bit
/// token (<see cref="JoinTokenIndex{TConnection}"/>) finds a join's connection in O(1), however
/// many connections are live (RFC 9000 §5.1's connection IDs, moved into MP_JOIN). Each connection
/// holds a window of W single-use tokens; nothing in it depends on addresses or ports, so NAT
/// rewriting the join's source changes nothing.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>SYN: <see cref="TryReserve"/>; a token that is not live (forged, replayed after use, retired,
/// of a closed connection) is <see cref="JoinLookupResult.UnknownToken"/> after one hash lookup.</item>
/// <item>Third ACK whose HMAC verified: <see cref="Spend"/> removes the token for good, retires every
/// idle token issued before it (the sender uses them in order; one it skipped failed), and issues
/// new ones so the window again holds W.</item>
/// <item>HMAC failure or timeout: <see cref="Release"/>; the token stays live for its owner, which a
/// replayed SYN from another address cannot complete.</item>
/// </list>
/// A newly derived token that equals one already live (probability about L²/2^65 for L live tokens)
/// is skipped; its sender's join then fails its HMAC and it retries with the next token.
/// </remarks>
/// <typeparam name="TConnection">Whatever the stack keeps per connection.</typeparam>
public sealed class JoinTokenTable<TConnection>
    where TConnection : class
{
    private const int MaxClashSkips = 8;

    private readonly JoinTokenIndex<TConnection> _byToken;

    /// <summary>Gets the hash index (diagnostics and tests).</summary>
    internal JoinTokenIndex<TConnection> Index => _byToken;

    /// <summary>Makes an empty table with the given window and caps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is not positive, the window exceeds 8 or the per-token cap 255.</exception>
    public JoinTokenTable(JoinTokenLimits limits, int expectedConnections = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.WindowSize, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limits.WindowSize, JoinTokenWindow<TConnection>.MaxSize, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxHalfOpenPerToken, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limits.MaxHalfOpenPerToken, byte.MaxValue, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxHalfOpenPerConnection, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxHalfOpenPerHost, 1, nameof(limits));
        Limits = limits;
        _byToken = new JoinTokenIndex<TConnection>(expectedConnections * limits.WindowSize);
    }

    /// <summary>The window and caps.</summary>
    public JoinTokenLimits Limits { get; }

    /// <summary>Live tokens in the table (W per connection).</summary>
    public int LiveTokens => _byToken.Count;

    /// <summary>Half-open joins in the whole table.</summary>
    public int HalfOpen { get; private set; }

    /// <summary>
    /// Registers a connection and issues its first W tokens under <paramref name="tokenKey"/> (its
    /// <see cref="ProfileKeys.JoinTokenKey"/> for this host's role).
    /// </summary>
    public JoinTokenWindow<TConnection> Register(TConnection connection, ReadOnlySpan<byte> tokenKey)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var window = new JoinTokenWindow<TConnection>(connection, tokenKey, Limits.WindowSize);
        for (int slot = 0; slot < window.Size; slot++)
        {
            Issue(window, slot);
        }

        return window;
    }

    /// <summary>
    /// Looks up the 64-bit token of an MP_JOIN SYN (see <see cref="JoinToken.FromSynFields"/>) and,
    /// when it is live and the caps allow, reserves a half-open join on it. One probe of the index
    /// (usually one cache line) and, for a live token, its window object; no work that depends on
    /// the number of connections, for genuine or forged tokens.
    /// </summary>
    public JoinLookupResult TryReserve(ulong token, out JoinReservation<TConnection> reservation)
    {
        reservation = default;
        JoinTokenWindow<TConnection>? window = _byToken.Find(token);
        if (window is null)
        {
            return JoinLookupResult.UnknownToken;
        }

        int slot = window.SlotOf(token);
        if (window.HalfOpenAt(slot) >= Limits.MaxHalfOpenPerToken)
        {
            return JoinLookupResult.TokenBusy;
        }

        if (window.HalfOpen >= Limits.MaxHalfOpenPerConnection)
        {
            return JoinLookupResult.ConnectionBusy;
        }

        if (HalfOpen >= Limits.MaxHalfOpenPerHost)
        {
            return JoinLookupResult.HostBusy;
        }

        window.AddHalfOpen(slot, 1);
        HalfOpen++;
        reservation = new JoinReservation<TConnection>(window, slot, new JoinToken(window.IndexAt(slot), token));
        return JoinLookupResult.Reserved;
    }

    /// <summary>
    /// Spends the reservation's token after the join's HMAC verified: the token leaves the table for
    /// good (every other half-open join on it is dead and will be refused here), idle tokens issued
    /// before it are retired and the window is refilled. False when the token is no longer live
    /// (another join spent it first, or the connection left): the stack must then refuse the join.
    /// </summary>
    public bool Spend(in JoinReservation<TConnection> reservation)
    {
        if (!IsCurrent(reservation))
        {
            return false;
        }

        JoinTokenWindow<TConnection> window = reservation.Window;
        ulong spentIndex = reservation.Token.Index;
        Replace(window, reservation.Slot);
        if (spentIndex >= window.RetiredBelow)
        {
            window.RetiredBelow = spentIndex + 1;
        }

        for (int slot = 0; slot < window.Size; slot++)
        {
            if (window.IndexAt(slot) < window.RetiredBelow && window.HalfOpenAt(slot) == 0)
            {
                Replace(window, slot);
            }
        }

        return true;
    }

    /// <summary>
    /// Gives back a reservation whose join failed (bad HMAC, RST, timeout); the token stays live
    /// unless a later token was spent meanwhile. Releasing a stale or already released reservation does nothing.
    /// </summary>
    public void Release(in JoinReservation<TConnection> reservation)
    {
        if (!IsCurrent(reservation))
        {
            return;
        }

        JoinTokenWindow<TConnection> window = reservation.Window;
        int slot = reservation.Slot;
        window.AddHalfOpen(slot, -1);
        HalfOpen--;
        if (window.HalfOpenAt(slot) == 0 && window.IndexAt(slot) < window.RetiredBelow)
        {
            Replace(window, slot);
        }
    }

    /// <summary>Removes a closed connection's tokens; its half-open joins die with it.</summary>
    public void Remove(JoinTokenWindow<TConnection> window)
    {
        if (!window.IsRegistered)
        {
            return;
        }

        for (int slot = 0; slot < window.Size; slot++)
        {
            _byToken.Remove(window.TokenAt(slot), window);
            window.SetHalfOpen(slot, 0);
        }

        HalfOpen -= window.HalfOpen;
        window.HalfOpen = 0;
        window.IsRegistered = false;
    }

    /// <summary>The indices of a connection's live tokens (for tests and the audit).</summary>
    public IEnumerable<ulong> LiveIndices(JoinTokenWindow<TConnection> window) => window.LiveIndices;

    /// <summary>The connection a token leads to, without reserving anything (for tests and the audit).</summary>
    public bool TryFind(ulong token, out TConnection connection)
    {
        JoinTokenWindow<TConnection>? window = _byToken.Find(token);
        connection = window?.Connection!;
        return window is not null;
    }

    private bool IsCurrent(in JoinReservation<TConnection> reservation)
    {
        JoinTokenWindow<TConnection>? window = reservation.Window;
        return window is not null
            && window.IsRegistered
            && window.IndexAt(reservation.Slot) == reservation.Token.Index
            && window.TokenAt(reservation.Slot) == reservation.Token.Value
            && window.HalfOpenAt(reservation.Slot) > 0;
    }

    /// <summary>Takes the token in a slot out of the table, with whatever was half-open on it, and issues a fresh one.</summary>
    private void Replace(JoinTokenWindow<TConnection> window, int slot)
    {
        _byToken.Remove(window.TokenAt(slot), window);
        int dead = window.HalfOpenAt(slot);
        window.HalfOpen -= dead;
        HalfOpen -= dead;
        Issue(window, slot);
    }

    private void Issue(JoinTokenWindow<TConnection> window, int slot)
    {
        for (int attempt = 0; attempt < MaxClashSkips; attempt++)
        {
            JoinToken token = window.DeriveNext();
            if (_byToken.TryAdd(token.Value, window))
            {
                window.Place(slot, token);
                return;
            }

            window.Clashes++;
        }

        throw new InvalidOperationException("eight 64-bit join tokens in a row clashed with live ones: the token key is not random");
    }
}
