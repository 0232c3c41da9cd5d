using System.Buffers.Binary;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Scenarios.Attacks;

/// <summary>The attacker classes of "Is MPTCP less secure than TCP?" that try to join a connection.</summary>
public enum JoinAttackKind
{
    /// <summary>Off-path: injects with a spoofed address (the client's), sees nothing, guesses tokens.</summary>
    OffPath,

    /// <summary>Half-on-path: injects with its own address and receives the replies, sees no packet of the connection; given the right token (the worst case), it still needs the keys for the join's HMAC.</summary>
    HalfOnPath,

    /// <summary>On-path: captures the initial path (the keys of MP_CAPABLE in clear) and joins from its own address.</summary>
    OnPathHijack,
}

/// <summary>
/// A host on the simulated network that tries to add a subflow of its own to the connection
/// between the client and the server (the blog's active attackers). It speaks raw TCP: it sends
/// MP_JOIN SYNs, answers a SYN/ACK with the third ACK (with the HMAC it can compute, or a guess),
/// and acknowledges whatever data the server then sends it. What it achieved is in its counters.
/// </summary>
/// <remarks>
/// An on-path attacker observes the initial path's link (<see cref="ILinkObserver"/>) and learns
/// the two keys from the MP_CAPABLE exchange, from which RFC 8684 derives the server's token and
/// every join HMAC. Against the draft's mode it computes the draft's per-join token for its own
/// address from the same keys; against the privacy profile it has nothing that works, the tokens
/// and HMAC keys coming from a secret it never saw.
/// </remarks>
public sealed class JoinAttacker : INode, ILinkObserver
{
    private const int MaxAttempts = 1_000;
    private const long KeyPollNs = 1_000_000;
    private readonly JoinAttackKind _kind;
    private readonly IpAddressBytes _own;
    private readonly IpAddressBytes _server;
    private readonly ushort _serverPort;
    private readonly Random _random;
    private readonly int _attempts;
    private readonly long _startNs;
    private readonly Queue<byte[]> _outbox = new();
    private readonly Dictionary<ushort, Attempt> _open = [];
    private readonly Func<ulong, ulong, IpAddressBytes, uint>? _tokenFor;
    private readonly Func<uint?>? _realTokenSource;
    private readonly HashSet<ushort> _ports = [];
    private int _sent;
    private long _nextNs;

    /// <summary>Makes an attacker.</summary>
    /// <param name="name">Its node name.</param>
    /// <param name="kind">Its class.</param>
    /// <param name="ownAddress">The address it sends from (off-path: the spoofed client address).</param>
    /// <param name="server">The server's address and port (public: every attacker knows them).</param>
    /// <param name="serverPort">The server's port.</param>
    /// <param name="random">Its random source (tokens, nonces, ports).</param>
    /// <param name="attempts">How many joins it tries (at most 1,000).</param>
    /// <param name="startNs">When it starts, in simulated nanoseconds.</param>
    /// <param name="tokenFor">
    /// For the on-path attacker: the token it puts in its join from the keys it saw (key A, key B)
    /// and its own address; null for RFC 8684's token of key B. The lab passes the draft's
    /// per-join token when the connection runs the draft's mode, as an attacker who read the
    /// draft would.
    /// </param>
    /// <param name="realToken">For the half-on-path attacker: the right token, as if it had guessed it.</param>
    /// <param name="realTokenSource">
    /// For the half-on-path attacker, instead of <paramref name="realToken"/>: asked at each join for
    /// the right token (null while there is none yet), for a caller that learns it only once the
    /// connection exists (the lab reads it from the server's connection).
    /// </param>
    public JoinAttacker(string name, JoinAttackKind kind, IpAddressBytes ownAddress, IpAddressBytes server, ushort serverPort, Random random, int attempts, long startNs,
        Func<ulong, ulong, IpAddressBytes, uint>? tokenFor = null, uint? realToken = null, Func<uint?>? realTokenSource = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(attempts, MaxAttempts);
        Name = name;
        _kind = kind;
        _own = ownAddress;
        _server = server;
        _serverPort = serverPort;
        _random = random;
        _attempts = attempts;
        _startNs = startNs;
        _nextNs = startNs;
        _tokenFor = tokenFor;
        _realTokenSource = realTokenSource;
        RealToken = realToken;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets the keys the attacker saw in MP_CAPABLE (on-path only), as (key A, key B).</summary>
    public (ulong KeyA, ulong KeyB)? SeenKeys { get; private set; }

    /// <summary>Gets the right token given to a half-on-path attacker, if any.</summary>
    public uint? RealToken { get; }

    /// <summary>Gets the source ports of the joins sent, so that an instrument on the server's link can tell the replies to an off-path attacker (which go to the spoofed address, not to it).</summary>
    public IReadOnlyCollection<ushort> Ports => _ports;

    /// <summary>Gets the right tokens the half-on-path attacker used (given, or from its token source).</summary>
    public int RealTokensUsed { get; private set; }

    /// <summary>Gets the join SYNs sent.</summary>
    public int SynsSent { get; private set; }

    /// <summary>Gets the SYN/ACKs with MP_JOIN received (the server found a connection for the token).</summary>
    public int SynAcksReceived { get; private set; }

    /// <summary>Gets the resets received.</summary>
    public int ResetsReceived { get; private set; }

    /// <summary>Gets the joins the server accepted: it acknowledged the third ACK or sent data on the subflow.</summary>
    public int JoinsAccepted { get; private set; }

    /// <summary>Gets the bytes of the connection's data the server sent to the attacker's subflows.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Gets whether the attack got a subflow into the connection.</summary>
    public bool Succeeded => JoinsAccepted > 0;

    /// <inheritdoc/>
    public void OnDelivered(long now, Link link, LinkDirection direction, ReadOnlySpan<byte> packet) => Observe(now, packet);

    /// <summary>
    /// Sees one IP packet that crossed the path the attacker watches (a simulated link, or a live
    /// capture of a real interface); the on-path attacker learns the keys of MP_CAPABLE from it.
    /// </summary>
    public void Observe(long now, ReadOnlySpan<byte> packet)
    {
        if (_kind == JoinAttackKind.OnPathHijack && SeenKeys is null && TryReadKeys(packet, out (ulong KeyA, ulong KeyB) keys))
        {
            SeenKeys = keys;
        }
    }

    /// <summary>
    /// Reads the two keys an MP_CAPABLE option carries in clear in <paramref name="packet"/> (an IP
    /// packet), as (the sender's key, the receiver's key); false when it carries no MP_CAPABLE with both.
    /// </summary>
    public static bool TryReadKeys(ReadOnlySpan<byte> packet, out (ulong KeyA, ulong KeyB) keys)
    {
        keys = default;
        if (!IpPacket.TryParse(packet, out IpPacket ip, out _) || ip.Protocol != IpProtocol.Tcp
            || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _))
        {
            return false;
        }

        foreach (MptcpOption option in new MptcpOptionReader(tcp.ReadOptions()))
        {
            // RFC 8684 §3.1: the third ACK (and the first data) echo both keys in clear.
            if (option.Subtype == MptcpSubtype.MpCapable && option.MpCapable.HasReceiverKey)
            {
                keys = (option.MpCapable.SenderKey, option.MpCapable.ReceiverKey);
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket)
    {
        if (!IpPacket.TryParse(ipPacket, out IpPacket ip, out _) || ip.Protocol != IpProtocol.Tcp
            || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _) || !_open.TryGetValue(tcp.DestinationPort, out Attempt? attempt))
        {
            return;
        }

        TcpFlags flags = tcp.Flags;
        if ((flags & TcpFlags.Rst) != 0)
        {
            ResetsReceived++;
            _open.Remove(tcp.DestinationPort);
            return;
        }

        if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) == (TcpFlags.Syn | TcpFlags.Ack))
        {
            foreach (MptcpOption option in new MptcpOptionReader(tcp.ReadOptions()))
            {
                if (option.Subtype == MptcpSubtype.MpJoin && option.MpJoin.Form == MpJoinForm.SynAck && !attempt.SynAckSeen)
                {
                    SynAcksReceived++;
                    attempt.SynAckSeen = true;
                    attempt.ReceiveNext = unchecked(tcp.SequenceNumber + 1);
                    SendThirdAck(attempt, option.MpJoin.SenderNonce);
                }
            }

            return;
        }

        // Anything else from the server on this subflow after our third ACK: it took the join.
        if (attempt.ThirdAckSent && !attempt.Accepted)
        {
            attempt.Accepted = true;
            JoinsAccepted++;
        }

        int payload = tcp.Payload.Length;
        if (payload > 0 && tcp.SequenceNumber == attempt.ReceiveNext)
        {
            BytesReceived += payload;
            attempt.ReceiveNext = unchecked(attempt.ReceiveNext + (uint)payload);
            Send(attempt, TcpFlags.Ack, []);
        }
    }

    /// <inheritdoc/>
    public bool PollTransmit(long now, out OutgoingPacket packet)
    {
        while (_sent < _attempts && now >= _nextNs && (_kind != JoinAttackKind.OnPathHijack || SeenKeys is not null))
        {
            _sent++;
            _nextNs = now + 10_000_000;
            StartJoin();
        }

        if (_outbox.TryDequeue(out byte[]? data))
        {
            packet = new OutgoingPacket(0, data);
            return true;
        }

        packet = default;
        return false;
    }

    /// <inheritdoc/>
    public long NextDeadline(long now) => _outbox.Count > 0 ? now
        : _sent >= _attempts ? long.MaxValue
        // The on-path attacker learns the keys from a link, not from a packet to it, so nothing
        // wakes it when they arrive: it looks again every millisecond (it used to ask for "now"
        // while it waited, a deadline that never passed).
        : _kind == JoinAttackKind.OnPathHijack && SeenKeys is null ? Math.Max(_nextNs, now + KeyPollNs)
        : Math.Max(_nextNs, now);

    private void StartJoin()
    {
        uint token;
        switch (_kind)
        {
            case JoinAttackKind.OnPathHijack when SeenKeys is { } keys:
                token = _tokenFor?.Invoke(keys.KeyA, keys.KeyB, _own) ?? MptcpKeys.Token(keys.KeyB, MptcpVersion.V1);
                break;
            case JoinAttackKind.HalfOnPath when (RealToken ?? _realTokenSource?.Invoke()) is { } real:
                token = real;
                RealTokensUsed++;
                break;
            default:
                token = (uint)_random.NextInt64(0, 1L << 32);
                break;
        }

        var attempt = new Attempt((ushort)_random.Next(32768, 61000), (uint)_random.NextInt64(0, 1L << 32), (uint)_random.NextInt64(0, 1L << 32));
        _open[attempt.Port] = attempt;
        _ports.Add(attempt.Port);
        SynsSent++;
        Span<byte> option = stackalloc byte[16];
        int length = MpJoinOption.Syn(token, attempt.Nonce, addressId: 9, backup: false).Encode(option);
        Send(attempt, TcpFlags.Syn, option[..length]);
    }

    private void SendThirdAck(Attempt attempt, uint serverNonce)
    {
        Span<byte> hmac = stackalloc byte[JoinHmac.AckHmacLength];
        if (_kind == JoinAttackKind.OnPathHijack && SeenKeys is { } keys)
        {
            // RFC 8684 §3.2: HMAC-A = HMAC(Key-A ‖ Key-B, R-A ‖ R-B), all of it known from the wire.
            JoinHmac.AckHmac(keys.KeyA, keys.KeyB, attempt.Nonce, serverNonce, MptcpVersion.V1, hmac);
        }
        else
        {
            // Without the keys: a guess.
            _random.NextBytes(hmac);
        }

        Span<byte> option = stackalloc byte[24];
        int length = MpJoinOption.Ack(Hmac160.FromSpan(hmac)).Encode(option);
        attempt.ThirdAckSent = true;
        Send(attempt, TcpFlags.Ack, option[..length]);
    }

    private void Send(Attempt attempt, TcpFlags flags, ReadOnlySpan<byte> options)
    {
        var fields = new TcpHeaderFields
        {
            SourcePort = attempt.Port,
            DestinationPort = _serverPort,
            SequenceNumber = (flags & TcpFlags.Syn) != 0 ? attempt.Isn : unchecked(attempt.Isn + 1),
            AcknowledgmentNumber = (flags & TcpFlags.Ack) != 0 ? attempt.ReceiveNext : 0,
            Flags = flags,
            Window = 65535,
        };
        Span<byte> segment = stackalloc byte[TcpHeader.MinimumLength + 40];
        int length = fields.Encode(segment, options);
        Span<byte> source = stackalloc byte[16], destination = stackalloc byte[16];
        int sourceLength = _own.CopyTo(source), destinationLength = _server.CopyTo(destination);
        TcpChecksum.Write(source[..sourceLength], destination[..destinationLength], segment[..length]);
        _outbox.Enqueue(IpPacketBuilder.Build(_own, _server, IpProtocol.Tcp, segment[..length]));
    }

    private sealed class Attempt(ushort port, uint isn, uint nonce)
    {
        public ushort Port { get; } = port;

        public uint Isn { get; } = isn;

        public uint Nonce { get; } = nonce;

        public uint ReceiveNext { get; set; }

        public bool SynAckSeen { get; set; }

        public bool ThirdAckSent { get; set; }

        public bool Accepted { get; set; }
    }
}
