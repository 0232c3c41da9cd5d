using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>What the connection sends: new data, retransmissions (go-back-N, NewReno, RFC 6675 NextSeg), ACKs, and the options of each segment.</summary>
public sealed partial class TcpSubflow
{
    /// <summary>
    /// Writes the next segment this connection wants to send into <paramref name="buffer"/> and
    /// returns its length, or 0 when there is nothing to send now. The Checksum is left zero.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="buffer"/> is too small for a header and an MSS of payload.</exception>
    /// <exception cref="InvalidOperationException">The hook wrote more option bytes than the room it was given.</exception>
    public int PollTransmit(TimeSpan now, Span<byte> buffer)
    {
        if (_resetPending)
        {
            // RFC 9293 §3.10.5: <SEQ=SND.NXT><CTL=RST>, with Timestamps and the hook's options (MP_TCPRST, MP_FASTCLOSE).
            _resetPending = false;
            return Emit(now, buffer, _resetSeq, 0, TcpFlags.Rst);
        }

        if (_reply is { } reply)
        {
            _reply = null;

            // A reset in CLOSED answers a segment at its exact acknowledgment number, the one a
            // peer enforcing RFC 5961 accepts, so it carries the hook's options (MP_TCPRST, and
            // MP_FASTCLOSE after an abort) like the reset the abort sent first.
            Span<byte> options = stackalloc byte[MaximumOptionsLength];
            int optionLength = _hooks is not null && (reply.Flags & TcpFlags.Rst) != 0
                ? _hooks.WriteOptions(now, new OutgoingSegment(reply.Flags, reply.Seq, 0, IsRetransmission: false), options)
                : 0;
            return new TcpHeaderFields
            {
                SourcePort = _options.LocalPort,
                DestinationPort = reply.DestinationPort,
                SequenceNumber = reply.Seq.Value,
                AcknowledgmentNumber = reply.Ack.Value,
                Flags = reply.Flags,
            }.Encode(buffer, options[..optionLength]);
        }

        int length = State switch
        {
            TcpState.Closed or TcpState.Listen => 0,
            TcpState.SynSent or TcpState.SynReceived when _sndNxt == _iss => EmitAndAdvance(now, buffer, 0, State == TcpState.SynSent ? TcpFlags.Syn : TcpFlags.Syn | TcpFlags.Ack, 0),
            TcpState.SynSent => 0,
            TcpState.SynReceived => PollAck(now, buffer),
            _ => PollSynchronized(now, buffer),
        };
        UpdatePersistTimer(now);
        return length;
    }

    // SMSS for data: the effective MSS less the room the hook keeps for its options.
    private int MaxPayload => Math.Max(1, EffectiveSendMss - (_hooks?.DataOptionSpace ?? 0));

    // The bytes from SND.NXT to the end of the send buffer: unsent data, or after a timeout also the data to send again.
    private int BytesFromSendNext
    {
        get
        {
            int offset = _sndNxt <= _sendBufferSeq ? 0 : (int)_sendBufferSeq.DistanceTo(_sndNxt);
            return Math.Max(0, _sendBuffer.Count - offset);
        }
    }

    private int PollSynchronized(TimeSpan now, Span<byte> buffer)
    {
        if (_keepAliveProbePending)
        {
            // RFC 1122 §4.2.3.6: SEG.SEQ = SND.NXT - 1 and no data, so the peer must answer with an ACK.
            _keepAliveProbePending = false;
            return Emit(now, buffer, _sndNxt - 1, 0, TcpFlags.Ack);
        }

        if (_pureAckRequested)
        {
            _pureAckRequested = false;
            return Emit(now, buffer, _sndMax, 0, TcpFlags.Ack);
        }

        if (_fastRetransmitPending)
        {
            // RFC 5681 §3.2 / RFC 6582 §3.2: the segment at SND.UNA, without SACK.
            _fastRetransmitPending = false;
            int resent = Retransmit(now, buffer, _sndUna, MaxPayload, recordHighRxt: false);
            if (resent > 0)
            {
                return resent;
            }
        }

        if (_inSackRecovery)
        {
            return PollSackRecovery(now, buffer);
        }

        int inFlight = (int)_sndUna.DistanceTo(_sndNxt) - (_sackPermitted ? _scoreboard.Ranges.CoveredBetween(_sndUna, _sndNxt) : 0);
        int sent = SendFromNext(now, buffer, (long)_congestion.CongestionWindow - inFlight);
        return sent > 0 ? sent : PollAck(now, buffer);
    }

    private int PollSackRecovery(TimeSpan now, Span<byte> buffer)
    {
        int smss = MaxPayload;
        int sent;
        if (_firstRetransmitPending)
        {
            // RFC 6675 §5 step 4.3: the first segment goes regardless of pipe.
            _firstRetransmitPending = false;
            sent = Retransmit(now, buffer, _sndUna, smss, recordHighRxt: true);
            if (sent > 0)
            {
                return sent;
            }
        }

        // RFC 6675 §5 (C): send while cwnd - pipe >= 1 SMSS. Step 4.2 sets cwnd to ssthresh; RFC 5681's
        // inflation by three segments and one per duplicate ACK would count again what pipe already discounts.
        long cwnd = Math.Min(_congestion.CongestionWindow, _congestion.SlowStartThreshold);
        long room = cwnd - _scoreboard.Pipe(_sndUna, _sndMax, _highRxt, smss);
        if (room < smss)
        {
            return PollAck(now, buffer);
        }

        // NextSeg() rule 1: the lowest lost hole above HighRxt; rule 2: new data; rule 3: any hole above HighRxt.
        if (_scoreboard.NextHole(_sndUna, _highRxt, smss, lostOnly: true, out SeqNum32 seq, out int length)
            && (sent = Retransmit(now, buffer, seq, length, recordHighRxt: true)) > 0)
        {
            return sent;
        }

        if ((sent = SendFromNext(now, buffer, room)) > 0)
        {
            return sent;
        }

        if (_scoreboard.NextHole(_sndUna, _highRxt, smss, lostOnly: false, out seq, out length)
            && (sent = Retransmit(now, buffer, seq, length, recordHighRxt: true)) > 0)
        {
            return sent;
        }

        // Rule 4: one rescue retransmission of the highest unSACKed segment per recovery, HighRxt untouched.
        if (!_rescueSent && _scoreboard.Rescue(_sndUna, _sndMax, _highRxt, smss, out seq, out length))
        {
            _rescueSent = true;
            if ((sent = Retransmit(now, buffer, seq, length, recordHighRxt: false)) > 0)
            {
                return sent;
            }
        }

        return PollAck(now, buffer);
    }

    // Sends from SND.NXT: new data, or after a timeout the data again, skipping what the peer SACKed.
    private int SendFromNext(TimeSpan now, Span<byte> buffer, long congestionRoom)
    {
        if (_sackPermitted && _sndNxt < _sndMax)
        {
            _sndNxt = SeqNum32.Min(_scoreboard.Ranges.SkipCovered(_sndNxt), _sndMax);
        }

        int fromNext = BytesFromSendNext;
        long windowRoom = (long)_sndWnd - _sndUna.DistanceTo(_sndNxt);
        int usable = (int)Math.Clamp(Math.Min(windowRoom, congestionRoom), 0, int.MaxValue);
        if (_forceProbe && fromNext > 0 && usable == 0)
        {
            usable = 1;
        }

        int segment = Math.Min(fromNext, DataPayloadLimit(out int sackBlocks));
        if (segment > 0 && _sackPermitted && _sndNxt < _sndMax)
        {
            segment = Math.Min(segment, _scoreboard.Ranges.NextStartAfter(_sndNxt, SendBufferEnd) - _sndNxt);
        }

        segment = LimitByHook(_sndNxt, segment);
        if (usable < segment && _sndMax != _sndUna && !_forceProbe)
        {
            // RFC 9293 §3.8.6.2.1 (sender SWS avoidance): with data in flight, wait for the window
            // to take the whole segment rather than send a sliver of it.
            usable = 0;
        }

        int length = Math.Min(segment, usable);
        bool finDue = _closeRequested && State is TcpState.FinWait1 or TcpState.Closing or TcpState.LastAck;
        if (length > 0)
        {
            _forceProbe = false;
            TcpFlags flags = TcpFlags.Ack;
            if (finDue && _sndNxt + length == _finSeq)
            {
                flags |= TcpFlags.Fin;
            }

            if (length == fromNext)
            {
                flags |= TcpFlags.Psh;
            }

            return EmitAndAdvance(now, buffer, length, flags, sackBlocks);
        }

        return finDue && _sndNxt == _finSeq ? EmitAndAdvance(now, buffer, 0, TcpFlags.Ack | TcpFlags.Fin, sackBlocks) : 0;
    }

    // Sends again up to maxLength of sequence space from seq (data, and the FIN if it was sent and fits).
    private int Retransmit(TimeSpan now, Span<byte> buffer, SeqNum32 seq, int maxLength, bool recordHighRxt)
    {
        int data = seq < SendBufferEnd ? SendBufferEnd - seq : 0;
        int length = LimitByHook(seq, Math.Min(Math.Min(maxLength, data), DataPayloadLimit(out int sackBlocks)));
        bool fin = _closeRequested && _finSeq < _sndMax && seq + length == _finSeq && length < maxLength;
        if (length == 0 && !fin)
        {
            return 0;
        }

        int written = Emit(now, buffer, seq, length, fin ? TcpFlags.Ack | TcpFlags.Fin : TcpFlags.Ack, sackBlocks);

        // Karn: an ACK covering a retransmission says nothing of the RTT.
        _rttTiming = false;
        if (recordHighRxt)
        {
            _highRxt = SeqNum32.Max(_highRxt, seq + length + (fin ? 1 : 0));
        }

        _retransmitDeadline ??= now + RetransmissionTimeout.Current;
        _userTimeoutDeadline ??= now + _options.UserTimeout;
        return written;
    }

    private int LimitByHook(SeqNum32 seq, int length) =>
        length > 0 && _hooks is not null ? Math.Clamp(_hooks.LimitPayload(seq, length), 1, length) : length;

    // A segment without data carries SND.MAX, not SND.NXT (as BSD's tcp_output): after a timeout
    // rewinds SND.NXT, the peer may already hold bytes beyond it, and would find an ACK numbered
    // below its RCV.NXT unacceptable (RFC 9293 §3.10.7.4) and drop it, with the acknowledgment in it.
    private int PollAck(TimeSpan now, Span<byte> buffer) => _ackPending ? Emit(now, buffer, _sndMax, 0, TcpFlags.Ack) : 0;

    private int EmitAndAdvance(TimeSpan now, Span<byte> buffer, int payloadLength, TcpFlags flags, int sackBlocks)
    {
        SeqNum32 seq = _sndNxt;
        int length = Emit(now, buffer, seq, payloadLength, flags, sackBlocks);
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

        // RFC 6298 §5.1: arm the timer when it is not running; the user timeout likewise.
        _retransmitDeadline ??= now + RetransmissionTimeout.Current;
        _userTimeoutDeadline ??= now + _options.UserTimeout;
        return length;
    }

    // The payload a data segment may carry: SMSS, less the SACK blocks it will carry (RFC 6691:
    // options count against the MSS, and a segment must not outgrow the path's MTU).
    private int DataPayloadLimit(out int sackBlocks)
    {
        int used = (_timestamps ? TimestampsOverhead : 0) + (_hooks?.DataOptionSpace ?? 0);
        return Math.Max(1, MaxPayload - SackSpace(used, out sackBlocks));
    }

    // The bytes a SACK option (NOPs in front to end it on a 4-byte boundary, as Linux) takes after
    // `used` option bytes, and how many blocks fit.
    private int SackSpace(int used, out int blocks)
    {
        blocks = 0;
        if (!_sackPermitted || _outOfOrder.IsEmpty)
        {
            return 0;
        }

        int padding = (4 - ((used + 2) & 3)) & 3;
        blocks = Math.Min(Math.Min(_outOfOrder.Count, SackOption.MaximumBlocks), (MaximumOptionsLength - used - padding - 2) / 8);
        if (blocks <= 0)
        {
            blocks = 0;
            return 0;
        }

        return padding + 2 + (8 * blocks);
    }

    private int Emit(TimeSpan now, Span<byte> buffer, SeqNum32 seq, int payloadLength, TcpFlags flags, int sackBlockLimit = SackOption.MaximumBlocks)
    {
        _used = true;
        bool syn = (flags & TcpFlags.Syn) != 0;
        bool ack = (flags & TcpFlags.Ack) != 0;
        bool fin = (flags & TcpFlags.Fin) != 0;
        Span<byte> options = stackalloc byte[MaximumOptionsLength];
        TcpOptionWriter writer = new(options);
        if (syn)
        {
            WriteSynOptions(ref writer, now, ack);
        }
        else if (_timestamps)
        {
            writer.AddAligned(new TimestampsOption(TimestampNow(now), ack ? _tsRecent : 0));
        }

        int used = writer.Length;
        if (_hooks is not null)
        {
            bool occupiesSequence = payloadLength > 0 || syn || fin;
            OutgoingSegment outgoing = new(flags, seq, payloadLength, occupiesSequence && seq < _sndMax);
            int written = _hooks.WriteOptions(now, outgoing, options[used..]);
            if ((uint)written > (uint)(MaximumOptionsLength - used))
            {
                throw new InvalidOperationException($"The hook wrote {written} option bytes into a room of {MaximumOptionsLength - used}.");
            }

            used += written;
        }

        if (ack && !syn)
        {
            used += WriteSackOption(options, used, sackBlockLimit);
        }

        // RFC 7323 §2.2: the window in a SYN is never scaled.
        uint offered = ReceiveWindow;
        uint window = syn ? Math.Min(offered, ushort.MaxValue) : Math.Min(offered >> _rcvShift, ushort.MaxValue);
        int headerLength = new TcpHeaderFields
        {
            SourcePort = _options.LocalPort,
            DestinationPort = RemotePort,
            SequenceNumber = seq.Value,
            AcknowledgmentNumber = ack ? _rcvNxt.Value : 0,
            Flags = flags,
            Window = (ushort)window,
        }.Encode(buffer, options[..used]);

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
            _delayedAckDeadline = null;
            _lastAckSent = _rcvNxt;
            _rcvAdvertisedEdge = SeqNum32.Max(_rcvAdvertisedEdge, _rcvNxt + (syn ? window : window << _rcvShift));
        }

        return headerLength + payloadLength;
    }

    // Linux's SYN layout: MSS, SACK-permitted, Timestamps, NOP, Window Scale (NOPs where one is absent).
    private void WriteSynOptions(ref TcpOptionWriter writer, TimeSpan now, bool ack)
    {
        writer.Add(new MaximumSegmentSizeOption(_options.MaximumSegmentSize));
        bool active = State == TcpState.SynSent;
        bool sack = _options.UseSack && (active || _sackPermitted);
        bool timestamps = _options.UseTimestamps && (active || _timestamps);
        TimestampsOption stamp = new(TimestampNow(now), ack ? _tsRecent : 0);
        if (sack && timestamps)
        {
            writer.Add(new SackPermittedOption());
            writer.Add(stamp);
        }
        else if (timestamps)
        {
            writer.AddAligned(stamp);
        }
        else if (sack)
        {
            writer.AddAligned(new SackPermittedOption());
        }

        if (_options.UseWindowScaling && (active || _windowScaleAgreed))
        {
            writer.AddAligned(new WindowScaleOption((byte)_ourShift));
        }
    }

    // RFC 2018 §4: after TCP's and the hook's options, as many blocks as fit, the most recent first.
    private int WriteSackOption(Span<byte> options, int used, int blockLimit)
    {
        SackSpace(used, out int blocks);
        blocks = Math.Min(blocks, blockLimit);
        if (blocks == 0)
        {
            return 0;
        }

        int padding = (4 - ((used + 2) & 3)) & 3;
        options.Slice(used, padding).Fill((byte)TcpOptionKind.NoOperation);
        Span<SackBlock> recent = stackalloc SackBlock[SackOption.MaximumBlocks];
        int count = _outOfOrder.MostRecentFirst(recent[..blocks]);
        return padding + new SackOption(recent[..count]).Encode(options[(used + padding)..]);
    }

    private uint TimestampNow(TimeSpan now) => unchecked((uint)(now.Ticks / TimeSpan.TicksPerMillisecond) + _tsOffset);
}
