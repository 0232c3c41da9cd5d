using MptcpPrivacy.Stack.Sequencing;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>
/// NewReno congestion control: slow start and congestion avoidance (RFC 5681 §3.1), fast retransmit
/// and fast recovery with partial acknowledgments (RFC 6582 §3.2).
/// </summary>
public sealed class NewReno : ICongestionControl
{
    private int _mss = 536;
    private bool _inRecovery;
    private SeqNum32 _recover;
    private int _avoidanceCredit;

    /// <inheritdoc/>
    public int CongestionWindow { get; private set; } = 4 * 536;

    /// <inheritdoc/>
    public int SlowStartThreshold { get; private set; } = int.MaxValue;

    /// <summary>Gets whether the controller is in fast recovery.</summary>
    public bool InFastRecovery => _inRecovery;

    /// <inheritdoc/>
    public void Initialize(int senderMss)
    {
        _mss = senderMss;

        // RFC 5681 §3.1 equation (1).
        CongestionWindow = senderMss > 2190 ? 2 * senderMss : senderMss > 1095 ? 3 * senderMss : 4 * senderMss;
    }

    /// <inheritdoc/>
    public bool OnAck(SeqNum32 ack, int bytesAcked, int flightSizeBefore)
    {
        if (_inRecovery)
        {
            if (ack > _recover || ack == _recover)
            {
                // RFC 6582 §3.2 step 3, full acknowledgment: deflate.
                CongestionWindow = Math.Max(Math.Min(SlowStartThreshold, Math.Max(flightSizeBefore - bytesAcked, 0) + _mss), _mss);
                _inRecovery = false;
                return false;
            }

            // Partial acknowledgment: retransmit the next hole, deflate by the amount acked.
            CongestionWindow = Math.Max(CongestionWindow - bytesAcked + (bytesAcked >= _mss ? _mss : 0), _mss);
            return true;
        }

        if (CongestionWindow < SlowStartThreshold)
        {
            CongestionWindow += Math.Min(bytesAcked, _mss);
        }
        else
        {
            // RFC 5681 §3.1: about one MSS per RTT, counted in bytes (appropriate byte counting).
            _avoidanceCredit += bytesAcked;
            if (_avoidanceCredit >= CongestionWindow)
            {
                _avoidanceCredit -= CongestionWindow;
                CongestionWindow += _mss;
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public bool OnDuplicateAck(int count, int flightSize, SeqNum32 highestSent)
    {
        if (_inRecovery)
        {
            CongestionWindow += _mss;
            return false;
        }

        if (count != 3)
        {
            return false;
        }

        // RFC 5681 §3.2 steps 2-3 with RFC 6582 §3.2 step 2's recover.
        SlowStartThreshold = Math.Max(flightSize / 2, 2 * _mss);
        CongestionWindow = SlowStartThreshold + (3 * _mss);
        _recover = highestSent;
        _inRecovery = true;
        return true;
    }

    /// <inheritdoc/>
    public void OnRetransmissionTimeout(int flightSize)
    {
        // RFC 5681 §3.1 equation (4) and the loss window of one segment.
        SlowStartThreshold = Math.Max(flightSize / 2, 2 * _mss);
        CongestionWindow = _mss;
        _inRecovery = false;
        _avoidanceCredit = 0;
    }
}
