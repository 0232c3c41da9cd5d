using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Audit.Connections;

/// <summary>
/// One MPTCP connection as rebuilt from a capture: the keys MP_CAPABLE showed, the tokens and
/// IDSNs they give, and the subflows grouped under it. "Client" is the side that sent the first
/// SYN with MP_CAPABLE; "server" the side that answered it.
/// </summary>
public sealed class Connection
{
    /// <summary>At most this many events are kept per connection (a bound on memory for hostile captures).</summary>
    internal const int MaxEvents = 4096;

    private readonly List<Subflow> _subflows = [];
    private readonly List<ConnectionEvent> _events = [];

    internal Connection(int id, MptcpVersion version, bool fromJoinsOnly = false)
    {
        Id = id;
        Version = version;
        FromJoinsOnly = fromJoinsOnly;
    }

    /// <summary>
    /// True when no MP_CAPABLE of this connection was seen: its subflows are grouped only because
    /// their MP_JOINs carry the same token (<see cref="JoinToken"/>).
    /// </summary>
    public bool FromJoinsOnly { get; }

    /// <summary>For a connection known from joins only, the token they share.</summary>
    public uint? JoinToken { get; internal set; }

    /// <summary>The frame where a key was first seen (the proof behind <see cref="SubflowGrouping.TokenOfSeenKey"/>).</summary>
    public long KeyFrame { get; internal set; }

    /// <summary>The signalling events, in capture order (at most <see cref="MaxEvents"/>).</summary>
    public IReadOnlyList<ConnectionEvent> Events => _events;

    /// <summary>A number unique within one analysis, in order of first appearance.</summary>
    public int Id { get; }

    /// <summary>The MPTCP version of the handshake.</summary>
    public MptcpVersion Version { get; }

    /// <summary>The client's key, once seen (v0 SYN, or the third ACK).</summary>
    public ulong? ClientKey { get; private set; }

    /// <summary>The server's key, once seen (SYN/ACK).</summary>
    public ulong? ServerKey { get; private set; }

    /// <summary>The token of the client's key (what joins towards the client carry).</summary>
    public uint? ClientToken { get; private set; }

    /// <summary>The token of the server's key (what joins towards the server carry).</summary>
    public uint? ServerToken { get; private set; }

    /// <summary>The client's initial data sequence number.</summary>
    public ulong? ClientIdsn { get; private set; }

    /// <summary>The server's initial data sequence number.</summary>
    public ulong? ServerIdsn { get; private set; }

    /// <summary>True when either side asked for DSS checksums (MP_CAPABLE A flag).</summary>
    public bool ChecksumsRequired { get; internal set; }

    /// <summary>The privacy profile's offer in the MP_CAPABLE SYN, when it carried one.</summary>
    public ProfileOfferFlags? SynOffer { get; internal set; }

    /// <summary>The offer in the SYN/ACK (the acceptance), when it carried one.</summary>
    public ProfileOfferFlags? SynAckOffer { get; internal set; }

    /// <summary>True once the initial subflow's SYN/ACK was seen.</summary>
    public bool SynAckSeen { get; internal set; }

    /// <summary>How many of the profile's key-share options (<see cref="KeyShareOption"/>) its subflows carried.</summary>
    public int KeyShareOptions { get; internal set; }

    /// <summary>Whether the connection runs the privacy profile, as far as the packets seen show.</summary>
    public ConnectionPrivacy Privacy => FromJoinsOnly ? ConnectionPrivacy.Unknown
        : SynOffer is null ? ConnectionPrivacy.Standard
        : SynAckOffer is not null ? ConnectionPrivacy.Hardened
        : SynAckSeen ? ConnectionPrivacy.OfferedNotAccepted
        : ConnectionPrivacy.Offered;

    /// <summary>The ADD_ADDR announcements seen, by sender side, Address ID and address as sent: what an echo is matched to.</summary>
    internal Dictionary<(bool FromClient, byte Id, IpAddressBytes Wire), ConnectionEvent> Announcements { get; } = [];

    /// <summary>The subflows, in order of first appearance; the first is the initial one when its SYN was captured.</summary>
    public IReadOnlyList<Subflow> Subflows => _subflows;

    /// <summary>The highest 64-bit DSN seen from each side, to widen 32-bit DSNs: [0] client, [1] server.</summary>
    internal ulong?[] LastDsn { get; } = new ulong?[2];

    /// <summary>The lowest 64-bit DSN each side mapped data to, and where: [0] client, [1] server.</summary>
    internal (ulong Dsn, long Frame)?[] FirstDsn { get; } = new (ulong, long)?[2];

    /// <summary>The lowest 64-bit Data ACK each side's data got from its peer: [0] acks of the client's data.</summary>
    internal (ulong Ack, long Frame)?[] LowestAck { get; } = new (ulong, long)?[2];

    internal void Add(Subflow subflow) => _subflows.Add(subflow);

    /// <summary>Moves a subflow, and the events it carried, to another connection.</summary>
    internal void Move(Subflow subflow, Connection to)
    {
        _subflows.Remove(subflow);
        to._subflows.Add(subflow);
        foreach (ConnectionEvent e in _events.Where(e => ReferenceEquals(e.Subflow, subflow)).ToList())
        {
            _events.Remove(e);
            to._events.Add(e);
        }
    }

    internal void Record(ConnectionEvent e)
    {
        if (_events.Count >= MaxEvents)
        {
            return;
        }

        // Retransmitted signalling (the same option from the same address) adds nothing.
        for (int i = _events.Count - 1; i >= 0 && i >= _events.Count - 16; i--)
        {
            ConnectionEvent old = _events[i];
            if (old.Kind == e.Kind && old.FromClient == e.FromClient && old.SenderAddress == e.SenderAddress
                && old.AddressId == e.AddressId && old.Address == e.Address && old.WireAddress == e.WireAddress && old.WirePort == e.WirePort && old.Port == e.Port && old.Echo == e.Echo
                && old.RemovedIds.SequenceEqual(e.RemovedIds) && old.Detail == e.Detail)
            {
                return;
            }
        }

        _events.Add(e);
    }

    internal void LearnClientKey(ulong key)
    {
        if (ClientKey is null)
        {
            ClientKey = key;
            (uint token, ulong idsn) = MptcpKeys.TokenAndIdsn(key, Version);
            ClientToken = token;
            ClientIdsn = idsn;
        }
    }

    internal void LearnServerKey(ulong key)
    {
        if (ServerKey is null)
        {
            ServerKey = key;
            (uint token, ulong idsn) = MptcpKeys.TokenAndIdsn(key, Version);
            ServerToken = token;
            ServerIdsn = idsn;
        }
    }

    /// <summary>The key of the client (<paramref name="client"/> true) or the server side.</summary>
    internal ulong? KeyOf(bool client) => client ? ClientKey : ServerKey;

    /// <summary>The IDSN of the client or the server side.</summary>
    internal ulong? IdsnOf(bool client) => client ? ClientIdsn : ServerIdsn;
}
