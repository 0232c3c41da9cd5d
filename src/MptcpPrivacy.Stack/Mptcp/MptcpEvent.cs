using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Stack.Mptcp;

/// <summary>What changed on a connection, in the order it happened (the subflow and address events of the API).</summary>
public enum MptcpEventKind
{
    /// <summary>The connection is established; for MPTCP the keys are exchanged.</summary>
    Established,

    /// <summary>The connection fell back to plain TCP (RFC 8684 §3.7).</summary>
    FellBack,

    /// <summary>A subflow completed its handshake (and, for a join, its HMAC check).</summary>
    SubflowEstablished,

    /// <summary>A subflow closed, failed its join, or was reset.</summary>
    SubflowClosed,

    /// <summary>The peer announced an address (ADD_ADDR with a valid HMAC).</summary>
    AddressAnnounced,

    /// <summary>The peer withdrew an address (REMOVE_ADDR).</summary>
    AddressRemoved,

    /// <summary>A subflow's backup priority changed (MP_PRIO or local request).</summary>
    PriorityChanged,

    /// <summary>The peer sent DATA_FIN: no more data will arrive.</summary>
    PeerClosed,

    /// <summary>The connection is closed: both DATA_FINs acknowledged, reset, or fast-closed.</summary>
    Closed,

    /// <summary>The privacy profile's secret exists at both ends: joins and announcements may go (Detail: the mode).</summary>
    PrivacyReady,

    /// <summary>The privacy mode could not go on safely and the connection was reset (Detail: why).</summary>
    PrivacyFailed,

    /// <summary>Scoring saw a sign of an attacker on a subflow's path, or kept a join off a shunned path (Detail: what and the score).</summary>
    PathBlamed,
}

/// <summary>One thing that changed on a connection.</summary>
/// <param name="Time">When, on the caller's clock.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Subflow">The subflow's addresses, when it concerns one.</param>
/// <param name="AddressId">The address ID concerned, when there is one.</param>
/// <param name="Address">The address concerned, when there is one.</param>
/// <param name="Detail">A short human-readable detail (a reset reason, say).</param>
public readonly record struct MptcpEvent(TimeSpan Time, MptcpEventKind Kind, FourTuple? Subflow = null, byte? AddressId = null, IpAddressBytes? Address = null, string? Detail = null)
{
    /// <summary>Gets the MP_TCPRST reason carried by a reset, when there was one.</summary>
    public MpTcpRstReason? ResetReason { get; init; }
}
