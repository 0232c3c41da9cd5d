namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>The MPTCP protocol version carried in MP_CAPABLE (RFC 8684 §3.1).</summary>
public enum MptcpVersion : byte
{
    /// <summary>RFC 6824: SHA-1 for tokens, IDSNs and HMACs; read, never spoken by this stack.</summary>
    V0 = 0,

    /// <summary>RFC 8684: SHA-256.</summary>
    V1 = 1,
}
