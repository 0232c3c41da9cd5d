namespace MptcpPrivacy.Stack.Mptcp.PathManagement;

/// <summary>
/// How many paths a connection uses at once under a <see cref="PathPolicy"/>: each subflow beyond the
/// first binds another address to the connection for anyone who sees both (draft-bagnulo-mptcp-privacy
/// §2.2), so the fewer the better for privacy.
/// </summary>
public enum PathPolicyMode
{
    /// <summary>Every path the endpoints and limits allow, as the kernel's path manager does (the stack's behaviour without a policy).</summary>
    Aggregate,

    /// <summary>The initial subflow only: no join opened or accepted, no address announced; a peer's ADD_ADDR is echoed (RFC 8684 §3.4.1 owes it) and not followed.</summary>
    Off,

    /// <summary>
    /// One path while it works: no join and no ADD_ADDR while the live subflow is healthy; when it
    /// closes or goes stale after retransmission timeouts, one join from another endpoint (or to an
    /// address the peer announced).
    /// </summary>
    Backup,

    /// <summary>
    /// One active path, moved make-before-break: when a new local address or a peer's announcement
    /// appears, or the active subflow goes stale, a join to it; once it is established the old
    /// subflows become backups (MP_PRIO, RFC 8684 §3.3.8) and close after <see cref="PathPolicy.HandoverDrain"/>.
    /// </summary>
    Handover,
}
