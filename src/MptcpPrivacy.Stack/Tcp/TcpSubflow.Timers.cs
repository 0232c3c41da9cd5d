namespace MptcpPrivacy.Stack.Tcp;

/// <summary>The connection's timers: retransmission and persist (RFC 6298, RFC 9293 §3.8.6.1), TIME-WAIT, delayed ACK, keep-alive and user timeout.</summary>
public sealed partial class TcpSubflow
{
    /// <summary>Gets the earliest time at which <see cref="OnTimer"/> wants to run, or null when no timer is armed.</summary>
    public TimeSpan? NextDeadline => Earliest(Earliest(Earliest(_retransmitDeadline, _timeWaitDeadline), Earliest(_delayedAckDeadline, _userTimeoutDeadline)), KeepAliveDeadline);

    // RFC 1122 §4.2.3.6: probes go only on an idle connection, counted from the last segment received.
    private TimeSpan? KeepAliveDeadline =>
        _options.KeepAliveIdle is { } idle && State is TcpState.Established or TcpState.CloseWait or TcpState.FinWait2
            && _sndMax == _sndUna && BytesFromSendNext == 0 && !_keepAliveProbePending
            ? _lastReceived + idle + (_keepAliveProbesSent * _options.KeepAliveInterval)
            : null;

    /// <summary>Runs the timers whose deadline is at or before <paramref name="now"/>.</summary>
    public void OnTimer(TimeSpan now)
    {
        if (_timeWaitDeadline is { } timeWait && timeWait <= now)
        {
            _timeWaitDeadline = null;
            EnterClosed(TcpCloseReason.Normal);
            return;
        }

        if (_userTimeoutDeadline is { } userTimeout && userTimeout <= now)
        {
            // RFC 9293 §3.8.5: "connection aborted due to user timeout"; like Linux, without a RST.
            EnterClosed(TcpCloseReason.TimedOut);
            return;
        }

        if (KeepAliveDeadline is { } keepAlive && keepAlive <= now)
        {
            if (_keepAliveProbesSent >= _options.KeepAliveProbes)
            {
                // Linux resets a connection whose peer answered no probe.
                CloseWithReset(TcpCloseReason.KeepAliveTimedOut);
                return;
            }

            _keepAliveProbesSent++;
            _keepAliveProbePending = true;
        }

        if (_delayedAckDeadline is { } delayedAck && delayedAck <= now)
        {
            _delayedAckDeadline = null;
            _ackPending = true;
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

            OnRetransmissionTimeout(now);
        }
        else if (_sndWnd == 0 && BytesFromSendNext > 0)
        {
            // RFC 9293 §3.8.6.1: the persist timer fired; probe the zero window with one byte.
            RetransmissionTimeout.Backoff();
            _forceProbe = true;
        }
    }

    // RFC 9293 §3.8.6.3 / RFC 1122 §4.2.3.2: acknowledge in-order data at once when more than one
    // full-sized segment is unacknowledged, otherwise within the delay.
    private void ScheduleAck(TimeSpan now)
    {
        if (_options.DelayedAck <= TimeSpan.Zero || _rcvNxt - _lastAckSent > _rcvMss)
        {
            _ackPending = true;
        }
        else
        {
            _delayedAckDeadline ??= now + _options.DelayedAck;
        }
    }

    private void UpdatePersistTimer(TimeSpan now)
    {
        if (IsSynchronized && _retransmitDeadline is null && _sndWnd == 0 && _sndMax == _sndUna && BytesFromSendNext > 0)
        {
            _retransmitDeadline = now + RetransmissionTimeout.Current;
        }
    }

    private static TimeSpan? Earliest(TimeSpan? a, TimeSpan? b) => a is { } x && b is { } y ? (x < y ? x : y) : a ?? b;
}
