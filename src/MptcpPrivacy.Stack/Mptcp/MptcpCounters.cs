namespace MptcpPrivacy.Stack.Mptcp;

/// <summary>What a connection refused or noticed: the evidence that forged or mangled input changed nothing.</summary>
public sealed class MptcpCounters
{
    /// <summary>Gets or sets connections refused because this host requires the privacy profile and the peer did not run it.</summary>
    public long ProfileRefused { get; set; }

    /// <summary>Gets or sets key confirmations of the profile that did not match our secret (the connection was reset).</summary>
    public long ProfileKeyMismatches { get; set; }

    /// <summary>Gets or sets connections aborted because the first-message split could not put the tail on a second path (fail closed).</summary>
    public long FirstMessageSplitFailures { get; set; }

    /// <summary>Gets or sets profile key shares that were not points on P-256.</summary>
    public long ProfileBadKeyShares { get; set; }

    /// <summary>Gets or sets joins whose HMAC (SYN/ACK's HMAC-B or third ACK's HMAC-A) did not match.</summary>
    public long JoinHmacFailures { get; set; }

    /// <summary>Gets or sets joins answered without MP_JOIN (a middlebox stripped it): the subflow was reset.</summary>
    public long JoinsRefusedByPath { get; set; }

    /// <summary>Gets or sets the peer's joins the path manager refused (its subflow limit was reached), each answered with a reset.</summary>
    public long JoinsOverLimit { get; set; }

    /// <summary>Gets or sets ADD_ADDR options whose HMAC did not match.</summary>
    public long AddAddrHmacFailures { get; set; }

    /// <summary>
    /// Gets or sets the peer's ADD_ADDR options (HMAC valid) that the path manager echoed but did not
    /// follow: beyond its add_addr_accepted or subflow limit, or naming a live address ID with another address.
    /// </summary>
    public long AddAddrOverLimit { get; set; }

    /// <summary>Gets or sets Data ACKs for data never sent, or older than the oldest unacknowledged byte.</summary>
    public long DataAcksOutOfWindow { get; set; }

    /// <summary>Gets or sets mappings for data outside the receive window.</summary>
    public long MappingsOutOfWindow { get; set; }

    /// <summary>Gets or sets MP_FASTCLOSE options carrying a key that is not ours.</summary>
    public long FastCloseWrongKey { get; set; }

    /// <summary>Gets or sets DSS checksum failures.</summary>
    public long ChecksumFailures { get; set; }

    /// <summary>Gets or sets bytes sent again on another subflow after theirs failed or stalled (RFC 8684 §3.3.6).</summary>
    public long BytesReinjected { get; set; }

    /// <summary>Gets or sets how often the data-level timer sent the head of the unacknowledged data again (the Data ACK stood still while every subflow had its bytes acknowledged).</summary>
    public long DataLevelRetransmissions { get; set; }
}
