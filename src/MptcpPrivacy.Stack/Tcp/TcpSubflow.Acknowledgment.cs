using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>The sender's side of an arriving ACK: SND.UNA, RTT samples, duplicate ACKs and the SACK scoreboard (RFC 5681, 6298, 6582, 6675).</summary>
public sealed partial class TcpSubflow
{
    // RFC 6675 §2 state of one loss recovery, in our exclusive-end terms: RecoveryPoint is SND.MAX at
    // entry, HighRxt the octet after the highest retransmitted.
    private bool _inSackRecovery;
    private bool _firstRetransmitPending;
    private bool _rescueSent;
    private SeqNum32 _recoveryPoint;
    private SeqNum32 _highRxt;

    // RFC 6675 §5.1: after a timeout no new recovery starts until SND.UNA reaches SND.MAX of the time.
    private bool _afterTimeout;
    private SeqNum32 _timeoutRecoveryPoint;

    private void OnAcknowledgment(TimeSpan now, SeqNum32 ack, uint window, in ReceivedOptions options, bool isPureAck)
    {
        bool advanced = ack > _sndUna;
        if (advanced)
        {
            AdvanceUnacknowledged(now, ack, options);
        }

        // RFC 6675 §4 Update(): after the cumulative ACK, so that blocks are judged against the new SND.UNA.
        bool newlySacked = _sackPermitted && options.Sack is { } sack && _scoreboard.Update(sack, _sndUna, _sndMax);

        // RFC 5681 §2 duplicate ACK; with SACK, one that reports new data (RFC 6675 §2).
        bool duplicate = !advanced && ack == _sndUna && isPureAck && _sndMax != _sndUna
            && (newlySacked || ((!_sackPermitted || options.Sack is null) && window == _sndWnd));
        if (!duplicate)
        {
            return;
        }

        _duplicateAcks++;
        if (!_sackPermitted)
        {
            if (_congestion.OnDuplicateAck(_duplicateAcks, FlightSize, _sndMax))
            {
                _fastRetransmitPending = true;
            }
        }
        else if (_inSackRecovery)
        {
            // The controller sees every duplicate; the sender is bounded by pipe, not by its inflation.
            _congestion.OnDuplicateAck(_duplicateAcks, FlightSize, _sndMax);
        }
        else if (!_afterTimeout)
        {
            // RFC 6675 §5 step 2: DupThresh duplicates, or IsLost(HighACK + 1) from the SACKed segments alone.
            bool lost = _duplicateAcks >= SackScoreboard.DupThresh || _scoreboard.IsLost(_sndUna, MaxPayload);
            int count = lost ? Math.Max(_duplicateAcks, SackScoreboard.DupThresh) : _duplicateAcks;
            if (_congestion.OnDuplicateAck(count, FlightSize, _sndMax))
            {
                EnterSackRecovery();
            }
        }
    }

    private void EnterSackRecovery()
    {
        // RFC 6675 §5 step 4: RecoveryPoint = HighData; retransmit the first segment, then run NextSeg.
        _inSackRecovery = true;
        _recoveryPoint = _sndMax;
        _highRxt = _sndUna;
        _rescueSent = false;
        _firstRetransmitPending = true;
    }

    private void AdvanceUnacknowledged(TimeSpan now, SeqNum32 ack, in ReceivedOptions options)
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
        _scoreboard.OnCumulativeAck(ack);
        _highRxt = SeqNum32.Max(_highRxt, ack);

        // RTT: prefer the echoed timestamp (RFC 7323 §4.1), else the one timed segment (Karn).
        TimestampsOption? ts = _timestamps ? options.Timestamps : null;
        TimeSpan? rttSample = null;
        if (ts is { EchoReply: not 0 } echo)
        {
            rttSample = TimeSpan.FromMilliseconds(unchecked(TimestampNow(now) - echo.EchoReply));
            RetransmissionTimeout.OnSample(rttSample.Value);
            _rttTiming = false;
        }
        else if (_rttTiming && ack > _rttSeq)
        {
            rttSample = now - _rttStart;
            RetransmissionTimeout.OnSample(rttSample.Value);
            _rttTiming = false;
        }

        if (RetransmissionTimeout.SmoothedRtt is { } srtt)
        {
            _congestion.OnRttSample(srtt);
        }

        // RFC 6298 §5.2-5.3, and the user timeout restarts on progress.
        bool outstanding = _sndUna != _sndMax;
        _retransmitDeadline = outstanding ? now + RetransmissionTimeout.Current : null;
        _userTimeoutDeadline = outstanding && _options.UserTimeout is { } userTimeout ? now + userTimeout : null;
        if (IsSynchronized && State != TcpState.SynReceived)
        {
            _congestion.OnAckTiming(ack, _sndMax, rttSample);
        }

        bool retransmitNow = IsSynchronized && State != TcpState.SynReceived && _congestion.OnAck(ack, dataAcked, flightBefore);
        if (!_sackPermitted)
        {
            _fastRetransmitPending |= retransmitNow;
        }

        // RFC 6675 §5 (A): a cumulative ACK at or past RecoveryPoint ends the recovery.
        if (_inSackRecovery && ack >= _recoveryPoint)
        {
            _inSackRecovery = false;
            _firstRetransmitPending = false;
        }

        if (_afterTimeout && ack >= _timeoutRecoveryPoint)
        {
            _afterTimeout = false;
        }
    }

    // RFC 6298 §5.4-5.7 with RFC 6675 §5.1: go back to SND.UNA, end any SACK recovery.
    private void OnRetransmissionTimeout(TimeSpan now)
    {
        if (_sackPermitted)
        {
            // RFC 2018 §8: the receiver may have reneged; trust the scoreboard for one timeout, not two in a row.
            if (RetransmissionTimeout.BackoffCount > 0)
            {
                _scoreboard.Clear();
            }

            _inSackRecovery = false;
            _firstRetransmitPending = false;
            _afterTimeout = true;
            _timeoutRecoveryPoint = _sndMax;
        }

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
}
