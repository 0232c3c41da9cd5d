namespace MptcpPrivacy.Wire.Tcp;

/// <summary>TCP option kinds from the IANA "TCP Option Kind Numbers" registry that this stack meets.</summary>
public enum TcpOptionKind : byte
{
    /// <summary>End of Option List (RFC 9293 §3.2); one byte, ends the walk.</summary>
    EndOfOptionList = 0,

    /// <summary>No-Operation (RFC 9293 §3.2); one byte, used to align the next option.</summary>
    NoOperation = 1,

    /// <summary>Maximum Segment Size (RFC 9293 §3.2, RFC 6691).</summary>
    MaximumSegmentSize = 2,

    /// <summary>Window Scale (RFC 7323 §2).</summary>
    WindowScale = 3,

    /// <summary>SACK-Permitted (RFC 2018 §2).</summary>
    SackPermitted = 4,

    /// <summary>SACK (RFC 2018 §3).</summary>
    Sack = 5,

    /// <summary>Timestamps (RFC 7323 §3).</summary>
    Timestamps = 8,

    /// <summary>TCP MD5 Signature (RFC 2385, obsoleted by TCP-AO).</summary>
    Md5Signature = 19,

    /// <summary>User Timeout (RFC 5482).</summary>
    UserTimeout = 28,

    /// <summary>TCP Authentication Option (RFC 5925).</summary>
    TcpAo = 29,

    /// <summary>Multipath TCP (RFC 8684 §3).</summary>
    Mptcp = 30,

    /// <summary>TCP Fast Open cookie (RFC 7413).</summary>
    FastOpen = 34,

    /// <summary>RFC 3692-style experiment 1 (RFC 4727; shared through RFC 6994 ExIDs).</summary>
    Experimental1 = 253,

    /// <summary>RFC 3692-style experiment 2 (RFC 4727; shared through RFC 6994 ExIDs).</summary>
    Experimental2 = 254,
}
