namespace MptcpPrivacy.Stack.Mptcp.PathManagement;

/// <summary>
/// A token bucket on the stack's injected time: <see cref="Rate"/> joins per second, up to
/// <see cref="Burst"/> at once. Starts full. Reads no clock: every call is given the time.
/// </summary>
internal sealed class JoinRateLimiter
{
    private double _tokens;
    private TimeSpan _last;

    /// <summary>Creates a full bucket.</summary>
    public JoinRateLimiter(double rate, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        Rate = rate;
        Burst = burst;
        _tokens = burst;
    }

    /// <summary>Gets the joins per second.</summary>
    public double Rate { get; }

    /// <summary>Gets the bucket's depth.</summary>
    public int Burst { get; }

    /// <summary>Takes a token at <paramref name="now"/> if there is one.</summary>
    public bool TryTake(TimeSpan now)
    {
        Refill(now);
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }

    /// <summary>Returns when the next token is there, given that none is at <paramref name="now"/>.</summary>
    public TimeSpan NextTokenAt(TimeSpan now)
    {
        Refill(now);
        return _tokens >= 1 ? now : now + TimeSpan.FromSeconds((1 - _tokens) / Rate) + TimeSpan.FromTicks(1);
    }

    private void Refill(TimeSpan now)
    {
        if (now > _last)
        {
            _tokens = Math.Min(Burst, _tokens + ((now - _last).TotalSeconds * Rate));
            _last = now;
        }
    }
}
