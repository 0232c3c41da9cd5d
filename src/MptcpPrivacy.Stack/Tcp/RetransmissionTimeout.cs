namespace MptcpPrivacy.Stack.Tcp;

/// <summary>The retransmission timeout estimator of RFC 6298: SRTT, RTTVAR, bounds and exponential backoff.</summary>
public sealed class RetransmissionTimeout
{
    private readonly TcpSubflowOptions _options;
    private TimeSpan _base;

    /// <summary>Creates an estimator with no sample yet (RFC 6298 §2.1).</summary>
    public RetransmissionTimeout(TcpSubflowOptions options)
    {
        _options = options;
        _base = options.InitialRetransmissionTimeout;
        Current = _base;
    }

    /// <summary>Gets the smoothed round-trip time, or null before the first sample.</summary>
    public TimeSpan? SmoothedRtt { get; private set; }

    /// <summary>Gets the round-trip time variation.</summary>
    public TimeSpan RttVariation { get; private set; }

    /// <summary>Gets the timeout to arm now, backoff included.</summary>
    public TimeSpan Current { get; private set; }

    /// <summary>Gets how many times the timeout has been doubled since the last sample.</summary>
    public int BackoffCount { get; private set; }

    /// <summary>Takes a round-trip measurement (RFC 6298 §2.2, §2.3) and clears the backoff.</summary>
    public void OnSample(TimeSpan r)
    {
        if (r < TimeSpan.Zero)
        {
            return;
        }

        if (SmoothedRtt is not { } srtt)
        {
            SmoothedRtt = r;
            RttVariation = r / 2;
        }
        else
        {
            // beta = 1/4, alpha = 1/8; RTTVAR first, with the old SRTT.
            TimeSpan delta = srtt - r;
            RttVariation = (RttVariation * 3 / 4) + (delta.Duration() / 4);
            SmoothedRtt = (srtt * 7 / 8) + (r / 8);
        }

        TimeSpan k = RttVariation * 4;
        _base = Clamp(SmoothedRtt.Value + (k > _options.ClockGranularity ? k : _options.ClockGranularity));
        BackoffCount = 0;
        Current = _base;
    }

    /// <summary>Doubles the timeout after it expired (RFC 6298 §5.5), up to the maximum.</summary>
    public void Backoff()
    {
        BackoffCount++;
        Current = Clamp(Current * 2);
    }

    private TimeSpan Clamp(TimeSpan value)
    {
        if (value < _options.MinimumRetransmissionTimeout)
        {
            return _options.MinimumRetransmissionTimeout;
        }

        return value > _options.MaximumRetransmissionTimeout ? _options.MaximumRetransmissionTimeout : value;
    }
}
