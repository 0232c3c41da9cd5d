namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>Which MPTCP options a path's middlebox strips (see <see cref="MptcpOptionStripper"/>).</summary>
public enum StripMode
{
    /// <summary>No stripper on the path ("strip=none").</summary>
    None,

    /// <summary>From every TCP segment ("strip=all"), <see cref="OptionStripMode.AllSegments"/>.</summary>
    All,

    /// <summary>From SYN and SYN/ACK segments ("strip=syn"), <see cref="OptionStripMode.SynOnly"/>.</summary>
    Syn,

    /// <summary>Only MP_JOIN from SYN segments ("strip=join"), <see cref="OptionStripMode.MpJoinSynOnly"/>.</summary>
    Join,
}
