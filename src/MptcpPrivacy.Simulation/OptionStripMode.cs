namespace MptcpPrivacy.Simulation;

/// <summary>Which segments an <see cref="MptcpOptionStripper"/> strips of MPTCP options.</summary>
public enum OptionStripMode
{
    /// <summary>Every TCP segment.</summary>
    AllSegments,

    /// <summary>Segments with SYN set (SYN and SYN/ACK): MPTCP never starts, RFC 8684 §3.7 fallback to TCP.</summary>
    SynOnly,

    /// <summary>Only MP_JOIN options on SYN segments: the first subflow works, extra subflows fail (RFC 8684 §3.2).</summary>
    MpJoinSynOnly,
}
