namespace MptcpPrivacy.Stack.Congestion;

/// <summary>
/// Appropriate byte counting for congestion avoidance (RFC 3465 §2.1, RFC 5681 §3.1): acknowledged
/// bytes accumulate until they reach a threshold, which then buys one MSS of window. A negative
/// threshold counts towards taking one MSS away instead (OLIA's decrease on max-window paths), and
/// increases and decreases cancel in the one counter, as in Linux's <c>snd_cwnd_cnt</c>.
/// </summary>
internal struct ByteCountingCredit
{
    private long _credit;

    /// <summary>
    /// Counts <paramref name="bytesAcked"/> against <paramref name="threshold"/> bytes per MSS
    /// (positive: grow, negative: shrink, zero: no change) and returns the change of cwnd: +MSS, -MSS or 0.
    /// </summary>
    public int Add(int bytesAcked, long threshold, int mss)
    {
        if (threshold == 0)
        {
            return 0;
        }

        _credit += threshold > 0 ? bytesAcked : -bytesAcked;
        long magnitude = Math.Abs(threshold);
        if (_credit >= magnitude)
        {
            _credit -= magnitude;
            return mss;
        }

        if (_credit <= -magnitude)
        {
            _credit += magnitude;
            return -mss;
        }

        return 0;
    }

    /// <summary>Forgets the partial credit.</summary>
    public void Reset() => _credit = 0;
}
