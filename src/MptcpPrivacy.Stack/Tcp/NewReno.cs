using MptcpPrivacy.Stack.Congestion;
using MptcpPrivacy.Stack.Sequencing;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>
/// NewReno congestion control: slow start and congestion avoidance (RFC 5681 §3.1), fast retransmit
/// and fast recovery with partial acknowledgments (RFC 6582 §3.2). The congestion-avoidance increase
/// is pluggable (<see cref="ICongestionAvoidance"/>), so coupled multipath controllers reuse the rest.
/// The initial slow start ends early, on a rising RTT, with HyStart++ (RFC 9406).
/// </summary>
public sealed class NewReno : ICongestionControl
{
    private readonly ICongestionAvoidance _avoidance;
    private int _mss = 536;
    private bool _inRecovery;
    private SeqNum32 _recover;
    private readonly HyStartPlusPlus _hyStart = new();

    /// <summary>Creates a controller with standard TCP congestion avoidance (RFC 5681 §3.1).</summary>
    public NewReno()
        : this(new RenoCongestionAvoidance())
    {
    }

    /// <summary>Creates a controller whose congestion-avoidance increase is <paramref name="avoidance"/>.</summary>
    public NewReno(ICongestionAvoidance avoidance)
    {
        ArgumentNullException.ThrowIfNull(avoidance);
        _avoidance = avoidance;
    }

    /// <inheritdoc/>
    public int CongestionWindow { get; private set; } = 4 * 536;

    /// <inheritdoc/>
    public int SlowStartThreshold { get; private set; } = int.MaxValue;

    /// <summary>Gets whether the controller is in fast recovery.</summary>
    public bool InFastRecovery => _inRecovery;

    /// <summary>Gets HyStart++'s phase in the initial slow start.</summary>
    public SlowStartPhase SlowStartPhase => _hyStart.Phase;

    /// <summary>Gets the sender MSS the controller counts in (set by <see cref="Initialize"/>).</summary>
    public int SenderMss => _mss;

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
            CongestionWindow += _hyStart.Scale(Math.Min(bytesAcked, _mss));
        }
        else
        {
            // RFC 5681 §3.1 by default: about one MSS per RTT, counted in bytes; never below one segment.
            CongestionWindow = Math.Max(CongestionWindow + _avoidance.OnAvoidanceAck(bytesAcked, CongestionWindow, _mss), _mss);
        }

        return false;
    }

    /// <inheritdoc/>
    public void OnAckTiming(SeqNum32 ack, SeqNum32 highestSent, TimeSpan? rttSample)
    {
        if (_inRecovery || CongestionWindow >= SlowStartThreshold)
        {
            return;
        }

        if (_hyStart.OnAck(ack, highestSent, rttSample))
        {
            // RFC 9406 §4.2: conservative slow start ran its rounds; on to congestion avoidance.
            SlowStartThreshold = CongestionWindow;
        }
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
        _hyStart.OnCongestion();
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
        _hyStart.OnCongestion();
        SlowStartThreshold = Math.Max(flightSize / 2, 2 * _mss);
        CongestionWindow = _mss;
        _inRecovery = false;
        _avoidance.Reset();
    }
}
