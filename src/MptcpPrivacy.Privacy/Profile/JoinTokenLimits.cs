namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The sizes of a <see cref="JoinTokenTable{TConnection}"/>: window per connection and the caps on
/// half-open joins (RFC 7430 §3–4: a sniffed token must not let anyone fill a connection's budget,
/// and MP_JOIN SYNs must not amplify a SYN flood).
/// </summary>
/// <param name="WindowSize">Live tokens per connection (W).</param>
/// <param name="MaxHalfOpenPerToken">Concurrent reservations of one token.</param>
/// <param name="MaxHalfOpenPerConnection">Concurrent reservations of one connection's tokens.</param>
/// <param name="MaxHalfOpenPerHost">Concurrent reservations in the whole table.</param>
public readonly record struct JoinTokenLimits(int WindowSize, int MaxHalfOpenPerToken, int MaxHalfOpenPerConnection, int MaxHalfOpenPerHost)
{
    /// <summary>W = 4 (QUIC's active_connection_id_limit default is 2), 2 per token, 4 per connection, 65,536 per host.</summary>
    public static JoinTokenLimits Default => new(4, 2, 4, 65_536);
}

/// <summary>What an MP_JOIN SYN's token found in a <see cref="JoinTokenTable{TConnection}"/>.</summary>
public enum JoinLookupResult
{
    /// <summary>A live token: a half-open join is reserved on it; spend or release it later.</summary>
    Reserved,

    /// <summary>No live token has this value (forged, spent, retired or of a closed connection): answer with a RST.</summary>
    UnknownToken,

    /// <summary>The token already has its maximum of half-open joins.</summary>
    TokenBusy,

    /// <summary>The connection already has its maximum of half-open joins.</summary>
    ConnectionBusy,

    /// <summary>The host already has its maximum of half-open joins.</summary>
    HostBusy,
}
