using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Audit.Linking;

/// <summary>Which end of a connection an address belongs to.</summary>
public enum Host : byte
{
    /// <summary>The side that opened the connection (the user, in the draft's threat model).</summary>
    Client,

    /// <summary>The side that accepted it.</summary>
    Server,
}

/// <summary>What ties two addresses of one host together (draft-bagnulo-mptcp-privacy-00 §2.2).</summary>
public enum EvidenceKind : byte
{
    /// <summary>An MP_JOIN token is the token of a key the observer saw in MP_CAPABLE (§2.2.1).</summary>
    TokenOfSeenKey,

    /// <summary>Two MP_JOINs carry the same token (§2.2.1).</summary>
    EqualJoinTokens,

    /// <summary>An ADD_ADDR sent from one address names another (§2.2.2).</summary>
    AddAddr,

    /// <summary>An ADD_ADDR echo names the announcer's other address.</summary>
    AddAddrEcho,

    /// <summary>A REMOVE_ADDR sent from one address names the ID of another.</summary>
    RemoveAddr,

    /// <summary>One address ID used for two addresses of the same host.</summary>
    AddressIdReuse,

    /// <summary>Two subflows carry overlapping data-level sequence numbers (Data ACKs), with no key or token needed.</summary>
    DataSequence,

    /// <summary>The endpoint holds the keys and receives every subflow of its own connections.</summary>
    Endpoint,

    /// <summary>An MP_JOIN token is the draft's per-join token (draft §3, reading A or B) of a key the observer saw, from the join's source address.</summary>
    DraftJoinToken,

    /// <summary>An ADD_ADDR (or its echo) whose address the observer decrypted as the draft's ADD_ADDR (draft §3) with the keys it saw; the HMAC over the decryption verified.</summary>
    DraftAddAddrDecrypted,
}

/// <summary>One reason an observer can link two addresses of one host, with the frames that show it.</summary>
/// <param name="Kind">What kind of evidence.</param>
/// <param name="Host">Whose addresses are linked.</param>
/// <param name="First">One address.</param>
/// <param name="Second">The other address.</param>
/// <param name="Frames">The frames (as <see cref="FrameRef"/> values) that prove it.</param>
/// <param name="Detail">A sentence for people.</param>
/// <param name="Unverified">True when the link rests on an ADD_ADDR read without the keys to check its HMAC (<see cref="AddAddrReading.Unverified"/>).</param>
public sealed record LinkEvidence(EvidenceKind Kind, Host Host, IpAddressBytes First, IpAddressBytes Second, IReadOnlyList<long> Frames, string Detail, bool Unverified = false);

/// <summary>When an observer saw an address of a host: as a subflow endpoint, or only inside an option.</summary>
public sealed record AddressSighting(Host Host, IpAddressBytes Address, long FirstNs, long LastNs, bool OnlyAnnounced);

/// <summary>What one observer learned about one connection.</summary>
/// <param name="ConnectionId">The connection's id in the global view.</param>
/// <param name="ClientGroups">The client's addresses the observer saw, in groups it can link (a group of one is an address it cannot tie to any other).</param>
/// <param name="ServerGroups">The same for the server.</param>
/// <param name="Evidence">Why each link holds.</param>
/// <param name="Timeline">Each address with the first and last time the observer saw it.</param>
/// <param name="SubflowsSeen">How many of the connection's subflows the observer saw packets of.</param>
/// <param name="Privacy">Whether the connection runs the privacy profile (global view: every packet).</param>
/// <param name="PrivacySeen">The same, judged from the observer's own packets (<see cref="ConnectionPrivacy.Unknown"/> when it did not see the MP_CAPABLE SYN).</param>
/// <param name="UnreadableAddAddrs">ADD_ADDR options (and echoes) the observer saw but could not read: sealed, or encrypted under keys it did not see.</param>
/// <param name="Residual">For a connection whose contents link nothing (privacy profile): what is left to the observer.</param>
public sealed record ObservedConnection(
    int ConnectionId,
    IReadOnlyList<IReadOnlyList<IpAddressBytes>> ClientGroups,
    IReadOnlyList<IReadOnlyList<IpAddressBytes>> ServerGroups,
    IReadOnlyList<LinkEvidence> Evidence,
    IReadOnlyList<AddressSighting> Timeline,
    int SubflowsSeen,
    ConnectionPrivacy Privacy = ConnectionPrivacy.Unknown,
    ConnectionPrivacy PrivacySeen = ConnectionPrivacy.Unknown,
    int UnreadableAddAddrs = 0,
    string? Residual = null)
{
    /// <summary>The largest set of client addresses the observer links together.</summary>
    public IReadOnlyList<IpAddressBytes> LargestClientGroup => ClientGroups.Count == 0 ? [] : ClientGroups.MaxBy(g => g.Count)!;
}
