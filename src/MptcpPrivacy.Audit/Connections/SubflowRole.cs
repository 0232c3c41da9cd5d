namespace MptcpPrivacy.Audit.Connections;

/// <summary>What a TCP subflow is to its MPTCP connection, as far as the capture shows.</summary>
public enum SubflowRole : byte
{
    /// <summary>No handshake seen: the capture started after the SYN.</summary>
    Unknown,

    /// <summary>Opened with MP_CAPABLE and still MPTCP: the connection's first subflow.</summary>
    Initial,

    /// <summary>Opened with MP_JOIN and accepted.</summary>
    Join,

    /// <summary>Opened as MPTCP but fell back to plain TCP (MP_CAPABLE absent from the SYN/ACK or stripped later).</summary>
    Fallback,

    /// <summary>An MP_JOIN SYN that was refused, reset, or answered without MP_JOIN.</summary>
    FailedJoin,

    /// <summary>A TCP connection that never offered MPTCP.</summary>
    PlainTcp,
}
