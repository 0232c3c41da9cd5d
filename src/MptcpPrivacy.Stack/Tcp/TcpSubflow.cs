using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>
/// One TCP connection as a sans-I/O state machine (RFC 9293 §3.10): feed it arriving segments with
/// <see cref="OnSegment"/>, expired deadlines with <see cref="OnTimer"/>, and drain what it wants to
/// send with <see cref="PollTransmit"/>; it never reads a clock.
/// </summary>
/// <remarks>
/// Segments go in and out without the IP layer: the caller checks the checksum of arriving segments
/// and fills the Checksum of outgoing ones (<see cref="MptcpPrivacy.Wire.Checksums.TcpChecksum.Write"/>),
/// because only it knows the addresses. Not implemented: SACK, delayed ACKs, Nagle, PAWS, an
/// out-of-order queue (out-of-order segments are dropped and duplicate-ACKed), urgent data, data on SYN.
/// </remarks>
public sealed class TcpSubflow
{
    // RFC 7323 §3.2 with NOP padding: every segment after the SYN carries 12 bytes of Timestamps.
    private const int TimestampsOverhead = 12;

    // RFC 9293 §3.7.1: without an MSS option the sender assumes 536.
    private const ushort DefaultSendMss = 536;

    private readonly TcpSubflowOptions _options;
    private readonly Random _random;
    private readonly ICongestionControl _congestion;
    private readonly ByteRing _sendBuffer;
    private readonly ByteRing _receiveBuffer;
    private readonly int _ourShift;

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

    // Receive sequence variables.
    private SeqNum32 _irs;
    private SeqNum32 _rcvNxt;
    private int _rcvShift;
    private bool _windowScaleAgreed;
    private uint _lastAdvertisedWindow;
    private SeqNum32 _lastAckSent;

    private int _sendMss = DefaultSendMss;
    private bool _timestamps;
    private uint _tsRecent;
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

    private bool _rttTiming;
    private SeqNum32 _rttSeq;
    private TimeSpan _rttStart;

    private TimeSpan? _retransmitDeadline;
    private TimeSpan? _timeWaitDeadline;
    private PendingReply? _reply;

    /// <summary>Creates a connection in CLOSED that draws its ISN and timestamp offset from <paramref name="random"/>.</summary>
    public TcpSubflow(TcpSubflowOptions options, Random random, ICongestionControl? congestionControl = null)
    {
        _options = options;
        _random = random;
        _congestion = congestionControl ?? new NewReno();
        _sendBuffer = new ByteRing(options.SendBufferSize);
        _receiveBuffer = new ByteRing(options.ReceiveBufferSize);
        RetransmissionTimeout = new RetransmissionTimeout(options);
        RemotePort = options.RemotePort;
        while (_ourShift < WindowScaleOption.MaximumShift && (options.ReceiveBufferSize >> _ourShift) > ushort.MaxValue)
        {
            _ourShift++;
        }
    }

    /// <summary>Gets the current state.</summary>
    public TcpState State { get; private set; }

    /// <summary>Gets or sets the layer above that adds options and reads segments (MPTCP); set it before the first segment.</summary>
    public ISubflowHooks? Hooks { get; set; }

    /// <summary>Gets ISS, the initial send sequence number (valid once connecting or connected).</summary>
    public SeqNum32 InitialSendSequence => _iss;

    /// <summary>Gets IRS, the initial receive sequence number (valid once the peer's SYN arrived).</summary>
    public SeqNum32 InitialReceiveSequence => _irs;

    /// <summary>Gets why the connection closed, once it has.</summary>
    public TcpCloseReason CloseReason { get; private set; }

    /// <summary>Gets the remote port: from the options, or from the SYN after a passive open.</summary>
    public ushort RemotePort { get; private set; }

    /// <summary>Gets the RFC 6298 estimator.</summary>
    public RetransmissionTimeout RetransmissionTimeout { get; }

    /// <summary>Gets the congestion controller.</summary>
    public ICongestionControl CongestionControl => _congestion;

    /// <summary>Gets SND.UNA, the oldest unacknowledged sequence number.</summary>
    public SeqNum32 SendUnacknowledged => _sndUna;

    /// <summary>Gets SND.NXT, the next sequence number to send.</summary>
    public SeqNum32 SendNext => _sndNxt;

    /// <summary>Gets SND.WND, the peer's window in bytes, scaled.</summary>
    public uint SendWindow => _sndWnd;

    /// <summary>Gets RCV.NXT, the next sequence number expected.</summary>
    public SeqNum32 ReceiveNext => _rcvNxt;

    /// <summary>Gets RCV.WND, the free room of the receive buffer.</summary>
    public uint ReceiveWindow => Hooks is { } hooks ? (uint)Math.Clamp(hooks.ReceiveWindowLimit, 0, _receiveBuffer.Free) : (uint)_receiveBuffer.Free;

    /// <summary>Gets the largest payload this side puts in one segment (SND.MSS less the Timestamps option).</summary>
    public int EffectiveSendMss => _sendMss - (_timestamps ? TimestampsOverhead : 0);

    // The payload of one data segment: the MSS less TCP's and the layer above's options.
    private int PayloadMss => Math.Max(1, EffectiveSendMss - (Hooks?.DataOptionSpace ?? 0));

    /// <summary>Gets the shift applied to the peer's windows (0 without window scaling).</summary>
    public int SendWindowShift => _sndShift;

    /// <summary>Gets the shift applied to the windows we advertise (0 without window scaling).</summary>
    public int ReceiveWindowShift => _rcvShift;

    /// <summary>Gets whether both sides agreed on Timestamps.</summary>
    public bool TimestampsEnabled => _timestamps;

    /// <summary>Gets the number of bytes ready for <see cref="Receive"/>.</summary>
    public int BytesAvailable => _receiveBuffer.Count;

    /// <summary>Gets the room left in the send buffer.</summary>
    public int SendBufferFree => _sendBuffer.Free;

    /// <summary>Gets whether the peer's FIN has been received: no more bytes will arrive after those buffered.</summary>
    public bool ReceivedFin { get; private set; }

    /// <summary>Gets the earliest time at which <see cref="OnTimer"/> wants to run, or null when no timer is armed.</summary>
    public TimeSpan? NextDeadline => (_retransmitDeadline, _timeWaitDeadline) switch
    {
        ({ } a, { } b) => a < b ? a : b,
        ({ } a, null) => a,
        (null, var b) => b,
    };

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
        _ = now;
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
        if (_closeRequested || State is TcpState.Closed or TcpState.Listen)
        {
            throw new InvalidOperationException($"Cannot send in {State}{(_closeRequested ? " after Close" : string.Empty)}.");
        }

        return _sendBuffer.Write(data);
    }

    /// <summary>Moves received bytes into <paramref name="destination"/> and returns how many (RFC 9293 §3.10.3); 0 with <see cref="ReceivedFin"/> means end of stream.</summary>
    public int Receive(Span<byte> destination)
    {
        int n = _receiveBuffer.Read(destination);

        // RFC 9293 §3.8.6.2.2: announce a reopened window once it grew by min(buffer/2, MSS).
        uint grown = ReceiveWindow - _lastAdvertisedWindow;
        if (n > 0 && IsSynchronized && ReceiveWindow > _lastAdvertisedWindow && grown >= Math.Min(_receiveBuffer.Capacity / 2, EffectiveSendMss))
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

    /// <summary>Asks for an ACK on the next poll even though no data or window change calls for one (the layer above has options to carry).</summary>
    public void RequestAcknowledgment()
    {
        if (IsSynchronized && State != TcpState.TimeWait)
        {
            _ackPending = true;
            _pureAckRequested = true;
        }
    }

    /// <summary>Aborts the connection (RFC 9293 §3.10.5): a RST goes out if the connection was synchronized.</summary>
    public void Abort()
    {
        if (IsSynchronized && State != TcpState.TimeWait)
        {
            _reply = new PendingReply(RemotePort, _sndNxt, default, TcpFlags.Rst, FromAbort: true);
        }

        EnterClosed(TcpCloseReason.Aborted);
    }

    /// <summary>Processes a segment that arrived at <paramref name="now"/> (RFC 9293 §3.10.7); its checksum must already be verified.</summary>
    public void OnSegment(TimeSpan now, in TcpHeader segment)
    {
        switch (State)
        {
            case TcpState.Closed:
                ReplyReset(segment);
                return;
            case TcpState.Listen:
                OnSegmentInListen(segment);
                return;
            case TcpState.SynSent:
                OnSegmentInSynSent(now, segment);
                return;
            default:
                OnSegmentSynchronized(now, segment);
                UpdatePersistTimer(now);
                return;
        }
    }

    /// <summary>Runs the timers whose deadline is at or before <paramref name="now"/>.</summary>
    public void OnTimer(TimeSpan now)
    {
        if (_timeWaitDeadline is { } timeWait && timeWait <= now)
        {
            _timeWaitDeadline = null;
            EnterClosed(TcpCloseReason.Normal);
            return;
        }

        if (_retransmitDeadline is not { } deadline || deadline > now)
        {
            return;
        }

        _retransmitDeadline = null;
        if (_sndMax != _sndUna)
        {
            if (++_retransmissions > _options.MaximumRetransmissions)
            {
                EnterClosed(TcpCloseReason.TimedOut);
                return;
            }

            // RFC 6298 §5.4-5.6: retransmit from SND.UNA, back off, restart; Karn: stop timing.
            RetransmissionTimeout.Backoff();
            if (IsSynchronized)
            {
                _congestion.OnRetransmissionTimeout(FlightSize);
            }

            _sndNxt = _sndUna;
            _rttTiming = false;
            _duplicateAcks = 0;
            _fastRetransmitPending = false;
            _forceProbe = _sndWnd == 0;
            _retransmitDeadline = now + RetransmissionTimeout.Current;
        }
        else if (_sndWnd == 0 && UnsentBytes > 0)
        {
            // RFC 9293 §3.8.6.1: the persist timer fired; probe the zero window with one byte.
            RetransmissionTimeout.Backoff();
            _forceProbe = true;
        }
    }

    /// <summary>
    /// Writes the next segment this connection wants to send into <paramref name="buffer"/> and
    /// returns its length, or 0 when there is nothing to send now. The Checksum is left zero.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="buffer"/> is too small for a header and an MSS of payload.</exception>
    public int PollTransmit(TimeSpan now, Span<byte> buffer)
    {
        if (_reply is { } reply)
        {
            _reply = null;
            Span<byte> replyOptions = stackalloc byte[40];
            int replyOptionsLength = reply.FromAbort && Hooks is { } hooks
                ? hooks.WriteOptions(now, new OutgoingSegment(reply.Flags, reply.Seq, 0, false), replyOptions)
                : 0;
            return new TcpHeaderFields
            {
                SourcePort = _options.LocalPort,
                DestinationPort = reply.DestinationPort,
                SequenceNumber = reply.Seq.Value,
                AcknowledgmentNumber = reply.Ack.Value,
                Flags = reply.Flags,
            }.Encode(buffer, replyOptions[..replyOptionsLength]);
        }

        int length = State switch
        {
            TcpState.Closed or TcpState.Listen => 0,
            TcpState.SynSent or TcpState.SynReceived when _sndNxt == _iss => EmitSyn(now, buffer),
            TcpState.SynSent => 0,
            TcpState.SynReceived => _ackPending ? Emit(now, buffer, _sndNxt, 0, TcpFlags.Ack) : 0,
            _ => PollSynchronized(now, buffer),
        };
        UpdatePersistTimer(now);
        return length;
    }

    private int UnsentBytes
    {
        get
        {
            int offset = _sendBufferSeq - _sndNxt > 0 ? 0 : (int)_sendBufferSeq.DistanceTo(_sndNxt);
            return Math.Max(0, _sendBuffer.Count - offset);
        }
    }

    private int PollSynchronized(TimeSpan now, Span<byte> buffer)
    {
        if (_pureAckRequested)
        {
            // The layer above wants room for its options (ADD_ADDR, MP_PRIO, a join's third ACK): a segment without data.
            _pureAckRequested = false;
            return Emit(now, buffer, _sndNxt, 0, TcpFlags.Ack);
        }

        if (_fastRetransmitPending)
        {
            _fastRetransmitPending = false;
            int outstanding = Math.Min((int)_sndUna.DistanceTo(SendBufferEnd), PayloadMss);
            if (Hooks is { } h && outstanding > 0)
            {
                outstanding = h.LimitPayload(_sndUna, outstanding);
            }

            if (outstanding > 0)
            {
                _rttTiming = false;
                return Emit(now, buffer, _sndUna, outstanding, TcpFlags.Ack);
            }
        }

        int unsent = UnsentBytes;
        int inFlight = (int)_sndUna.DistanceTo(_sndNxt);
        long window = Math.Min(_sndWnd, (uint)_congestion.CongestionWindow);
        int usable = (int)Math.Max(0, window - inFlight);
        if (_forceProbe && unsent > 0 && usable == 0)
        {
            usable = 1;
        }

        int length = Math.Min(Math.Min(unsent, usable), PayloadMss);
        if (Hooks is { } hooks && length > 0)
        {
            length = hooks.LimitPayload(_sndNxt, length);
        }

        bool finDue = _closeRequested && State is TcpState.FinWait1 or TcpState.Closing or TcpState.LastAck;
        if (length > 0)
        {
            _forceProbe = false;
            TcpFlags flags = TcpFlags.Ack;
            if (finDue && _sndNxt + length == _finSeq)
            {
                flags |= TcpFlags.Fin;
            }

            if (length == unsent)
            {
                flags |= TcpFlags.Psh;
            }

            return EmitAndAdvance(now, buffer, length, flags);
        }

        if (finDue && _sndNxt == _finSeq)
        {
            return EmitAndAdvance(now, buffer, 0, TcpFlags.Ack | TcpFlags.Fin);
        }

        return _ackPending ? Emit(now, buffer, _sndNxt, 0, TcpFlags.Ack) : 0;
    }

    private int EmitSyn(TimeSpan now, Span<byte> buffer) =>
        EmitAndAdvance(now, buffer, 0, State == TcpState.SynSent ? TcpFlags.Syn : TcpFlags.Syn | TcpFlags.Ack);

    private int EmitAndAdvance(TimeSpan now, Span<byte> buffer, int payloadLength, TcpFlags flags)
    {
        SeqNum32 seq = _sndNxt;
        int length = Emit(now, buffer, seq, payloadLength, flags);
        int segLen = payloadLength + ((flags & TcpFlags.Syn) != 0 ? 1 : 0) + ((flags & TcpFlags.Fin) != 0 ? 1 : 0);
        _sndNxt = seq + segLen;
        if (_sndNxt > _sndMax)
        {
            // New data: time it unless a measurement is running (Karn: never time retransmissions).
            if (!_rttTiming && seq >= _sndMax)
            {
                _rttTiming = true;
                _rttSeq = seq;
                _rttStart = now;
            }

            _sndMax = _sndNxt;
        }

        // RFC 6298 §5.1: arm the timer when it is not running.
        _retransmitDeadline ??= now + RetransmissionTimeout.Current;
        return length;
    }

    private int Emit(TimeSpan now, Span<byte> buffer, SeqNum32 seq, int payloadLength, TcpFlags flags)
    {
        bool syn = (flags & TcpFlags.Syn) != 0;
        Span<byte> options = stackalloc byte[40];
        TcpOptionWriter writer = new(options);
        if (syn)
        {
            writer.Add(new MaximumSegmentSizeOption(_options.MaximumSegmentSize));
        }

        bool offerTimestamps = syn ? _options.UseTimestamps && (State == TcpState.SynSent || _timestamps) : _timestamps;
        if (offerTimestamps)
        {
            writer.AddAligned(new TimestampsOption(TimestampNow(now), (flags & TcpFlags.Ack) != 0 ? _tsRecent : 0));
        }

        if (syn && _options.UseWindowScaling && (State == TcpState.SynSent || _windowScaleAgreed))
        {
            writer.AddAligned(new WindowScaleOption((byte)_ourShift));
        }

        int optionsLength = writer.Length;
        if (Hooks is { } hooks)
        {
            bool again = seq < _sndMax || ((flags & TcpFlags.Syn) != 0 && _sndMax != _iss);
            optionsLength += hooks.WriteOptions(now, new OutgoingSegment(flags, seq, payloadLength, again), options[optionsLength..]);
        }

        // RFC 7323 §2.2: the window in a SYN is never scaled.
        uint window = syn ? Math.Min(ReceiveWindow, ushort.MaxValue) : Math.Min(ReceiveWindow >> _rcvShift, ushort.MaxValue);
        bool ack = (flags & TcpFlags.Ack) != 0;
        int headerLength = new TcpHeaderFields
        {
            SourcePort = _options.LocalPort,
            DestinationPort = RemotePort,
            SequenceNumber = seq.Value,
            AcknowledgmentNumber = ack ? _rcvNxt.Value : 0,
            Flags = flags,
            Window = (ushort)window,
        }.Encode(buffer, options[..optionsLength]);

        if (payloadLength > 0)
        {
            int offset = (int)_sendBufferSeq.DistanceTo(seq);
            if (buffer.Length < headerLength + payloadLength)
            {
                throw new ArgumentException("The buffer is smaller than a header and an MSS of payload.", nameof(buffer));
            }

            _sendBuffer.Peek(offset, buffer.Slice(headerLength, payloadLength));
        }

        if (ack)
        {
            _ackPending = false;
            _lastAckSent = _rcvNxt;
            _lastAdvertisedWindow = syn ? window : window << _rcvShift;
        }

        return headerLength + payloadLength;
    }

    private uint TimestampNow(TimeSpan now) => unchecked((uint)(now.Ticks / TimeSpan.TicksPerMillisecond) + _tsOffset);

    private void OnSegmentInListen(in TcpHeader segment)
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

        if ((flags & TcpFlags.Syn) == 0)
        {
            return;
        }

        if (Hooks is { } hooks && !hooks.OnSegmentAccepted(TimeSpan.Zero, segment))
        {
            return;
        }

        RemotePort = segment.SourcePort;
        _passiveOpen = true;
        ChooseIss();
        AcceptSyn(segment);
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

        if ((flags & TcpFlags.Syn) == 0)
        {
            return;
        }

        if (Hooks is { } hooks && !hooks.OnSegmentAccepted(now, segment))
        {
            return;
        }

        AcceptSyn(segment);
        if (hasAck)
        {
            AdvanceUnacknowledged(now, ack, segment);
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

    private void AcceptSyn(in TcpHeader segment)
    {
        ReceivedOptions options = ReceivedOptions.Read(segment);
        _irs = new SeqNum32(segment.SequenceNumber);
        _rcvNxt = _irs + 1;
        _sendMss = Math.Min(options.MaximumSegmentSize ?? DefaultSendMss, _options.MaximumSegmentSize);
        _windowScaleAgreed = _options.UseWindowScaling && options.WindowShift is not null;
        _sndShift = _windowScaleAgreed ? options.WindowShift!.Value : 0;
        _rcvShift = _windowScaleAgreed ? _ourShift : 0;
        _timestamps = _options.UseTimestamps && options.Timestamps is not null;
        _tsRecent = options.Timestamps?.Value ?? 0;
        _sndWnd = segment.Window;
        _maxSndWnd = _sndWnd;
        _sndWl1 = _irs;
        _sndWl2 = new SeqNum32(segment.AcknowledgmentNumber);
        _congestion.Initialize(EffectiveSendMss);
    }

    private void OnSegmentSynchronized(TimeSpan now, in TcpHeader segment)
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
                AdvanceUnacknowledged(now, ack, segment);
                EnterEstablished();
                _ackPending = true;
            }
            else
            {
                _sndNxt = _iss;
            }

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

        if (Hooks is { } hooks && !hooks.OnSegmentAccepted(now, segment))
        {
            return;
        }

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

            AdvanceUnacknowledged(now, ack, segment);
            EnterEstablished();
        }

        if (ack > _sndMax || ack < _sndUna - _maxSndWnd)
        {
            // RFC 5961 §5.2: an ACK of data never sent, or too old to be credible.
            _ackPending = true;
            return;
        }

        uint window = (uint)segment.Window << _sndShift;
        if (ack > _sndUna)
        {
            AdvanceUnacknowledged(now, ack, segment);
        }
        else if (ack == _sndUna && payload.Length == 0 && !fin && window == _sndWnd && _sndMax != _sndUna)
        {
            // RFC 5681 §2 duplicate acknowledgment.
            _duplicateAcks++;
            if (_congestion.OnDuplicateAck(_duplicateAcks, FlightSize, _sndMax))
            {
                _fastRetransmitPending = true;
            }
        }

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

        // Step 7: segment text, only in order (no out-of-order queue).
        SeqNum32 dataSeq = seq;
        bool inOrder = dataSeq <= _rcvNxt;
        int skip = inOrder ? _rcvNxt - dataSeq : 0;
        ReadOnlySpan<byte> text = skip >= payload.Length ? ReadOnlySpan<byte>.Empty : payload[skip..];
        bool truncated = false;
        if (!inOrder)
        {
            _ackPending = true;
            return;
        }

        if (State is TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2 && text.Length > 0)
        {
            int written = _receiveBuffer.Write(text);
            truncated = written < text.Length;
            _rcvNxt += written;
            _ackPending = true;
        }
        else if (text.Length > 0)
        {
            truncated = true;
        }

        // Step 8: FIN, once everything before it is in.
        if (fin && !truncated && seq + payload.Length == _rcvNxt)
        {
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

        if (_timestamps && ReceivedOptions.Read(segment).Timestamps is { } ts && seq <= _lastAckSent)
        {
            // RFC 7323 §4.3 (simplified: no PAWS rejection).
            _tsRecent = ts.Value;
        }
    }

    private void AdvanceUnacknowledged(TimeSpan now, SeqNum32 ack, in TcpHeader segment)
    {
        int flightBefore = FlightSize;
        int dataAcked = 0;
        if (ack > _sendBufferSeq && State != TcpState.SynSent && State != TcpState.SynReceived)
        {
            dataAcked = Math.Min((int)_sendBufferSeq.DistanceTo(ack), _sendBuffer.Count);
            _sendBuffer.Discard(dataAcked);
            _sendBufferSeq += dataAcked;
        }

        _sndUna = ack;
        if (_sndNxt < ack)
        {
            _sndNxt = ack;
        }

        _retransmissions = 0;
        _duplicateAcks = 0;

        // RTT: prefer the echoed timestamp (RFC 7323 §4.1), else the one timed segment (Karn).
        TimestampsOption? ts = _timestamps ? ReceivedOptions.Read(segment).Timestamps : null;
        if (ts is { EchoReply: not 0 } echo)
        {
            RetransmissionTimeout.OnSample(TimeSpan.FromMilliseconds(unchecked(TimestampNow(now) - echo.EchoReply)));
            _rttTiming = false;
        }
        else if (_rttTiming && ack > _rttSeq)
        {
            RetransmissionTimeout.OnSample(now - _rttStart);
            _rttTiming = false;
        }

        if (RetransmissionTimeout.SmoothedRtt is { } srtt)
        {
            _congestion.OnRttSample(srtt);
        }

        // RFC 6298 §5.2-5.3.
        _retransmitDeadline = _sndUna == _sndMax ? null : now + RetransmissionTimeout.Current;
        if (IsSynchronized && State != TcpState.SynReceived && _congestion.OnAck(ack, dataAcked, flightBefore))
        {
            _fastRetransmitPending = true;
        }
    }

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
        _timeWaitDeadline = now + (2 * _options.MaximumSegmentLifetime);
    }

    private void EnterClosed(TcpCloseReason reason)
    {
        State = TcpState.Closed;
        CloseReason = reason;
        _retransmitDeadline = null;
        _timeWaitDeadline = null;
        _ackPending = false;
    }

    private void ResetToListen()
    {
        State = TcpState.Listen;
        _passiveOpen = false;
        _retransmitDeadline = null;
        _ackPending = false;
        RemotePort = _options.RemotePort;
    }

    private void UpdatePersistTimer(TimeSpan now)
    {
        if (IsSynchronized && _retransmitDeadline is null && _sndWnd == 0 && _sndMax == _sndUna && UnsentBytes > 0)
        {
            _retransmitDeadline = now + RetransmissionTimeout.Current;
        }
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

    private void RequireState(TcpState expected)
    {
        if (State != expected)
        {
            throw new InvalidOperationException($"Expected {expected}, the connection is {State}.");
        }
    }

    private readonly record struct PendingReply(ushort DestinationPort, SeqNum32 Seq, SeqNum32 Ack, TcpFlags Flags, bool FromAbort = false);
}
