using MptcpPrivacy.Stack.Sequencing;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>Where <see cref="HyStartPlusPlus"/> stands.</summary>
public enum SlowStartPhase : byte
{
    /// <summary>Standard slow start, watching the round-trip time.</summary>
    SlowStart,

    /// <summary>Conservative slow start (RFC 9406 §4.2): the delay rose; growth is a quarter of slow start's.</summary>
    ConservativeSlowStart,

    /// <summary>Slow start has ended (by a delay increase, a loss or a timeout); HyStart++ no longer acts.</summary>
    Ended,
}

/// <summary>
/// HyStart++ (RFC 9406): leaves the initial slow start when the round-trip time rises, before the
/// bottleneck's queue overflows. Without it, slow start doubles the window until a drop-tail queue
/// (HTB's default, 1,000 packets) drops half a window at once; the retransmissions then meet the
/// same full queue and the subflow stalls for a retransmission timeout.
/// </summary>
/// <remarks>
/// Rounds are delimited as in §4.2: a round ends when an ACK covers the highest sequence number sent
/// when the round began. In each round the minimum RTT of its samples is kept; once a round has
/// <see cref="RttSamplesPerRound"/> samples and its minimum exceeds the previous round's by
/// clamp(previous / 8, 4 ms, 16 ms), slow start gives way to conservative slow start, which returns
/// to slow start if a later round's minimum falls below the one that triggered it, and ends in
/// congestion avoidance (ssthresh = cwnd) after <see cref="ConservativeRounds"/> rounds.
/// A loss or timeout ends it for good; slow start after a timeout is plain RFC 5681 slow start (§4.3).
/// </remarks>
public sealed class HyStartPlusPlus
{
    /// <summary>RFC 9406 N_RTT_SAMPLE: RTT samples a round needs before its minimum is trusted.</summary>
    public const int RttSamplesPerRound = 8;

    /// <summary>RFC 9406 CSS_ROUNDS: rounds of conservative slow start before congestion avoidance.</summary>
    public const int ConservativeRounds = 5;

    /// <summary>RFC 9406 CSS_GROWTH_DIVISOR.</summary>
    public const int ConservativeGrowthDivisor = 4;

    private static readonly TimeSpan MinRttThreshold = TimeSpan.FromMilliseconds(4);
    private static readonly TimeSpan MaxRttThreshold = TimeSpan.FromMilliseconds(16);
    private const int MinRttDivisor = 8;

    private bool _roundStarted;
    private SeqNum32 _windowEnd;
    private TimeSpan _lastRoundMinRtt = TimeSpan.MaxValue;
    private TimeSpan _currentRoundMinRtt = TimeSpan.MaxValue;
    private TimeSpan _conservativeBaselineMinRtt = TimeSpan.MaxValue;
    private int _rttSampleCount;
    private int _conservativeRounds;
    private int _conservativeCredit;

    /// <summary>Gets the phase.</summary>
    public SlowStartPhase Phase { get; private set; }

    /// <summary>
    /// Takes an ACK at or above SND.UNA with its RTT <paramref name="sample"/>, if it gave one;
    /// <paramref name="highestSent"/> is SND.NXT. Returns true when conservative slow start has just
    /// run its rounds: the caller sets ssthresh to cwnd and continues in congestion avoidance.
    /// </summary>
    public bool OnAck(SeqNum32 ack, SeqNum32 highestSent, TimeSpan? sample)
    {
        if (Phase == SlowStartPhase.Ended)
        {
            return false;
        }

        if (!_roundStarted || ack > _windowEnd)
        {
            // RFC 9406 §4.2: a new round.
            _roundStarted = true;
            _windowEnd = highestSent;
            _lastRoundMinRtt = _currentRoundMinRtt;
            _currentRoundMinRtt = TimeSpan.MaxValue;
            _rttSampleCount = 0;
            if (Phase == SlowStartPhase.ConservativeSlowStart && ++_conservativeRounds >= ConservativeRounds)
            {
                Phase = SlowStartPhase.Ended;
                return true;
            }
        }

        if (sample is not { } rtt)
        {
            return false;
        }

        if (rtt < _currentRoundMinRtt)
        {
            _currentRoundMinRtt = rtt;
        }

        _rttSampleCount++;
        if (_rttSampleCount < RttSamplesPerRound || _currentRoundMinRtt == TimeSpan.MaxValue || _lastRoundMinRtt == TimeSpan.MaxValue)
        {
            return false;
        }

        if (Phase == SlowStartPhase.SlowStart)
        {
            TimeSpan threshold = TimeSpan.FromTicks(Math.Clamp(_lastRoundMinRtt.Ticks / MinRttDivisor, MinRttThreshold.Ticks, MaxRttThreshold.Ticks));
            if (_currentRoundMinRtt >= _lastRoundMinRtt + threshold)
            {
                _conservativeBaselineMinRtt = _currentRoundMinRtt;
                _conservativeRounds = 0;
                Phase = SlowStartPhase.ConservativeSlowStart;
            }
        }
        else if (_currentRoundMinRtt < _conservativeBaselineMinRtt)
        {
            // The increase was spurious: back to slow start.
            _conservativeBaselineMinRtt = TimeSpan.MaxValue;
            Phase = SlowStartPhase.SlowStart;
        }

        return false;
    }

    /// <summary>Returns the slow-start increase for <paramref name="increase"/> bytes of standard growth (a quarter, carried over in bytes, in conservative slow start).</summary>
    public int Scale(int increase)
    {
        if (Phase != SlowStartPhase.ConservativeSlowStart)
        {
            return increase;
        }

        _conservativeCredit += increase;
        int grant = _conservativeCredit / ConservativeGrowthDivisor;
        _conservativeCredit -= grant * ConservativeGrowthDivisor;
        return grant;
    }

    /// <summary>Takes a loss or a retransmission timeout: slow start is over (§4.2, §4.3).</summary>
    public void OnCongestion() => Phase = SlowStartPhase.Ended;
}
