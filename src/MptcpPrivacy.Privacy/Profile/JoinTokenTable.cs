using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The host-wide table of the profile's live join tokens: one hash table keyed by the 64-bit token
/// finds a join's connection in O(1), however many connections are live (RFC 9000 §5.1's connection
/// IDs, moved into MP_JOIN). Each connection holds a window of W single-use tokens; nothing in it
/// depends on addresses or ports, so NAT rewriting the join's source changes nothing.
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

    private readonly Dictionary<ulong, Entry> _byToken;

    /// <summary>Makes an empty table with the given window and caps, sized for <paramref name="expectedConnections"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is not positive, or the window exceeds 255.</exception>
    public JoinTokenTable(JoinTokenLimits limits, int expectedConnections = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.WindowSize, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limits.WindowSize, byte.MaxValue, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxHalfOpenPerToken, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxHalfOpenPerConnection, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxHalfOpenPerHost, 1, nameof(limits));
        Limits = limits;
        _byToken = new Dictionary<ulong, Entry>(expectedConnections * limits.WindowSize);
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
    /// when it is live and the caps allow, reserves a half-open join on it. One hash lookup; no
    /// work that depends on the number of connections, for a genuine token or a forged one.
    /// </summary>
    public JoinLookupResult TryReserve(ulong token, out JoinReservation<TConnection> reservation)
    {
        reservation = default;
        ref Entry entry = ref CollectionsMarshal.GetValueRefOrNullRef(_byToken, token);
        if (Unsafe.IsNullRef(ref entry))
        {
            return JoinLookupResult.UnknownToken;
        }

        if (entry.HalfOpen >= Limits.MaxHalfOpenPerToken)
        {
            return JoinLookupResult.TokenBusy;
        }

        JoinTokenWindow<TConnection> window = entry.Window;
        if (window.HalfOpen >= Limits.MaxHalfOpenPerConnection)
        {
            return JoinLookupResult.ConnectionBusy;
        }

        if (HalfOpen >= Limits.MaxHalfOpenPerHost)
        {
            return JoinLookupResult.HostBusy;
        }

        entry.HalfOpen++;
        window.HalfOpen++;
        HalfOpen++;
        reservation = new JoinReservation<TConnection>(window, new JoinToken(entry.Index, token));
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
        if (Unsafe.IsNullRef(ref CurrentEntry(reservation)))
        {
            return false;
        }

        JoinTokenWindow<TConnection> window = reservation.Window;
        Replace(window, reservation.Token.Value);
        if (reservation.Token.Index >= window.RetiredBelow)
        {
            window.RetiredBelow = reservation.Token.Index + 1;
        }

        for (int slot = 0; slot < window.Size; slot++)
        {
            ulong token = window.Tokens[slot];
            Entry entry = _byToken[token];
            if (entry.Index < window.RetiredBelow && entry.HalfOpen == 0)
            {
                Replace(window, token);
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
        ref Entry entry = ref CurrentEntry(reservation);
        if (Unsafe.IsNullRef(ref entry))
        {
            return;
        }

        JoinTokenWindow<TConnection> window = reservation.Window;
        entry.HalfOpen--;
        window.HalfOpen--;
        HalfOpen--;
        if (entry.HalfOpen == 0 && entry.Index < window.RetiredBelow)
        {
            Replace(window, reservation.Token.Value);
        }
    }

    /// <summary>Removes a closed connection's tokens; its half-open joins die with it.</summary>
    public void Remove(JoinTokenWindow<TConnection> window)
    {
        if (!window.IsRegistered)
        {
            return;
        }

        foreach (ulong token in window.Tokens)
        {
            _byToken.Remove(token);
        }

        HalfOpen -= window.HalfOpen;
        window.HalfOpen = 0;
        window.IsRegistered = false;
    }

    /// <summary>The connection a token leads to, without reserving anything (for tests and the audit).</summary>
    public bool TryFind(ulong token, out TConnection connection)
    {
        bool found = _byToken.TryGetValue(token, out Entry entry);
        connection = found ? entry.Window.Connection : null!;
        return found;
    }

    /// <summary>The indices of a connection's live tokens (for tests and the audit).</summary>
    public IEnumerable<ulong> LiveIndices(JoinTokenWindow<TConnection> window)
    {
        var indices = new List<ulong>(window.Size);
        foreach (ulong token in window.Tokens)
        {
            if (_byToken.TryGetValue(token, out Entry entry) && ReferenceEquals(entry.Window, window))
            {
                indices.Add(entry.Index);
            }
        }

        return indices;
    }

    /// <summary>The table's entry for a reservation that still holds its token, or a null ref when it is stale.</summary>
    private ref Entry CurrentEntry(in JoinReservation<TConnection> reservation)
    {
        ref Entry entry = ref CollectionsMarshal.GetValueRefOrNullRef(_byToken, reservation.Token.Value);
        if (!Unsafe.IsNullRef(ref entry)
            && reservation.Window is { IsRegistered: true }
            && ReferenceEquals(entry.Window, reservation.Window)
            && entry.Index == reservation.Token.Index
            && entry.HalfOpen > 0)
        {
            return ref entry;
        }

        return ref Unsafe.NullRef<Entry>();
    }

    /// <summary>Takes a token out of the table, with whatever was half-open on it, and issues a fresh one in its slot.</summary>
    private void Replace(JoinTokenWindow<TConnection> window, ulong token)
    {
        if (_byToken.Remove(token, out Entry entry))
        {
            window.HalfOpen -= entry.HalfOpen;
            HalfOpen -= entry.HalfOpen;
        }

        Issue(window, window.SlotOf(token));
    }

    private void Issue(JoinTokenWindow<TConnection> window, int slot)
    {
        for (int attempt = 0; attempt < MaxClashSkips; attempt++)
        {
            JoinToken token = window.DeriveNext();
            if (_byToken.TryAdd(token.Value, new Entry(window, token.Index)))
            {
                window.Place(slot, token.Value);
                return;
            }

            window.Clashes++;
        }

        throw new InvalidOperationException("eight 64-bit join tokens in a row clashed with live ones: the token key is not random");
    }

    /// <summary>What the table keeps per live token, in the hash table's entry itself.</summary>
    private struct Entry(JoinTokenWindow<TConnection> window, ulong index)
    {
        public readonly JoinTokenWindow<TConnection> Window = window;
        public readonly ulong Index = index;
        public int HalfOpen;
    }
}
