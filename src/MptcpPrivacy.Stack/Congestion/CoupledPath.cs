namespace MptcpPrivacy.Stack.Congestion;

/// <summary>
/// One subflow as a coupled controller sees it when it computes an increase: its coupled window in
/// bytes, its smoothed RTT in ticks (100 ns, clamped to [1, 2^36] so products fit 128 bits), and,
/// for OLIA, the bytes acknowledged between losses.
/// </summary>
internal readonly record struct CoupledPath(long Window, long RttTicks, long LossInterval = 0)
{
    /// <summary>The largest RTT the arithmetic takes, about 1.9 hours; longer samples are clamped.</summary>
    public const long MaxRttTicks = 1L << 36;

    /// <summary>Clamps a smoothed RTT into the range the 128-bit arithmetic is proved safe for.</summary>
    public static long ClampRtt(TimeSpan rtt) => Math.Clamp(rtt.Ticks, 1, MaxRttTicks);
}
