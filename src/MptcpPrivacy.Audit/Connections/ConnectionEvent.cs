using MptcpPrivacy.Audit.Verification;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Audit.Connections;

/// <summary>The MPTCP signalling events an observer can learn addresses from (RFC 8684 §3).</summary>
public enum ConnectionEventKind : byte
{
    /// <summary>MP_CAPABLE keys seen (SYN/ACK or third ACK).</summary>
    KeysSeen,

    /// <summary>An MP_JOIN SYN.</summary>
    Join,

    /// <summary>An ADD_ADDR (announcement or echo).</summary>
    AddAddr,

    /// <summary>A REMOVE_ADDR.</summary>
    RemoveAddr,

    /// <summary>An MP_PRIO.</summary>
    MpPrio,

    /// <summary>An MP_FASTCLOSE.</summary>
    FastClose,

    /// <summary>An MP_TCPRST.</summary>
    TcpRst,
}

/// <summary>
/// One signalling event of a connection, with who sent it from which address and what it
/// disclosed. Kept in capture order; identical repeats (retransmissions) are kept once.
/// </summary>
public sealed record ConnectionEvent(
    ConnectionEventKind Kind,
    long Frame,
    long TimeNs,
    Subflow Subflow,
    bool FromClient,
    IpAddressBytes SenderAddress)
{
    /// <summary>The address ID the option carried (ADD_ADDR, MP_JOIN); for REMOVE_ADDR see <see cref="RemovedIds"/>.</summary>
    public byte AddressId { get; init; }

    /// <summary>The address an ADD_ADDR disclosed (none when it was sealed).</summary>
    public IpAddressBytes? Address { get; init; }

    /// <summary>An ADD_ADDR's address field as sent (ciphertext when the option is sealed or draft-encrypted).</summary>
    public IpAddressBytes? WireAddress { get; init; }

    /// <summary>An ADD_ADDR's port field as sent, when it carried one.</summary>
    public ushort? WirePort { get; init; }

    /// <summary>What could be made of an ADD_ADDR's address; <see cref="Address"/> is set only when it was read.</summary>
    public AddAddrReading? Reading { get; init; }

    /// <summary>The port an ADD_ADDR carried.</summary>
    public ushort? Port { get; init; }

    /// <summary>True for an ADD_ADDR echo.</summary>
    public bool Echo { get; init; }

    /// <summary>The address IDs a REMOVE_ADDR named.</summary>
    public IReadOnlyList<byte> RemovedIds { get; init; } = [];

    /// <summary>The HMAC check of an ADD_ADDR, when it carried one.</summary>
    public CheckStatus? Hmac { get; init; }

    /// <summary>MP_PRIO's backup flag, MP_TCPRST's reason, as text for reports.</summary>
    public string? Detail { get; init; }
}
