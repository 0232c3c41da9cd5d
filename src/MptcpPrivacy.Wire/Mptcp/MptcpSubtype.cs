namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>The MPTCP option subtypes of the IANA registry (RFC 8684 §7.2).</summary>
public enum MptcpSubtype : byte
{
    /// <summary>Multipath Capable, RFC 8684 §3.1.</summary>
    MpCapable = 0x0,

    /// <summary>Join Connection, RFC 8684 §3.2.</summary>
    MpJoin = 0x1,

    /// <summary>Data Sequence Signal (Data ACK and data sequence mapping), RFC 8684 §3.3.</summary>
    Dss = 0x2,

    /// <summary>Add Address, RFC 8684 §3.4.1.</summary>
    AddAddr = 0x3,

    /// <summary>Remove Address, RFC 8684 §3.4.2.</summary>
    RemoveAddr = 0x4,

    /// <summary>Change Subflow Priority, RFC 8684 §3.3.8.</summary>
    MpPrio = 0x5,

    /// <summary>Fallback, RFC 8684 §3.7.</summary>
    MpFail = 0x6,

    /// <summary>Fast Close, RFC 8684 §3.5.</summary>
    MpFastClose = 0x7,

    /// <summary>Subflow Reset, RFC 8684 §3.6.</summary>
    MpTcpRst = 0x8,

    /// <summary>Reserved for private use (RFC 8684 §7.2); carried as raw bytes.</summary>
    MpExperimental = 0xf,
}

/// <summary>RFC 8684 names of the subtypes, as printed by <c>decode</c>.</summary>
public static class MptcpSubtypeNames
{
    /// <summary>Returns the RFC name (<c>MP_CAPABLE</c>, <c>DSS</c>, ...) of a subtype.</summary>
    public static string Name(this MptcpSubtype subtype) => subtype switch
    {
        MptcpSubtype.MpCapable => "MP_CAPABLE",
        MptcpSubtype.MpJoin => "MP_JOIN",
        MptcpSubtype.Dss => "DSS",
        MptcpSubtype.AddAddr => "ADD_ADDR",
        MptcpSubtype.RemoveAddr => "REMOVE_ADDR",
        MptcpSubtype.MpPrio => "MP_PRIO",
        MptcpSubtype.MpFail => "MP_FAIL",
        MptcpSubtype.MpFastClose => "MP_FASTCLOSE",
        MptcpSubtype.MpTcpRst => "MP_TCPRST",
        MptcpSubtype.MpExperimental => "MP_EXPERIMENTAL",
        _ => "UNKNOWN",
    };
}
