namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>The flag bits of MP_TCPRST (RFC 8684 §3.6).</summary>
[Flags]
public enum MpTcpRstFlags : byte
{
    /// <summary>No flag set.</summary>
    None = 0,

    /// <summary>T: the error is transient; the subflow may be tried again.</summary>
    Transient = 0x01,

    /// <summary>W: reserved for future use.</summary>
    W = 0x02,

    /// <summary>V: reserved for future use.</summary>
    V = 0x04,

    /// <summary>U: reserved for future use.</summary>
    U = 0x08,
}

/// <summary>MP_TCPRST reason codes (RFC 8684 §3.6, IANA "MPTCP MP_TCPRST Reason Codes").</summary>
public enum MpTcpRstReason : byte
{
    /// <summary>Unspecified error.</summary>
    Unspecified = 0x00,

    /// <summary>MPTCP-specific error.</summary>
    MptcpSpecific = 0x01,

    /// <summary>Lack of resources.</summary>
    LackOfResources = 0x02,

    /// <summary>Administratively prohibited.</summary>
    AdministrativelyProhibited = 0x03,

    /// <summary>Too much outstanding data.</summary>
    TooMuchOutstandingData = 0x04,

    /// <summary>Unacceptable performance.</summary>
    UnacceptablePerformance = 0x05,

    /// <summary>Middlebox interference.</summary>
    MiddleboxInterference = 0x06,
}

/// <summary>
/// MP_TCPRST, RFC 8684 §3.6: why a subflow was reset.
/// <code>
/// +---------------+---------------+-------+-----------------------+
/// |     Kind      |    Length     |Subtype|U|V|W|T|    Reason     |
/// +---------------+---------------+-------+-----------------------+
/// </code>
/// </summary>
public readonly record struct MpTcpRstOption(MpTcpRstFlags Flags, byte Reason)
{
    /// <summary>The option's only length.</summary>
    public const int Length = 4;

    /// <summary>Bytes this option takes on the wire.</summary>
    public int EncodedLength => Length;

    /// <summary>True when T (transient) is set.</summary>
    public bool Transient => (Flags & MpTcpRstFlags.Transient) != 0;

    /// <summary>The RFC's description of a reason code, or "unknown (N)".</summary>
    public static string Describe(byte reason) => (MpTcpRstReason)reason switch
    {
        MpTcpRstReason.Unspecified => "unspecified error",
        MpTcpRstReason.MptcpSpecific => "MPTCP-specific error",
        MpTcpRstReason.LackOfResources => "lack of resources",
        MpTcpRstReason.AdministrativelyProhibited => "administratively prohibited",
        MpTcpRstReason.TooMuchOutstandingData => "too much outstanding data",
        MpTcpRstReason.UnacceptablePerformance => "unacceptable performance",
        MpTcpRstReason.MiddleboxInterference => "middlebox interference",
        _ => $"unknown ({reason})",
    };

    /// <summary>Parses an MP_TCPRST option starting at its kind byte.</summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out MpTcpRstOption value, out WireError error)
    {
        value = default;
        if (!MptcpOptionHeader.TryGetOption(option, MptcpSubtype.MpTcpRst, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        if (bytes.Length != Length)
        {
            error = WireError.BadLength;
            return false;
        }

        value = new MpTcpRstOption((MpTcpRstFlags)(bytes[2] & 0x0f), bytes[3]);
        return true;
    }

    /// <summary>Writes the option and returns the bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        MptcpOptionHeader.Write(destination, Length, MptcpSubtype.MpTcpRst, (int)Flags);
        destination[3] = Reason;
        return Length;
    }
}
