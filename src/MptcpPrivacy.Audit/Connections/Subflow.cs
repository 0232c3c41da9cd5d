using MptcpPrivacy.Audit.Verification;

namespace MptcpPrivacy.Audit.Connections;

/// <summary>One TCP subflow as seen in a capture: who opened it, what it is to its connection, when it was seen.</summary>
public sealed class Subflow
{
    private readonly HashSet<int> _interfaces = [];

    internal Subflow(Endpoint initiator, Endpoint responder, SubflowRole role, long frame, long timeNs)
    {
        Initiator = initiator;
        Responder = responder;
        Role = role;
        FirstFrame = LastFrame = frame;
        FirstTimeNs = LastTimeNs = timeNs;
    }

    /// <summary>The SYN's sender (or, with no SYN captured, the sender of the first packet seen).</summary>
    public Endpoint Initiator { get; }

    /// <summary>The SYN's receiver.</summary>
    public Endpoint Responder { get; }

    /// <summary>What the subflow is to its connection.</summary>
    public SubflowRole Role { get; internal set; }

    /// <summary>The connection it belongs to, when the capture shows which.</summary>
    public Connection? Connection { get; internal set; }

    /// <summary>True when the initiator is the connection's client side (always for the initial subflow).</summary>
    public bool InitiatorIsClient { get; internal set; } = true;

    /// <summary>The initiator's initial sequence number, when its SYN was captured.</summary>
    public uint? InitiatorIsn { get; internal set; }

    /// <summary>The responder's initial sequence number, when its SYN/ACK was captured.</summary>
    public uint? ResponderIsn { get; internal set; }

    /// <summary>The token an MP_JOIN SYN carried.</summary>
    public uint? JoinToken { get; internal set; }

    /// <summary>While a join's token is owned by several connections: the candidates, until its SYN/ACK decides.</summary>
    internal Connection[]? TokenCandidates { get; set; }

    /// <summary>The initiator's MP_JOIN nonce (R-A).</summary>
    public uint? InitiatorNonce { get; internal set; }

    /// <summary>The responder's MP_JOIN nonce (R-B).</summary>
    public uint? ResponderNonce { get; internal set; }

    /// <summary>The address ID the initiator gave in its MP_JOIN SYN.</summary>
    public byte? InitiatorAddressId { get; internal set; }

    /// <summary>The address ID the responder gave in its MP_JOIN SYN/ACK.</summary>
    public byte? ResponderAddressId { get; internal set; }

    /// <summary>How the capture shows this subflow belongs to its connection.</summary>
    public SubflowGrouping Grouping { get; internal set; }

    /// <summary>The frame that proves <see cref="Grouping"/>: the MP_CAPABLE key, or the first join with the same token.</summary>
    public long GroupingFrame { get; internal set; }

    /// <summary>For <see cref="SubflowGrouping.DraftJoinToken"/>: which reading of the draft's token matched, for people.</summary>
    public string? DraftTokenMatch { get; internal set; }

    /// <summary>The check of the MP_JOIN SYN/ACK's truncated HMAC, when there was one.</summary>
    public CheckStatus? SynAckHmac { get; internal set; }

    /// <summary>The check of the MP_JOIN third ACK's HMAC, when there was one.</summary>
    public CheckStatus? AckHmac { get; internal set; }

    /// <summary>
    /// The Data ACKs carried on the wire in each direction ([0] from the initiator, [1] from the
    /// responder), as raw wire values: equal data-level numbers on two subflows link them even
    /// without keys or tokens.
    /// </summary>
    internal DataAckRange?[] DataAcks { get; } = new DataAckRange?[2];

    /// <summary>Frame number of the first packet seen.</summary>
    public long FirstFrame { get; }

    /// <summary>Frame number of the last packet seen.</summary>
    public long LastFrame { get; private set; }

    /// <summary>Time of the first packet seen, Unix nanoseconds.</summary>
    public long FirstTimeNs { get; }

    /// <summary>Time of the last packet seen, Unix nanoseconds.</summary>
    public long LastTimeNs { get; private set; }

    /// <summary>The capture interfaces (SLL2 index or pcapng id) the subflow's packets were seen on.</summary>
    public IReadOnlyCollection<int> Interfaces => _interfaces;

    /// <summary>Pending DSS mappings waiting for their data: [0] from the initiator, [1] from the responder.</summary>
    internal MappingAssembler?[] Mappings { get; } = new MappingAssembler?[2];

    internal void Saw(long frame, long timeNs, int interfaceIndex)
    {
        LastFrame = frame;
        if (timeNs > LastTimeNs)
        {
            LastTimeNs = timeNs;
        }

        // Most packets of a subflow cross the interface the previous one did: skip the set then.
        if (interfaceIndex >= 0 && interfaceIndex != _lastInterface)
        {
            _interfaces.Add(interfaceIndex);
            _lastInterface = interfaceIndex;
        }
    }

    private int _lastInterface = -1;

    /// <summary>True when a packet from <paramref name="source"/> travels from the initiator.</summary>
    internal bool FromInitiator(Endpoint source) => source == Initiator;
}
