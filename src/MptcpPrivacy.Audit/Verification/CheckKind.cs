namespace MptcpPrivacy.Audit.Verification;

/// <summary>The cryptographic and checksum facts an MPTCP capture can be checked for.</summary>
public enum CheckKind : byte
{
    /// <summary>An MP_JOIN SYN's token is the token of a key seen in MP_CAPABLE (RFC 8684 §3.2).</summary>
    JoinToken,

    /// <summary>The first data sequence number is the sender's IDSN + 1 (RFC 8684 §3.1, §3.3).</summary>
    Idsn,

    /// <summary>The truncated HMAC of an MP_JOIN SYN/ACK (RFC 8684 §3.2).</summary>
    JoinSynAckHmac,

    /// <summary>The 160-bit HMAC of an MP_JOIN third ACK (RFC 8684 §3.2).</summary>
    JoinAckHmac,

    /// <summary>The truncated HMAC of an ADD_ADDR (RFC 8684 §3.4.1).</summary>
    AddAddrHmac,

    /// <summary>A DSS checksum over the mapping's pseudo-header and data (RFC 8684 §3.3.1).</summary>
    DssChecksum,

    /// <summary>MP_FASTCLOSE carries the key of its receiver (RFC 8684 §3.5).</summary>
    FastCloseKey,
}

/// <summary>The outcome of one check.</summary>
public enum CheckStatus : byte
{
    /// <summary>The value on the wire is what the keys (and data) give.</summary>
    Valid,

    /// <summary>The value on the wire is not what the keys give.</summary>
    Invalid,

    /// <summary>The capture lacks what the check needs (keys, handshake, or the mapped data).</summary>
    Unverifiable,
}

/// <summary>One check that did not come out valid, with where it happened and why.</summary>
public sealed record CheckFinding(long Frame, CheckKind Kind, CheckStatus Status, string Detail)
{
    /// <inheritdoc/>
    public override string ToString() => $"frame {FrameRef.Frame(Frame)}: {Kind} {Status}: {Detail}";
}
