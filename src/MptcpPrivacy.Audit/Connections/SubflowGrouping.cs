namespace MptcpPrivacy.Audit.Connections;

/// <summary>What in the capture ties a subflow to its connection (RFC 8684 §3.1, §3.2).</summary>
public enum SubflowGrouping : byte
{
    /// <summary>Nothing: the subflow stands alone (plain TCP, or a join whose token matched nothing).</summary>
    None,

    /// <summary>It is the connection's MP_CAPABLE subflow.</summary>
    MpCapable,

    /// <summary>Its MP_JOIN token is the token of a key seen in the connection's MP_CAPABLE.</summary>
    TokenOfSeenKey,

    /// <summary>Its MP_JOIN token equals the token of an earlier join (no key seen to derive it from).</summary>
    EqualJoinToken,

    /// <summary>Its MP_JOIN token is the draft's token (draft-bagnulo-mptcp-privacy-00 §3) of a key seen in the connection's MP_CAPABLE.</summary>
    DraftJoinToken,
}
