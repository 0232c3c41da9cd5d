namespace MptcpPrivacy.Audit.Connections;

/// <summary>
/// Whether a connection runs the privacy profile (docs/design/privacy-profile.md §1): its offer,
/// an RFC 6994 experimental option (kind 253, ExID 0x4D50), rides next to MP_CAPABLE in the SYN,
/// and the responder accepts by repeating it in the SYN/ACK. Judged from the packets a tracker saw.
/// </summary>
public enum ConnectionPrivacy : byte
{
    /// <summary>The MP_CAPABLE SYN was not seen (a connection known from joins only).</summary>
    Unknown,

    /// <summary>Standard RFC 8684 MPTCP: the SYN carried no offer.</summary>
    Standard,

    /// <summary>The SYN carried the offer and no SYN/ACK was seen.</summary>
    Offered,

    /// <summary>The SYN carried the offer, the SYN/ACK did not: standard MPTCP (a Linux peer skips the option).</summary>
    OfferedNotAccepted,

    /// <summary>Both SYN and SYN/ACK carried the offer: the connection runs the profile.</summary>
    Hardened,
}
