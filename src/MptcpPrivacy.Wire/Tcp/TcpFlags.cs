namespace MptcpPrivacy.Wire.Tcp;

/// <summary>
/// The TCP control bits (RFC 9293 §3.1), numbered as they sit in the low bits of the 16-bit word
/// that starts with Data Offset: FIN is bit 0, CWR bit 7, and AE bit 8.
/// </summary>
[Flags]
public enum TcpFlags : ushort
{
    /// <summary>No control bit set.</summary>
    None = 0,

    /// <summary>FIN: no more data from sender.</summary>
    Fin = 0x001,

    /// <summary>SYN: synchronize sequence numbers.</summary>
    Syn = 0x002,

    /// <summary>RST: reset the connection.</summary>
    Rst = 0x004,

    /// <summary>PSH: push function.</summary>
    Psh = 0x008,

    /// <summary>ACK: the Acknowledgment Number field is significant.</summary>
    Ack = 0x010,

    /// <summary>URG: the Urgent Pointer field is significant.</summary>
    Urg = 0x020,

    /// <summary>ECE: ECN-Echo (RFC 3168 §6.1).</summary>
    Ece = 0x040,

    /// <summary>CWR: Congestion Window Reduced (RFC 3168 §6.1).</summary>
    Cwr = 0x080,

    /// <summary>
    /// AE: the Accurate ECN bit, the last of the bits RFC 9293 lists as reserved; it was NS, the
    /// ECN-nonce sum of RFC 3540, which is now Historic.
    /// </summary>
    Ae = 0x100,
}
