using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Audit.Connections;

/// <summary>
/// One MPTCP connection as rebuilt from a capture: the keys MP_CAPABLE showed, the tokens and
/// IDSNs they give, and the subflows grouped under it. "Client" is the side that sent the first
/// SYN with MP_CAPABLE; "server" the side that answered it.
/// </summary>
public sealed class Connection
{
    private readonly List<Subflow> _subflows = [];

    internal Connection(int id, MptcpVersion version)
    {
        Id = id;
        Version = version;
    }

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

    /// <summary>The subflows, in order of first appearance; the first is the initial one when its SYN was captured.</summary>
    public IReadOnlyList<Subflow> Subflows => _subflows;

    /// <summary>The highest 64-bit DSN seen from each side, to widen 32-bit DSNs: [0] client, [1] server.</summary>
    internal ulong?[] LastDsn { get; } = new ulong?[2];

    internal void Add(Subflow subflow) => _subflows.Add(subflow);

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
