namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>
/// Which TCP segments a middlebox in the stack namespace strips of option kind 30 (MPTCP,
/// RFC 8684 §3) with iptables' TCPOPTSTRIP target, in both directions.
/// </summary>
public enum OptionStrip
{
    /// <summary>Every option passes.</summary>
    None,

    /// <summary>Option 30 is removed from every TCP segment on every path: connections fall back to TCP (RFC 8684 §3.7).</summary>
    All,

    /// <summary>
    /// Option 30 is removed from segments with SYN set on paths 2 and 3 only. iptables cannot match
    /// the MPTCP subtype, so this strips the MP_JOIN handshakes only because connections in these
    /// topologies open their MP_CAPABLE subflow on path 1 (RFC 8684 §3.2: a join whose SYN/ACK
    /// lacks MP_JOIN is closed).
    /// </summary>
    JoinsOnly,
}
