using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>
/// One TCP connection as a sans-I/O state machine (RFC 9293 §3.10): feed it arriving segments with
/// <see cref="OnSegment"/>, expired deadlines with <see cref="OnTimer"/>, and drain what it wants to
/// send with <see cref="PollTransmit"/>; it never reads a clock.
/// </summary>
/// <remarks>
/// <para>
/// Segments go in and out without the IP layer: the caller checks the checksum of arriving segments
/// and fills the Checksum of outgoing ones (<see cref="MptcpPrivacy.Wire.Checksums.TcpChecksum.Write"/>),
/// because only it knows the addresses. An <see cref="ISubflowHooks"/> lets MPTCP add options, bound
/// payloads, vet accepted segments and cap the receive window.
/// </para>
/// <para>
/// Implemented: RFC 9293 states with RFC 5961 checks; MSS, Window Scale and Timestamps with PAWS
/// (RFC 7323); RFC 6298 RTO with Karn; congestion control behind <see cref="ICongestionControl"/>
/// (NewReno, RFC 5681/6582, without SACK); an out-of-order queue held in the receive buffer's free
/// room; SACK blocks (RFC 2018) and RFC 6675 loss recovery when both sides permit SACK; delayed ACKs
/// (RFC 1122 §4.2.3.2); keep-alives (RFC 1122 §4.2.3.6) and a local user timeout (RFC 9293 §3.8.5).
/// </para>
/// <para>
/// Not implemented: D-SACK (RFC 2883), limited transmit (RFC 3042), RACK-TLP (RFC 8985), PRR
/// (RFC 6937), Nagle and receiver SWS avoidance beyond the window-update rule, urgent data, data on
/// SYN (TFO), the UTO option on the wire (RFC 5482), ECN, path MTU discovery, the RFC 7323 §3.2 drop
/// of segments lacking Timestamps once agreed (Linux accepts them too).
/// </para>
/// </remarks>
public sealed partial class TcpSubflow
{
    // RFC 7323 §3.2 with NOP padding: every segment after the SYN carries 12 bytes of Timestamps.
    private const int TimestampsOverhead = 12;

    // RFC 9293 §3.7.1: without an MSS option the sender assumes 536.
    private const ushort DefaultSendMss = 536;

    // RFC 9293 §3.1: the options area is at most 40 bytes.
    private const int MaximumOptionsLength = 40;

    // Disjoint out-of-order ranges held at once; a segment that would need one more is dropped and
    // retransmitted later, so a peer cannot make the receiver track unbounded fragments.
    private const int OutOfOrderRanges = 32;

    // RFC 7323 §5.5: a TS.Recent older than 24 days is no longer valid for PAWS.
    private static readonly TimeSpan PawsIdleLimit = TimeSpan.FromDays(24);

    private readonly TcpSubflowOptions _options;
    private readonly Random _random;
    private readonly ICongestionControl _congestion;
    private readonly ByteRing _sendBuffer;
    private readonly ByteRing _receiveBuffer;
    private readonly SequenceRanges _outOfOrder = new(OutOfOrderRanges);
    private readonly SackScoreboard _scoreboard = new();
    private readonly int _ourShift;
    private ISubflowHooks? _hooks;
    private bool _used;

    // Send sequence variables (RFC 9293 §3.3.1), plus SND.MAX (the highest sent, as in BSD) so that
    // a retransmission timeout can rewind SND.NXT to SND.UNA.
    private SeqNum32 _iss;
    private SeqNum32 _sndUna;
    private SeqNum32 _sndNxt;
    private SeqNum32 _sndMax;
    private uint _sndWnd;
    private uint _maxSndWnd;
    private SeqNum32 _sndWl1;
    private SeqNum32 _sndWl2;
    private SeqNum32 _sendBufferSeq;
    private int _sndShift;

    // Receive sequence variables, plus the right edge of the window last advertised (never moved
    // left: RFC 9293 §3.8.6.2.2) and a FIN that arrived before the data in front of it.
    private SeqNum32 _irs;
    private SeqNum32 _rcvNxt;
    private SeqNum32 _rcvAdvertisedEdge;
    private int _rcvShift;
    private bool _windowScaleAgreed;
    private SeqNum32 _lastAckSent;
    private SeqNum32? _outOfOrderFin;

    // The largest segment seen from the peer (Linux's rcv_mss): a delayed ACK waits for at most one.
    private int _rcvMss;

    private int _sendMss = DefaultSendMss;
    private bool _timestamps;
    private bool _sackPermitted;
    private uint _tsRecent;
    private TimeSpan _tsRecentTime;
    private uint _tsOffset;
    private bool _passiveOpen;
    private bool _closeRequested;
    private SeqNum32 _finSeq;
    private bool _ackPending;
    private bool _pureAckRequested;
    private bool _forceProbe;
    private bool _fastRetransmitPending;
    private int _duplicateAcks;
    private int _retransmissions;
    private bool _resetPending;
    private SeqNum32 _resetSeq;

    private bool _rttTiming;
    private SeqNum32 _rttSeq;
    private TimeSpan _rttStart;

    private TimeSpan? _retransmitDeadline;
    private TimeSpan? _timeWaitDeadline;
    private TimeSpan? _delayedAckDeadline;
    private TimeSpan? _userTimeoutDeadline;
    private TimeSpan _lastReceived;
    private int _keepAliveProbesSent;
    private bool _keepAliveProbePending;
    private PendingReply? _reply;

    /// <summary>Creates a connection in CLOSED that draws its ISN and timestamp offset from <paramref name="random"/>.</summary>
    /// <param name="options">The local choices.</param>
    /// <param name="random">The source of the ISN and the timestamp offset.</param>
    /// <param name="congestionControl">The congestion controller; NewReno when null.</param>
    /// <param name="hooks">The layer above (MPTCP) that takes part in every segment, or null for plain TCP.</param>
    public TcpSubflow(TcpSubflowOptions options, Random random, ICongestionControl? congestionControl = null, ISubflowHooks? hooks = null)
    {
        _options = options;
        _random = random;
        _congestion = congestionControl ?? new NewReno();
        _hooks = hooks;
        _sendBuffer = new ByteRing(options.SendBufferSize);
        _receiveBuffer = new ByteRing(options.ReceiveBufferSize);
        RetransmissionTimeout = new RetransmissionTimeout(options);
        RemotePort = options.RemotePort;
        while (_ourShift < WindowScaleOption.MaximumShift && (options.ReceiveBufferSize >> _ourShift) > ushort.MaxValue)
        {
            _ourShift++;
        }
    }

    /// <summary>Gets or sets the layer above that takes part in every segment (RFC 8684 §3); set it before the first segment goes in or out.</summary>
    /// <exception cref="InvalidOperationException">Set after a segment was sent or received.</exception>
    public ISubflowHooks? Hooks
    {
        get => _hooks;
        set
        {
            if (_used)
            {
                throw new InvalidOperationException("The hooks are fixed once a segment has been sent or received.");
            }

            _hooks = value;
        }
    }

    /// <summary>Gets the segments dropped as old duplicates by PAWS (RFC 7323 §5).</summary>
    public long SegmentsDroppedByPaws { get; private set; }

    /// <summary>Gets the ACKs refused as acknowledging data never sent or too old (RFC 5961 §5.2).</summary>
    public long AcksOutOfWindow { get; private set; }

    /// <summary>Gets the current state.</summary>
    public TcpState State { get; private set; }

    /// <summary>Gets why the connection closed, once it has.</summary>
    public TcpCloseReason CloseReason { get; private set; }

    /// <summary>Gets the remote port: from the options, or from the SYN after a passive open.</summary>
    public ushort RemotePort { get; private set; }

    /// <summary>Gets the RFC 6298 estimator.</summary>
    public RetransmissionTimeout RetransmissionTimeout { get; }

    /// <summary>Gets the congestion controller.</summary>
    public ICongestionControl CongestionControl => _congestion;

    /// <summary>Gets ISS, our initial sequence number (meaningful once <see cref="Connect"/> or a SYN in LISTEN chose it).</summary>
    public SeqNum32 InitialSendSequence => _iss;

    /// <summary>Gets IRS, the peer's initial sequence number (meaningful once its SYN arrived).</summary>
    public SeqNum32 InitialReceiveSequence => _irs;

    /// <summary>Gets SND.UNA, the oldest unacknowledged sequence number.</summary>
    public SeqNum32 SendUnacknowledged => _sndUna;

    /// <summary>Gets SND.NXT, the next sequence number to send.</summary>
    public SeqNum32 SendNext => _sndNxt;

    /// <summary>Gets SND.WND, the peer's window in bytes, scaled.</summary>
    public uint SendWindow => _sndWnd;

    /// <summary>Gets the sequence space sent and not yet acknowledged (SND.MAX - SND.UNA), SYN and FIN included.</summary>
    public int BytesInFlight => (int)_sndUna.DistanceTo(_sndMax);

    /// <summary>Gets the bytes in the send buffer never sent yet (after SND.MAX).</summary>
    public int UnsentBytes
    {
        get
        {
            int offset = _sndMax <= _sendBufferSeq ? 0 : (int)_sendBufferSeq.DistanceTo(_sndMax);
            return Math.Max(0, _sendBuffer.Count - offset);
        }
    }

    /// <summary>Gets RCV.NXT, the next sequence number expected.</summary>
    public SeqNum32 ReceiveNext => _rcvNxt;

    /// <summary>
    /// Gets RCV.WND, the window this side offers now: the free room of the receive buffer, capped by
    /// <see cref="ISubflowHooks.ReceiveWindowLimit"/>, but never short of an edge already advertised.
    /// </summary>
    public uint ReceiveWindow
    {
        get
        {
            long free = _receiveBuffer.Free;
            long window = Math.Min(free, Math.Max(0, _hooks?.ReceiveWindowLimit ?? long.MaxValue));
            int promised = _rcvAdvertisedEdge - _rcvNxt;
            return (uint)Math.Max(window, Math.Min(promised, free));
        }
    }

    /// <summary>Gets the largest payload this side puts in one segment (SND.MSS less the Timestamps option).</summary>
    public int EffectiveSendMss => _sendMss - (_timestamps ? TimestampsOverhead : 0);

    /// <summary>Gets the shift applied to the peer's windows (0 without window scaling).</summary>
    public int SendWindowShift => _sndShift;

    /// <summary>Gets the shift applied to the windows we advertise (0 without window scaling).</summary>
    public int ReceiveWindowShift => _rcvShift;

    /// <summary>Gets whether both sides agreed on Timestamps.</summary>
    public bool TimestampsEnabled => _timestamps;

    /// <summary>Gets whether both sides permitted SACK (RFC 2018 §2).</summary>
    public bool SackEnabled => _sackPermitted;

    /// <summary>Gets the number of bytes ready for <see cref="Receive"/>.</summary>
    public int BytesAvailable => _receiveBuffer.Count;

    /// <summary>Gets the room left in the send buffer.</summary>
    public int SendBufferFree => _sendBuffer.Free;

    /// <summary>Gets whether the peer's FIN has been received: no more bytes will arrive after those buffered.</summary>
    public bool ReceivedFin { get; private set; }

    private bool IsSynchronized => State is not (TcpState.Closed or TcpState.Listen or TcpState.SynSent);

    private SeqNum32 SendBufferEnd => _sendBufferSeq + _sendBuffer.Count;

    private int FlightSize => (int)_sndUna.DistanceTo(_sndMax);

    /// <summary>Starts an active open (RFC 9293 §3.10.1): the SYN goes out on the next <see cref="PollTransmit"/>.</summary>
    /// <exception cref="InvalidOperationException">The connection is not CLOSED.</exception>
    public void Connect(TimeSpan now)
    {
        RequireState(TcpState.Closed);
        ChooseIss();
        State = TcpState.SynSent;
        _lastReceived = now;
    }

    /// <summary>Starts a passive open: wait in LISTEN for one SYN (RFC 9293 §3.10.1).</summary>
    /// <exception cref="InvalidOperationException">The connection is not CLOSED.</exception>
    public void Listen()
    {
        RequireState(TcpState.Closed);
        State = TcpState.Listen;
    }

    /// <summary>Queues bytes to send and returns how many fit in the send buffer (RFC 9293 §3.10.2).</summary>
    /// <exception cref="InvalidOperationException">The connection is closed or closing on our side.</exception>
    public int Send(ReadOnlySpan<byte> data)
    {
        RequireOpenForSending();
        return _sendBuffer.Write(data);
    }

    /// <summary>Queues <paramref name="count"/> bytes of <paramref name="source"/> from <paramref name="offset"/> bytes after its head, copied ring to ring; returns how many fit.</summary>
    /// <exception cref="InvalidOperationException">The connection is closed or closing on our side.</exception>
    internal int SendFrom(ByteRing source, int offset, int count)
    {
        RequireOpenForSending();
        return _sendBuffer.WriteFrom(source, offset, count);
    }

    /// <summary>Moves received bytes into <paramref name="destination"/> and returns how many (RFC 9293 §3.10.3); 0 with <see cref="ReceivedFin"/> means end of stream.</summary>
    public int Receive(Span<byte> destination)
    {
        int n = _receiveBuffer.Read(destination);

        // RFC 9293 §3.8.6.2.2: announce a reopened window once the right edge can move by
        // min(buffer/2, MSS) beyond what the peer was last told.
        long stillOpen = Math.Max(0, _rcvAdvertisedEdge - _rcvNxt);
        if (n > 0 && IsSynchronized && ReceiveWindow - stillOpen >= Math.Min(_receiveBuffer.Capacity / 2, EffectiveSendMss))
        {
            _ackPending = true;
        }

        return n;
    }

    /// <summary>Closes our direction (RFC 9293 §3.10.4): a FIN follows the queued data.</summary>
    public void Close()
    {
        switch (State)
        {
            case TcpState.Closed:
            case TcpState.Listen:
            case TcpState.SynSent:
                EnterClosed(TcpCloseReason.Normal);
                return;
            case TcpState.SynReceived:
            case TcpState.Established:
            case TcpState.CloseWait:
                if (!_closeRequested)
                {
                    _closeRequested = true;
                    _finSeq = SendBufferEnd;
                    State = State switch
                    {
                        TcpState.Established => TcpState.FinWait1,
                        TcpState.CloseWait => TcpState.LastAck,
                        _ => State, // SYN-RECEIVED moves to FIN-WAIT-1 once established.
                    };
                }

                return;
            default:
                return;
        }
    }

    /// <summary>Aborts the connection (RFC 9293 §3.10.5): a RST goes out, with the hook's options, if the connection was synchronized.</summary>
    public void Abort() => CloseWithReset(TcpCloseReason.Aborted);

    /// <summary>
    /// Refuses a SYN,ACK the layer above rejected while in SYN-SENT (RFC 8684 §3.2: a join answered
    /// without a valid MP_JOIN): a RST with the hook's options goes out at SND.NXT, which the SYN,ACK
    /// acknowledged, so the peer's half-open connection goes away; then CLOSED.
    /// </summary>
    public void RefuseSynAck()
    {
        if (State == TcpState.SynSent)
        {
            _resetPending = true;
            _resetSeq = _sndNxt;
        }

        EnterClosed(TcpCloseReason.Aborted);
    }

    /// <summary>
    /// Asks for a segment without data on the next poll, ahead of any data: the layer above has
    /// options that need the room (ADD_ADDR, MP_PRIO, a join's third ACK, a DATA_FIN), as Linux's
    /// MPTCP sends a pure ACK for them.
    /// </summary>
    public void RequestAcknowledgment()
    {
        if (State is not (TcpState.Closed or TcpState.Listen or TcpState.SynSent or TcpState.TimeWait))
        {
            _ackPending = true;
            _pureAckRequested = true;
        }
    }

    /// <summary>Processes a segment that arrived at <paramref name="now"/> (RFC 9293 §3.10.7); its checksum must already be verified.</summary>
    public void OnSegment(TimeSpan now, in TcpHeader segment)
    {
        _used = true;
        switch (State)
        {
            case TcpState.Closed:
                ReplyReset(segment);
                return;
            case TcpState.Listen:
                OnSegmentInListen(now, segment);
                return;
            case TcpState.SynSent:
                OnSegmentInSynSent(now, segment);
                return;
            default:
                OnSegmentSynchronized(now, segment, ReceivedOptions.Read(segment));
                UpdatePersistTimer(now);
                return;
        }
    }

    private void OnSegmentInListen(TimeSpan now, in TcpHeader segment)
    {
        TcpFlags flags = segment.Flags;
        if ((flags & TcpFlags.Rst) != 0)
        {
            return;
        }

        if ((flags & TcpFlags.Ack) != 0)
        {
            ReplyReset(segment);
            return;
        }

        if ((flags & TcpFlags.Syn) == 0 || !HookAccepts(now, segment))
        {
            return;
        }

        RemotePort = segment.SourcePort;
        _passiveOpen = true;
        ChooseIss();
        AcceptSyn(now, segment);
        State = TcpState.SynReceived;
    }

    private void OnSegmentInSynSent(TimeSpan now, in TcpHeader segment)
    {
        TcpFlags flags = segment.Flags;
        bool hasAck = (flags & TcpFlags.Ack) != 0;
        SeqNum32 ack = new(segment.AcknowledgmentNumber);
        if (hasAck && (ack <= _iss || ack > _sndMax))
        {
            ReplyReset(segment);
            return;
        }

        if ((flags & TcpFlags.Rst) != 0)
        {
            if (hasAck)
            {
                EnterClosed(TcpCloseReason.Refused);
            }

            return;
        }

        if ((flags & TcpFlags.Syn) == 0 || !HookAccepts(now, segment))
        {
            return;
        }

        AcceptSyn(now, segment);
        if (hasAck)
        {
            AdvanceUnacknowledged(now, ack, ReceivedOptions.Read(segment));
            EnterEstablished();
            _ackPending = true;
        }
        else
        {
            // Simultaneous open (RFC 9293 §3.5 Figure 8): answer with SYN,ACK from the ISS again.
            State = TcpState.SynReceived;
            _sndNxt = _iss;
        }
    }

    private void AcceptSyn(TimeSpan now, in TcpHeader segment)
    {
        ReceivedOptions options = ReceivedOptions.Read(segment);
        _irs = new SeqNum32(segment.SequenceNumber);
        _rcvNxt = _irs + 1;
        _rcvAdvertisedEdge = _rcvNxt;
        _lastAckSent = _irs;
        _sendMss = Math.Min(options.MaximumSegmentSize ?? DefaultSendMss, _options.MaximumSegmentSize);
        _rcvMss = Math.Min(DefaultSendMss, (int)_options.MaximumSegmentSize);
        _windowScaleAgreed = _options.UseWindowScaling && options.WindowShift is not null;
        _sndShift = _windowScaleAgreed ? options.WindowShift!.Value : 0;
        _rcvShift = _windowScaleAgreed ? _ourShift : 0;
        _timestamps = _options.UseTimestamps && options.Timestamps is not null;
        _sackPermitted = _options.UseSack && options.SackPermitted;
        _tsRecent = options.Timestamps?.Value ?? 0;
        _tsRecentTime = now;
        _sndWnd = segment.Window;
        _maxSndWnd = _sndWnd;
        _sndWl1 = _irs;
        _sndWl2 = new SeqNum32(segment.AcknowledgmentNumber);
        _lastReceived = now;
        _congestion.Initialize(MaxPayload);
    }

    private void OnSegmentSynchronized(TimeSpan now, in TcpHeader segment, in ReceivedOptions options)
    {
        TcpFlags flags = segment.Flags;
        bool syn = (flags & TcpFlags.Syn) != 0;
        bool fin = (flags & TcpFlags.Fin) != 0;
        bool rst = (flags & TcpFlags.Rst) != 0;
        SeqNum32 seq = new(segment.SequenceNumber);
        SeqNum32 ack = new(segment.AcknowledgmentNumber);
        ReadOnlySpan<byte> payload = segment.Payload;

        // A SYN,ACK or SYN retransmitted by the peer while we wait for its ACK (simultaneous open).
        if (State == TcpState.SynReceived && syn && !rst && seq == _irs)
        {
            if ((flags & TcpFlags.Ack) != 0 && ack > _sndUna && ack <= _sndMax)
            {
                if (!HookAccepts(now, segment))
                {
                    return;
                }

                AdvanceUnacknowledged(now, ack, options);
                EnterEstablished();
                _ackPending = true;
            }
            else
            {
                _sndNxt = _iss;
            }

            return;
        }

        // RFC 7323 §5.3 R1 (PAWS): a segment stamped before TS.Recent is an old duplicate.
        if (!rst && _timestamps && options.Timestamps is { } stamp && TsRecentIsValid(now) && IsBefore(stamp.Value, _tsRecent))
        {
            SegmentsDroppedByPaws++;
            _ackPending = true;
            return;
        }

        // Step 1 (RFC 9293 §3.10.7.4): sequence number check.
        uint rcvWnd = ReceiveWindow;
        int segLen = payload.Length + (syn ? 1 : 0) + (fin ? 1 : 0);
        bool acceptable = segLen == 0
            ? (rcvWnd == 0 ? seq == _rcvNxt : seq.IsInWindow(_rcvNxt, rcvWnd))
            : rcvWnd != 0 && (seq.IsInWindow(_rcvNxt, rcvWnd) || (seq + (segLen - 1)).IsInWindow(_rcvNxt, rcvWnd));
        if (!acceptable && rcvWnd == 0 && seq == _rcvNxt)
        {
            // A zero window still takes ACKs and RSTs; the text is dropped below.
            acceptable = true;
        }

        if (!acceptable)
        {
            if (!rst)
            {
                _ackPending = true;
                if (State == TcpState.TimeWait && fin)
                {
                    _timeWaitDeadline = now + (2 * _options.MaximumSegmentLifetime);
                }
            }

            return;
        }

        // Step 2: RST, with RFC 5961 §3.2's exact-match rule.
        if (rst)
        {
            if (seq != _rcvNxt)
            {
                _ackPending = true; // challenge ACK
            }
            else if (State == TcpState.SynReceived && _passiveOpen)
            {
                ResetToListen();
            }
            else
            {
                EnterClosed(TcpCloseReason.Reset);
            }

            return;
        }

        if (!HookAccepts(now, segment))
        {
            return;
        }

        // RFC 7323 §5.3 R3 / §4.3: remember the timestamp to echo.
        if (_timestamps && options.Timestamps is { } ts && seq <= _lastAckSent && (!IsBefore(ts.Value, _tsRecent) || !TsRecentIsValid(now)))
        {
            _tsRecent = ts.Value;
            _tsRecentTime = now;
        }

        _lastReceived = now;
        _keepAliveProbesSent = 0;

        // Step 4: SYN in a synchronized state (RFC 5961 §4.2).
        if (syn)
        {
            _ackPending = true;
            return;
        }

        // Step 5: ACK.
        if ((flags & TcpFlags.Ack) == 0)
        {
            return;
        }

        if (State == TcpState.SynReceived)
        {
            if (!(ack > _sndUna && ack <= _sndMax))
            {
                ReplyReset(segment);
                return;
            }

            AdvanceUnacknowledged(now, ack, options);
            EnterEstablished();
        }

        if (ack > _sndMax || ack < _sndUna - _maxSndWnd)
        {
            // RFC 5961 §5.2: an ACK of data never sent, or too old to be credible.
            AcksOutOfWindow++;
            _ackPending = true;
            return;
        }

        uint window = (uint)segment.Window << _sndShift;
        OnAcknowledgment(now, ack, window, options, isPureAck: payload.Length == 0 && !fin);

        if (_sndWl1 < seq || (_sndWl1 == seq && _sndWl2 <= ack))
        {
            _sndWnd = window;
            _maxSndWnd = Math.Max(_maxSndWnd, window);
            _sndWl1 = seq;
            _sndWl2 = ack;
        }

        bool finAcked = _closeRequested && _sndUna == _finSeq + 1;
        switch (State)
        {
            case TcpState.FinWait1 when finAcked:
                State = TcpState.FinWait2;
                break;
            case TcpState.Closing when finAcked:
                EnterTimeWait(now);
                break;
            case TcpState.LastAck when finAcked:
                EnterClosed(TcpCloseReason.Normal);
                return;
        }

        // Steps 7 and 8: segment text and FIN.
        if (payload.Length > 0 || fin)
        {
            OnText(now, seq, payload, fin, rcvWnd);
        }
    }

    private void OnText(TimeSpan now, SeqNum32 seq, ReadOnlySpan<byte> payload, bool fin, uint rcvWnd)
    {
        bool takesText = State is TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2;
        SeqNum32 end = seq + payload.Length;
        bool finInWindow = fin;
        if (seq > _rcvNxt)
        {
            // Out of order (RFC 9293 §3.10.7.4: "may be held for later processing"): park the bytes
            // in the buffer's free room, within the window, and ACK at once so the sender sees the gap.
            _ackPending = true;
            if (!takesText)
            {
                return;
            }

            int offset = seq - _rcvNxt;
            int n = Math.Min(payload.Length, (int)rcvWnd - offset);
            if (n > 0 && !_outOfOrder.Covers(seq, seq + n))
            {
                n = _receiveBuffer.WriteAt(offset, payload[..n]);
                if (n == 0 || !_outOfOrder.Add(seq, seq + n))
                {
                    return;
                }
            }

            if (fin && n == payload.Length)
            {
                _outOfOrderFin = end;
            }

            return;
        }

        int skip = _rcvNxt - seq;
        ReadOnlySpan<byte> text = skip >= payload.Length ? ReadOnlySpan<byte>.Empty : payload[skip..];
        if (text.Length > 0 && takesText)
        {
            int written = _receiveBuffer.Write(text[..Math.Min(text.Length, (int)rcvWnd)]);
            _rcvNxt += written;
            finInWindow &= written == text.Length;
            _rcvMss = Math.Min(Math.Max(_rcvMss, payload.Length), _options.MaximumSegmentSize);
            if (!_outOfOrder.IsEmpty || written < text.Length)
            {
                // RFC 5681 §4.2: a segment that fills a gap is acknowledged at once, as is one cut by the window.
                SeqNum32 next = _outOfOrder.TakeContiguous(_rcvNxt);
                _receiveBuffer.Commit(next - _rcvNxt);
                _rcvNxt = next;
                _ackPending = true;
            }
            else
            {
                ScheduleAck(now);
            }
        }
        else if (text.Length > 0)
        {
            finInWindow = false;
        }
        else if (payload.Length > 0)
        {
            // Wholly a duplicate: the sender retransmitted because an ACK was lost (RFC 9293 §3.10.7.4).
            _ackPending = true;
        }

        if (finInWindow && end == _rcvNxt)
        {
            OnFin(now);
        }
        else if (_outOfOrderFin == _rcvNxt)
        {
            OnFin(now);
        }
    }

    // Step 8 (RFC 9293 §3.10.7.4): the FIN once everything before it is in.
    private void OnFin(TimeSpan now)
    {
        _outOfOrderFin = null;
        _rcvNxt += 1;
        _ackPending = true;
        ReceivedFin = true;
        switch (State)
        {
            case TcpState.SynReceived:
            case TcpState.Established:
                State = TcpState.CloseWait;
                break;
            case TcpState.FinWait1:
                if (_sndUna == _finSeq + 1)
                {
                    EnterTimeWait(now);
                }
                else
                {
                    State = TcpState.Closing;
                }

                break;
            case TcpState.FinWait2:
                EnterTimeWait(now);
                break;
            case TcpState.TimeWait:
                _timeWaitDeadline = now + (2 * _options.MaximumSegmentLifetime);
                break;
        }
    }

    /// <summary>
    /// Gives the storage of the send and receive buffers back to the pool once the connection is
    /// done with them: in CLOSED or TIME-WAIT, each buffer that is empty (and holds nothing out of
    /// order). A buffer that still holds bytes keeps them.
    /// </summary>
    internal void ReleaseBuffers()
    {
        if (State is not (TcpState.Closed or TcpState.TimeWait))
        {
            return;
        }

        if (_sendBuffer.Count == 0)
        {
            _sendBuffer.Release();
        }

        if (_receiveBuffer.Count == 0 && _outOfOrder.IsEmpty)
        {
            _receiveBuffer.Release();
        }
    }

    private bool HookAccepts(TimeSpan now, in TcpHeader segment) => _hooks?.OnSegmentAccepted(now, segment) ?? true;

    private bool TsRecentIsValid(TimeSpan now) => now - _tsRecentTime <= PawsIdleLimit;

    // RFC 7323 §5.2: timestamps compare modulo 2^32, as sequence numbers do.
    private static bool IsBefore(uint a, uint b) => unchecked((int)(a - b)) < 0;

    private void EnterEstablished()
    {
        _sndUna = SeqNum32.Max(_sndUna, _iss + 1);
        State = TcpState.Established;
        if (_closeRequested)
        {
            State = TcpState.FinWait1;
        }
    }

    private void EnterTimeWait(TimeSpan now)
    {
        State = TcpState.TimeWait;
        _retransmitDeadline = null;
        _userTimeoutDeadline = null;
        _timeWaitDeadline = now + (2 * _options.MaximumSegmentLifetime);
    }

    private void EnterClosed(TcpCloseReason reason)
    {
        State = TcpState.Closed;
        CloseReason = reason;
        _retransmitDeadline = null;
        _timeWaitDeadline = null;
        _delayedAckDeadline = null;
        _userTimeoutDeadline = null;
        _ackPending = false;
        _keepAliveProbePending = false;
    }

    private void CloseWithReset(TcpCloseReason reason)
    {
        if (IsSynchronized && State != TcpState.TimeWait)
        {
            _resetPending = true;
            _resetSeq = _sndNxt;
        }

        EnterClosed(reason);
    }

    private void ResetToListen()
    {
        State = TcpState.Listen;
        _passiveOpen = false;
        _retransmitDeadline = null;
        _userTimeoutDeadline = null;
        _delayedAckDeadline = null;
        _ackPending = false;
        RemotePort = _options.RemotePort;
    }

    private void ChooseIss()
    {
        _iss = new SeqNum32((uint)_random.NextInt64(0, 1L << 32));
        _tsOffset = (uint)_random.NextInt64(0, 1L << 32);
        _sndUna = _iss;
        _sndNxt = _iss;
        _sndMax = _iss;
        _sendBufferSeq = _iss + 1;
    }

    private void ReplyReset(in TcpHeader segment)
    {
        // RFC 9293 §3.10.7.1: never answer a RST; otherwise take the sequence number from the ACK.
        TcpFlags flags = segment.Flags;
        if ((flags & TcpFlags.Rst) != 0)
        {
            return;
        }

        if ((flags & TcpFlags.Ack) != 0)
        {
            _reply = new PendingReply(segment.SourcePort, new SeqNum32(segment.AcknowledgmentNumber), default, TcpFlags.Rst);
        }
        else
        {
            int segLen = segment.Payload.Length + ((flags & TcpFlags.Syn) != 0 ? 1 : 0) + ((flags & TcpFlags.Fin) != 0 ? 1 : 0);
            _reply = new PendingReply(segment.SourcePort, default, new SeqNum32(segment.SequenceNumber) + segLen, TcpFlags.Rst | TcpFlags.Ack);
        }
    }

    private void RequireOpenForSending()
    {
        if (_closeRequested || State is TcpState.Closed or TcpState.Listen)
        {
            throw new InvalidOperationException($"Cannot send in {State}{(_closeRequested ? " after Close" : string.Empty)}.");
        }
    }

    private void RequireState(TcpState expected)
    {
        if (State != expected)
        {
            throw new InvalidOperationException($"Expected {expected}, the connection is {State}.");
        }
    }

    private readonly record struct PendingReply(ushort DestinationPort, SeqNum32 Seq, SeqNum32 Ack, TcpFlags Flags);
}
