using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Mptcp;

/// <summary>How a subflow came to be (RFC 8684 §3.1, §3.2).</summary>
public enum SubflowRole
{
    /// <summary>The first subflow, opened by this host with MP_CAPABLE.</summary>
    InitialActive,

    /// <summary>The first subflow, accepted by this host.</summary>
    InitialPassive,

    /// <summary>An additional subflow this host opened with MP_JOIN.</summary>
    JoinActive,

    /// <summary>An additional subflow the peer opened with MP_JOIN.</summary>
    JoinPassive,
}

/// <summary>Where a subflow stands at the MPTCP level.</summary>
public enum SubflowPhase
{
    /// <summary>The TCP handshake is under way.</summary>
    Handshake,

    /// <summary>A join whose third ACK (HMAC-A) is sent or awaited but not yet confirmed (RFC 8684 §3.2): no data yet.</summary>
    JoinPending,

    /// <summary>Usable for data.</summary>
    Established,

    /// <summary>Closed, reset or failed.</summary>
    Closed,
}

/// <summary>
/// One subflow of an MPTCP connection: a <see cref="TcpSubflow"/> plus what RFC 8684 adds to it
/// (its handshake options, its mappings in both directions, its address IDs and priority). It is
/// the TCP subflow's <see cref="ISubflowHooks"/>: it writes the MPTCP options of every segment and
/// reads those of every segment TCP accepts.
/// </summary>
public sealed class MptcpSubflow : ISubflowHooks
{
    private const int DssDataAndAckLength = 4 + 8 + 8 + 4 + 2;

    private readonly MptcpConnection _connection;
    private readonly SendMappings _sendMappings = new();
    private ReceiveMappings _receiveMappings;
    private uint _sendSsnNext = 1;
    private uint _receiveSsnNext = 1;
    private uint _joinTokenField;
    private bool _sendPrio;
    private (uint Ssn, DataSeqNum Dsn)? _infiniteMappingIn;
    private bool _sendInfiniteMapping;
    private uint _infiniteStartSsn;
    private bool _infiniteMappingBegun;
    private DataSeqNum _infiniteMappingDsn;

    internal MptcpSubflow(MptcpConnection connection, TcpSubflow tcp, FourTuple tuple, SubflowRole role, byte localAddressId, bool backup)
    {
        _connection = connection;
        Tcp = tcp;
        Tuple = tuple;
        Role = role;
        LocalAddressId = localAddressId;
        IsBackup = backup;
        _receiveMappings = new ReceiveMappings(false, connection.MappingCapacity);
        tcp.Hooks = this;
    }

    /// <summary>Gets the connection the subflow belongs to.</summary>
    public MptcpConnection Connection => _connection;

    /// <summary>Gets the TCP state machine underneath.</summary>
    public TcpSubflow Tcp { get; }

    /// <summary>Gets the subflow's addresses and ports.</summary>
    public FourTuple Tuple { get; }

    /// <summary>Gets how the subflow came to be.</summary>
    public SubflowRole Role { get; }

    /// <summary>Gets where the subflow stands.</summary>
    public SubflowPhase Phase { get; private set; }

    /// <summary>Gets this host's address ID for the subflow's local address (0 for the initial subflow).</summary>
    public byte LocalAddressId { get; }

    /// <summary>Gets the peer's address ID for the subflow's remote address (0 for the initial subflow).</summary>
    public byte RemoteAddressId { get; private set; }

    /// <summary>Gets the id the connection's path manager knows the subflow by (0 for the initial subflow).</summary>
    public int PathId { get; internal init; }

    /// <summary>Gets whether this host asked for the subflow to be a backup (B flag or MP_PRIO).</summary>
    public bool IsBackup { get; private set; }

    /// <summary>Gets whether the peer asked for the subflow to be a backup.</summary>
    public bool PeerBackup { get; private set; }

    /// <summary>Gets whether the retransmission timer backed off: the path is suspect, data goes elsewhere.</summary>
    public bool IsStale { get; internal set; }

    /// <summary>Gets the MP_TCPRST reason the subflow was reset with, by either side.</summary>
    public MpTcpRstReason? ResetReason { get; private set; }

    /// <summary>Gets the bytes of data carried (new and reinjected), for statistics.</summary>
    public long BytesScheduled { get; private set; }

    /// <summary>Gets whether the subflow can carry data now.</summary>
    public bool CanSend => Phase == SubflowPhase.Established && Tcp.State is TcpState.Established or TcpState.CloseWait;

    /// <inheritdoc/>
    /// <remarks>The DSS with a 64-bit Data ACK and mapping is 26 bytes, 28 with a checksum; both take 28 once padded.</remarks>
    public int DataOptionSpace => _connection.IsFallback ? 0 : (DssDataAndAckLength + (_connection.Checksums ? 2 : 0) + 3) & ~3;

    /// <inheritdoc/>
    public long ReceiveWindowLimit => _connection.ReceiveWindowFree;

    /// <summary>Gets the bytes this host handed to the subflow that TCP has not yet acknowledged.</summary>
    internal int Queued => (int)Tcp.SendUnacknowledged.DistanceTo(Tcp.InitialSendSequence + _sendSsnNext);

    /// <summary>Gets the payload one data segment carries.</summary>
    internal int PayloadMss => Math.Max(1, Tcp.EffectiveSendMss - DataOptionSpace);

    internal SendMappings SentMappings => _sendMappings;

    internal bool ReinjectedAfterFailure { get; set; }

    /// <summary>Gets the subflow's join nonces, token and data sequence offsets, as its connection's privacy mode set them.</summary>
    internal SubflowPrivacy PrivacyState { get; } = new();

    /// <summary>Asks for MP_PRIO to tell the peer this subflow's new priority.</summary>
    internal void SetBackup(bool backup)
    {
        if (IsBackup != backup)
        {
            IsBackup = backup;
            _sendPrio = true;
            Tcp.RequestAcknowledgment();
        }
    }

    internal void StartJoin(uint randomNonce) => _joinTokenField = _connection.Privacy.StartJoin(this, randomNonce).Token;

    internal void AcceptJoin(uint remoteNonce, byte remoteAddressId, bool peerBackup, uint localNonce)
    {
        Phase = SubflowPhase.JoinPending;
        PrivacyState.RemoteNonce = remoteNonce;
        RemoteAddressId = remoteAddressId;
        PeerBackup = peerBackup;
        PrivacyState.LocalNonce = localNonce;
    }

    internal void UseChecksums(bool checksums) => _receiveMappings = new ReceiveMappings(checksums, _connection.MappingCapacity);

    internal void MarkEstablished()
    {
        if (Phase is SubflowPhase.Handshake or SubflowPhase.JoinPending)
        {
            Phase = SubflowPhase.Established;
            _connection.OnSubflowEstablished(this);
        }
    }

    internal void MarkClosed()
    {
        // A passive join that closes before its HMAC verified gives its token back to its owner.
        _connection.Privacy.OnJoinAbandoned(this);
        Phase = SubflowPhase.Closed;
    }

    /// <summary>Resets the subflow with an MP_TCPRST carrying <paramref name="reason"/>.</summary>
    internal void Reset(MpTcpRstReason reason)
    {
        ResetReason ??= reason;
        Tcp.Abort();
    }

    /// <summary>
    /// Hands <paramref name="length"/> bytes of the connection's send buffer, <paramref name="offset"/>
    /// bytes after its head and data from <paramref name="dsn"/> on, to TCP with one mapping.
    /// </summary>
    internal void Push(DataSeqNum dsn, ByteRing sendBuffer, int offset, int length)
    {
        int accepted = Tcp.SendFrom(sendBuffer, offset, length);
        if (accepted != length)
        {
            throw new InvalidOperationException("the subflow's send buffer refused bytes the scheduler measured room for");
        }

        ushort? checksum = null;
        if (_connection.Checksums && !_connection.IsFallback)
        {
            // The checksum needs the bytes in one piece; only then are they copied out.
            Span<byte> bytes = _connection.Scratch[..length];
            sendBuffer.Peek(offset, bytes);
            checksum = DssChecksum.Compute(SubflowOffsets.ToWire(dsn.Value, PrivacyState.SendDsnOffset), _sendSsnNext, (ushort)length, bytes);
        }

        _sendMappings.Add(new SendMapping(_sendSsnNext, (ushort)length, dsn, checksum));
        _sendSsnNext += (uint)length;
        BytesScheduled += length;
    }

    /// <summary>Drops mappings TCP has acknowledged; returns the data sequence number just past the last of them, when any went.</summary>
    internal DataSeqNum? AcknowledgeMappings()
    {
        uint acked = Tcp.InitialSendSequence.DistanceTo(Tcp.SendUnacknowledged) is var d and > 0 ? (uint)d : 0;
        DataSeqNum? end = null;
        while (_sendMappings.Count > 0 && (int)(acked - _sendMappings[0].SsnEnd) >= 0)
        {
            // After an MP_FAIL only the data sent again counts: older mappings reach past the DSN it resumed from.
            if (!_infiniteMappingBegun || (int)(_sendMappings[0].Ssn - _infiniteStartSsn) >= 0)
            {
                end = _sendMappings[0].DsnEnd;
            }

            _sendMappings.AcknowledgeTo(_sendMappings[0].SsnEnd);
        }

        return end;
    }

    /// <summary>Switches the send side to the infinite mapping after an MP_FAIL (RFC 8684 §3.7).</summary>
    internal void BeginInfiniteMapping(DataSeqNum dsn)
    {
        // Bytes already handed to TCP keep their mappings (the peer needs them for what it has not
        // yet received); the data sent again from dsn follows them, under the infinite mapping.
        _sendInfiniteMapping = true;
        _infiniteMappingBegun = true;
        _infiniteStartSsn = _sendSsnNext;
        _infiniteMappingDsn = dsn;
    }

    /// <summary>Feeds an arriving segment to TCP and reacts to what it did.</summary>
    internal void OnSegment(TimeSpan now, in TcpHeader segment)
    {
        bool rst = (segment.Flags & TcpFlags.Rst) != 0;
        MpTcpRstReason? reason = null;
        ulong? fastCloseKey = null;
        if (rst)
        {
            foreach (MptcpOption parsed in new MptcpOptionReader(segment.ReadOptions()))
            {
                if (parsed.Subtype == MptcpSubtype.MpTcpRst)
                {
                    reason = (MpTcpRstReason)parsed.MpTcpRst.Reason;
                }
                else if (parsed.Subtype == MptcpSubtype.MpFastClose)
                {
                    fastCloseKey = parsed.MpFastClose.ReceiverKey;
                }
            }
        }

        // RFC 8684 §3.5: a reset carrying MP_FASTCLOSE with our key ends the connection. The key
        // authenticates it beyond RFC 5961's exact-sequence rule, so an in-window one counts even
        // when data is still in flight (Linux stamps it with its SND.NXT, past what has arrived);
        // answering it with a challenge ACK would lose the reason to the plain RST that follows.
        if (fastCloseKey is { } closeKey && closeKey == _connection.LocalKey.Key && Tcp.State is not (TcpState.Closed or TcpState.Listen or TcpState.SynSent)
            && new SeqNum32(segment.SequenceNumber).IsInWindow(Tcp.ReceiveNext, Math.Max(Tcp.ReceiveWindow, 1)))
        {
            ResetReason ??= reason;
            _connection.OnFastClose(now, closeKey);
            return;
        }

        TcpState before = Tcp.State;
        Tcp.OnSegment(now, segment);
        if (rst && before != TcpState.Closed && Tcp.State is TcpState.Closed or TcpState.Listen)
        {
            // TCP accepted the reset (RFC 5961: exact sequence number), so its options count too.
            // A bare reset of an established subflow, or one blaming a middlebox, is a sign of
            // meddling on its path (a peer closing a subflow says why with MP_TCPRST).
            if (Phase == SubflowPhase.Established && fastCloseKey is null && reason is null or MpTcpRstReason.MiddleboxInterference
                && _connection.State == MptcpConnectionState.Established)
            {
                _connection.Endpoint.Blame(now, this, reason is null ? "a reset without MP_TCPRST" : "a reset for middlebox interference");
            }

            ResetReason ??= reason;
            if (fastCloseKey is { } key)
            {
                _connection.OnFastClose(now, key);
            }
        }

        DrainReceived();
    }

    /// <summary>Moves the bytes TCP has in order to the connection through the mappings.</summary>
    internal void DrainReceived()
    {
        Span<byte> chunk = _connection.Scratch;
        while (Tcp.BytesAvailable > 0)
        {
            int n = Tcp.Receive(chunk);
            uint ssn = _receiveSsnNext;
            _receiveSsnNext += (uint)n;
            ReadOnlySpan<byte> data = chunk[..n];
            if (_connection.IsFallback && _infiniteMappingIn is null)
            {
                _connection.DeliverFallback(data);
                continue;
            }

            if (_infiniteMappingIn is { } infinite)
            {
                int before = (int)(infinite.Ssn - ssn);
                if (before <= 0)
                {
                    _connection.DeliverData(infinite.Dsn + (ulong)(ssn - infinite.Ssn), data);
                    continue;
                }

                if (before < n)
                {
                    _connection.DeliverData(infinite.Dsn, data[before..]);
                    data = data[..before];
                }
            }

            MappingOutcome outcome = _receiveMappings.OnData(ssn, data, _connection.DeliverMapped);
            if (outcome == MappingOutcome.Unmapped && _infiniteMappingIn is null)
            {
                _connection.OnUnmappedData(this);
                return;
            }

            if (outcome == MappingOutcome.ChecksumFailed)
            {
                _connection.OnChecksumFailure(this);
                return;
            }
        }
    }

    /// <inheritdoc/>
    public int LimitPayload(SeqNum32 sequence, int available)
    {
        uint ssn = (uint)Tcp.InitialSendSequence.DistanceTo(sequence);
        if (_sendInfiniteMapping)
        {
            // The infinite mapping starts a segment of its own: old bytes before it never share one with new.
            int before = (int)(_infiniteStartSsn - ssn);
            return before > 0 ? Math.Min(available, before) : available;
        }

        if (_connection.IsFallback)
        {
            return available;
        }

        return _sendMappings.TryFind(ssn, out SendMapping m) ? Math.Min(available, (int)(m.SsnEnd - ssn)) : available;
    }

    /// <inheritdoc/>
    public int WriteOptions(TimeSpan now, in OutgoingSegment segment, Span<byte> destination)
    {
        TcpFlags flags = segment.Flags;
        if ((flags & TcpFlags.Rst) != 0)
        {
            return WriteResetOptions(destination);
        }

        if ((flags & TcpFlags.Syn) != 0)
        {
            return WriteSynOptions((flags & TcpFlags.Ack) != 0, destination);
        }

        if (_connection.IsFallback)
        {
            return 0;
        }

        if (_sendInfiniteMapping && segment.PayloadLength > 0 && (uint)Tcp.InitialSendSequence.DistanceTo(segment.Sequence) == _infiniteStartSsn)
        {
            // RFC 8684 §3.7: a DSS with a data-level length of 0 on the first segment of the data
            // sent again from the MP_FAIL's DSN says "from this segment on, subflow bytes are data".
            _sendInfiniteMapping = false;
            var infinite = new DssOption
            {
                Flags = DssFlags.MappingPresent | DssFlags.DsnIs8Octets,
                DataSequenceNumber = SubflowOffsets.ToWire(_infiniteMappingDsn.Value, PrivacyState.SendDsnOffset),
                SubflowSequenceNumber = 0,
                DataLevelLength = 0,
                HasChecksum = _connection.Checksums,
            };
            _connection.FallBack(now, "MP_FAIL answered with the infinite mapping");
            return Fits(infinite.EncodedLength, destination) ? infinite.Encode(destination) : 0;
        }

        int written = 0;
        if (Role == SubflowRole.JoinActive && Phase == SubflowPhase.JoinPending && segment.PayloadLength == 0)
        {
            // RFC 8684 §3.2: the third ACK carries HMAC-A; repeated until the peer acknowledges it.
            Span<byte> hmac = stackalloc byte[JoinHmac.AckHmacLength];
            _connection.Privacy.AckHmac(this, hmac);
            written += MpJoinOption.Ack(Hmac160.FromSpan(hmac)).Encode(destination);
            return written;
        }

        if (Role == SubflowRole.InitialActive && !_connection.PeerConfirmedKeys)
        {
            // RFC 8684 §3.1: the third ACK echoes both keys; the first data segment carries them
            // with its data-level length instead of a DSS (the "fourth packet").
            if (segment.PayloadLength == 0)
            {
                // Signals need not wait for the peer's first DSS (as Linux): an idle peer would
                // otherwise never hear of an address we lost.
                written = MpCapableOption.Ack(_connection.CapableFlags, _connection.LocalKey.Key, _connection.RemoteKey).Encode(destination);
                return written + WriteSignal(now, destination[written..], wholeRoom: false);
            }

            uint ssn = (uint)Tcp.InitialSendSequence.DistanceTo(segment.Sequence);
            if (ssn == 1 && _sendMappings.TryFind(1, out SendMapping first))
            {
                return MpCapableOption.AckWithData(_connection.CapableFlags, _connection.LocalKey.Key, _connection.RemoteKey, first.Length, first.Checksum).Encode(destination);
            }
        }

        if (segment.PayloadLength == 0 && (_connection.DataFinToSend is null || _connection.SignalDue(now)))
        {
            // With a DATA_FIN outstanding, a due signal still goes first: the DATA_FIN's 26-byte
            // DSS would leave it no room on every pure ACK, and each would ask for the next.
            // A signal goes first on a pure ACK and the Data ACK only if room is left, as Linux
            // does: an ADD_ADDR with a port (18 bytes) or for IPv6 (28 or 30) does not fit beside
            // a 12-byte DSS and the timestamps, and the next segment repeats the Data ACK anyway.
            // The privacy mode's own options (the profile's key shares) go before both.
            written += _connection.Privacy.WriteControl(now, this, destination);
            written += WriteSignal(now, destination[written..], wholeRoom: written == 0);
            int dss = destination.Length - written >= DssAckOnlyLength ? WriteDss(segment, destination[written..]) : 0;
            written += dss;
            if (dss == 0 && _connection.DataFinToSend is not null)
            {
                // The DATA_FIN did not fit beside the signal: it goes on the next pure ACK.
                Tcp.RequestAcknowledgment();
            }
            else if (dss == 0 && _connection.CanSendDataAck)
            {
                // The Data ACK gave way: send it on another pure ACK right after, since a peer
                // waiting for its first DSS (the end of the MP_CAPABLE handshake) may get no data.
                Tcp.RequestAcknowledgment();
            }

            return written;
        }

        written += WriteDss(segment, destination);
        if (segment.PayloadLength == 0)
        {
            written += WriteSignal(now, destination[written..], wholeRoom: false);
        }

        return written;
    }

    /// <inheritdoc/>
    public bool OnSegmentAccepted(TimeSpan now, in TcpHeader segment)
    {
        TcpFlags flags = segment.Flags;
        bool syn = (flags & TcpFlags.Syn) != 0;
        if (syn && (flags & TcpFlags.Ack) == 0)
        {
            // The SYN of a passive open was read by the endpoint; a simultaneous open is not MPTCP.
            return true;
        }

        if (syn)
        {
            return OnSynAck(now, segment);
        }

        if (_connection.IsFallback)
        {
            return true;
        }

        _connection.Privacy.OnSegment(now, this, segment);
        bool sawDss = false;
        bool sawJoinAck = false;
        bool sawCapable = false;
        Span<byte> hmac = stackalloc byte[Hmac160.Length];
        foreach (MptcpOption parsed in new MptcpOptionReader(segment.ReadOptions()))
        {
            switch (parsed.Subtype)
            {
                case MptcpSubtype.MpCapable when Role == SubflowRole.InitialPassive:
                    sawCapable = true;
                    if (!_connection.OnCapableAck(now, this, parsed.MpCapable, segment.Payload.Length))
                    {
                        return false;
                    }

                    break;
                case MptcpSubtype.MpJoin when Role == SubflowRole.JoinPassive && Phase == SubflowPhase.JoinPending && parsed.MpJoin.Form == MpJoinForm.Ack:
                    parsed.MpJoin.Hmac.CopyTo(hmac);
                    if (!_connection.Privacy.IsAckHmacValid(this, hmac))
                    {
                        _connection.Counters.JoinHmacFailures++;
                        _connection.Endpoint.Blame(now, this, "a join whose HMAC failed");
                        _connection.Privacy.OnJoinAbandoned(this);
                        Reset(MpTcpRstReason.MptcpSpecific);
                        return false;
                    }

                    _connection.Privacy.OnJoinVerified(this);
                    sawJoinAck = true;
                    Tcp.RequestAcknowledgment();
                    MarkEstablished();
                    break;
                case MptcpSubtype.Dss:
                    sawDss = true;
                    if (!_connection.OnDss(now, this, parsed.Dss, segment))
                    {
                        return false;
                    }

                    break;
                case MptcpSubtype.AddAddr:
                    _connection.OnAddAddr(now, parsed.AddAddr);
                    break;
                case MptcpSubtype.RemoveAddr:
                    _connection.OnRemoveAddr(now, parsed.RemoveAddr);
                    break;
                case MptcpSubtype.MpPrio:
                    if (PeerBackup != parsed.MpPrio.Backup)
                    {
                        PeerBackup = parsed.MpPrio.Backup;
                        _connection.OnPriorityChanged(now, this);
                    }

                    break;
                case MptcpSubtype.MpFastClose:
                    _connection.OnFastClose(now, parsed.MpFastClose.ReceiverKey);
                    return false;
                case MptcpSubtype.MpFail:
                    _connection.OnMpFail(now, this, parsed.MpFail.DataSequenceNumber);
                    break;
            }
        }

        if (Role == SubflowRole.JoinPassive && Phase == SubflowPhase.JoinPending && !sawJoinAck)
        {
            // RFC 8684 §3.2: nothing is accepted on a join before its HMAC-A is checked.
            return segment.Payload.Length == 0;
        }

        if (Role == SubflowRole.JoinActive && Phase == SubflowPhase.JoinPending)
        {
            // The peer answered after our third ACK: it has checked HMAC-A. It found the connection
            // by our token and checked an HMAC over our key, so it holds the keys: the initial
            // subflow's MP_CAPABLE with data must stop before data goes on this subflow, as its
            // mapping is implicitly IDSN + 1 (RFC 8684 §3.1) and that DSN may now go here instead.
            _connection.PeerConfirmedKeys = true;
            MarkEstablished();
        }

        if (Role == SubflowRole.InitialActive && sawDss && !_connection.PeerConfirmedKeys)
        {
            _connection.PeerConfirmedKeys = true;
        }

        if (Role == SubflowRole.InitialPassive && Phase == SubflowPhase.Handshake && (sawCapable || _connection.HasRemoteKey))
        {
            MarkEstablished();
        }

        return true;
    }

    internal void OnInfiniteMappingReceived(uint ssn, DataSeqNum dsn) => _infiniteMappingIn = (ssn, dsn);

    internal bool AddReceiveMapping(DataSeqNum dsn, uint ssn, ushort length, ushort? checksum, bool dataFin = false)
    {
        _receiveMappings.ChecksumDsnOffset = PrivacyState.ReceiveDsnOffset;
        return _receiveMappings.AddMapping(dsn, ssn, length, checksum, dataFin);
    }

    internal void OnTcpEstablished()
    {
        if (Role == SubflowRole.JoinActive && Phase == SubflowPhase.Handshake)
        {
            Phase = SubflowPhase.JoinPending;
        }
        else if (Role == SubflowRole.InitialActive && Phase == SubflowPhase.Handshake)
        {
            MarkEstablished();
        }
    }

    /// <summary>Repeats the join's third ACK while the peer has not confirmed it (RFC 8684 §3.2).</summary>
    internal void OnJoinAckTimer()
    {
        if (Phase == SubflowPhase.JoinPending && Role == SubflowRole.JoinActive)
        {
            Tcp.RequestAcknowledgment();
        }
    }

    internal TimeSpan? JoinAckDeadline { get; set; }

    private static bool Fits(int length, Span<byte> destination) => length <= destination.Length;

    private bool OnSynAck(TimeSpan now, in TcpHeader segment)
    {
        MptcpOption? capable = null;
        MptcpOption? join = null;
        foreach (MptcpOption parsed in new MptcpOptionReader(segment.ReadOptions()))
        {
            if (parsed.Subtype == MptcpSubtype.MpCapable)
            {
                capable = parsed;
            }
            else if (parsed.Subtype == MptcpSubtype.MpJoin)
            {
                join = parsed;
            }
        }

        switch (Role)
        {
            case SubflowRole.InitialActive:
                if (_connection.IsFallback)
                {
                    return true;
                }

                if (capable is { } c && c.MpCapable.HasSenderKey && c.MpCapable.Version == 1)
                {
                    if (!_connection.Privacy.OnHandshakeOptions(now, segment, synAck: true))
                    {
                        // We required the profile and the peer answered without it: never on
                        // silently. The SYN/ACK is answered with a reset at once, and the
                        // connection never counts as established.
                        ResetReason ??= MpTcpRstReason.AdministrativelyProhibited;
                        Tcp.RefuseSynAck();
                        _connection.RefuseForPrivacy(now, "the peer did not accept the required privacy profile");
                        return false;
                    }

                    _connection.OnCapableSynAck(now, this, c.MpCapable);
                }
                else
                {
                    _connection.FallBack(now, "the SYN/ACK carried no MP_CAPABLE");
                }

                return true;
            case SubflowRole.JoinActive:
                if (join is not { } j || j.MpJoin.Form != MpJoinForm.SynAck)
                {
                    // RFC 8684 §3.2: a join answered without MP_JOIN is reset; the connection lives on.
                    _connection.Counters.JoinsRefusedByPath++;
                    ResetReason ??= MpTcpRstReason.MiddleboxInterference;
                    Tcp.RefuseSynAck();
                    return false;
                }

                if (!_connection.Privacy.IsSynAckHmacValid(this, j.MpJoin.TruncatedHmac, j.MpJoin.SenderNonce))
                {
                    _connection.Counters.JoinHmacFailures++;
                    _connection.Endpoint.Blame(now, this, "a SYN/ACK whose join HMAC failed");
                    ResetReason ??= MpTcpRstReason.MptcpSpecific;
                    Tcp.RefuseSynAck();
                    return false;
                }

                PrivacyState.RemoteNonce = j.MpJoin.SenderNonce;
                RemoteAddressId = j.MpJoin.AddressId;
                PeerBackup = j.MpJoin.Backup;
                return true;
            default:
                return true;
        }
    }

    private int WriteSynOptions(bool ack, Span<byte> destination)
    {
        if (_connection.IsFallback)
        {
            return 0;
        }

        switch (Role)
        {
            case SubflowRole.InitialActive when !ack:
                int syn = MpCapableOption.Syn(_connection.CapableFlags).Encode(destination);
                return syn + _connection.Privacy.WriteSynOptions(synAck: false, destination[syn..]);
            case SubflowRole.InitialPassive when ack:
                int synAck = MpCapableOption.SynAck(_connection.CapableFlags, _connection.LocalKey.Key).Encode(destination);
                return synAck + _connection.Privacy.WriteSynOptions(synAck: true, destination[synAck..]);
            case SubflowRole.JoinActive when !ack:
                return MpJoinOption.Syn(_joinTokenField, PrivacyState.LocalNonce, _connection.Privacy.WireAddressId(this), IsBackup).Encode(destination);
            case SubflowRole.JoinPassive when ack:
                ulong hmac = _connection.Privacy.SynAckHmac(this);
                return MpJoinOption.SynAck(hmac, PrivacyState.LocalNonce, _connection.Privacy.WireAddressId(this), IsBackup).Encode(destination);
            default:
                return 0;
        }
    }

    private int WriteResetOptions(Span<byte> destination)
    {
        int written = 0;
        if (_connection.IsFallback)
        {
            return 0;
        }

        if (ResetReason is { } reason && destination.Length >= MpTcpRstOption.Length)
        {
            written += new MpTcpRstOption(MpTcpRstFlags.None, (byte)reason).Encode(destination);
        }

        if (_connection.FastClosing && _connection.HasRemoteKey && destination.Length - written >= MpFastCloseOption.Length)
        {
            written += new MpFastCloseOption(_connection.RemoteKey).Encode(destination[written..]);
        }

        return written;
    }

    private int WriteDss(in OutgoingSegment segment, Span<byte> destination)
    {
        DssFlags flags = DssFlags.None;
        var dss = new DssOption { HasChecksum = false };
        if (_connection.CanSendDataAck)
        {
            flags |= DssFlags.DataAckPresent | DssFlags.DataAckIs8Octets;
            dss = dss with { DataAck = SubflowOffsets.ToWire(_connection.DataAckValue.Value, PrivacyState.ReceiveDsnOffset) };
        }

        if (segment.PayloadLength > 0)
        {
            uint ssn = (uint)Tcp.InitialSendSequence.DistanceTo(segment.Sequence);
            if (_sendMappings.TryFind(ssn, out SendMapping m))
            {
                flags |= DssFlags.MappingPresent | DssFlags.DsnIs8Octets;
                dss = dss with
                {
                    DataSequenceNumber = SubflowOffsets.ToWire(m.Dsn.Value, PrivacyState.SendDsnOffset),
                    SubflowSequenceNumber = m.Ssn,
                    DataLevelLength = m.Length,
                    HasChecksum = m.Checksum is not null,
                    Checksum = m.Checksum ?? 0,
                };
            }
        }
        else if (_connection.DataFinToSend is { } fin)
        {
            // RFC 8684 §3.3.3 and Linux: a DATA_FIN without data maps SSN 0, length 1.
            flags |= DssFlags.MappingPresent | DssFlags.DsnIs8Octets | DssFlags.DataFin;
            ulong wireFin = SubflowOffsets.ToWire(fin.Value, PrivacyState.SendDsnOffset);
            dss = dss with { DataSequenceNumber = wireFin, SubflowSequenceNumber = 0, DataLevelLength = 1, HasChecksum = _connection.Checksums };
            if (_connection.Checksums)
            {
                dss = dss with { Checksum = DssChecksum.Compute(wireFin, 0, 1, []) };
            }
        }

        if (flags == DssFlags.None)
        {
            return 0;
        }

        dss = dss with { Flags = flags };
        return Fits(dss.EncodedLength, destination) ? dss.Encode(destination) : 0;
    }

    // A DSS with only a 64-bit Data ACK: kind, length, subtype, flags, the ACK.
    private const int DssAckOnlyLength = 4 + 8;

    private int WriteSignal(TimeSpan now, Span<byte> destination, bool wholeRoom)
    {
        int written = 0;
        if (_sendPrio && destination.Length >= 3)
        {
            _sendPrio = false;
            written += new MpPrioOption { Backup = IsBackup }.Encode(destination);
        }

        written += _connection.WriteSignal(now, this, destination[written..], wholeRoom && written == 0);
        return written;
    }
}
