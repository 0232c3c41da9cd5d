namespace MptcpPrivacy.Stack.Congestion;

/// <summary>
/// The Linked Increases Algorithm (LIA), RFC 6356 §3: for each ACK on subflow i in congestion
/// avoidance, cwnd_i grows by min(alpha * bytes_acked * MSS_i / cwnd_total, bytes_acked * MSS_i / cwnd_i),
/// with alpha = cwnd_total * max_i(cwnd_i / rtt_i^2) / (sum_i cwnd_i / rtt_i)^2.
/// </summary>
/// <remarks>
/// The increase is kept as "one MSS per T bytes acknowledged" with T = max(cwnd_total / alpha, cwnd_i),
/// counted in bytes like NewReno. cwnd_total cancels out of cwnd_total / alpha, leaving
/// (sum_i cwnd_i * rtt_j / rtt_i)^2 / cwnd_j for the j that maximises cwnd_j / rtt_j^2; each term of
/// that sum is at most sqrt(cwnd_i * cwnd_j) &lt; 2^31, so in 16-bit fixed point the square fits 128
/// bits exactly, with no floating point and no rounding of alpha (RFC 6356 §4 discusses the scaling).
/// </remarks>
public sealed class LinkedIncreases : CoupledCongestionControl
{
    /// <summary>Creates the controller of one subflow and joins it to <paramref name="group"/>.</summary>
    public LinkedIncreases(CoupledCongestionGroup group)
        : base(group)
    {
    }

    /// <summary>
    /// Gets alpha over the members with an RTT sample (RFC 6356 §3), for diagnostics: 1 for a
    /// single path, 1/n for n paths with equal windows and RTTs. The window arithmetic does not use it.
    /// </summary>
    public double Alpha
    {
        get
        {
            CoupledPath[] paths = SnapshotPaths(out _);
            return paths.Length == 0 ? 1 : ComputeAlpha(paths);
        }
    }

    /// <summary>Computes RFC 6356 alpha in floating point (diagnostics and tests).</summary>
    internal static double ComputeAlpha(ReadOnlySpan<CoupledPath> paths)
    {
        double total = 0, best = 0, sum = 0;
        foreach (CoupledPath p in paths)
        {
            double rtt = p.RttTicks;
            total += p.Window;
            best = Math.Max(best, p.Window / (rtt * rtt));
            sum += p.Window / rtt;
        }

        return total * best / (sum * sum);
    }

    /// <summary>
    /// Returns the bytes path <paramref name="self"/> must have acknowledged for one MSS of growth:
    /// max(cwnd_total / alpha, cwnd_self), RFC 6356 §3.
    /// </summary>
    internal static long Threshold(ReadOnlySpan<CoupledPath> paths, int self)
    {
        // j = argmax cwnd_j / rtt_j^2, compared exactly: w_a * r_b^2 > w_b * r_a^2 (at most 2^31 * 2^72).
        int best = 0;
        for (int i = 1; i < paths.Length; i++)
        {
            UInt128 candidate = (UInt128)paths[i].Window * (ulong)paths[best].RttTicks * (ulong)paths[best].RttTicks;
            UInt128 current = (UInt128)paths[best].Window * (ulong)paths[i].RttTicks * (ulong)paths[i].RttTicks;
            if (candidate > current)
            {
                best = i;
            }
        }

        // cwnd_total / alpha = (sum_i w_i * r_j / r_i)^2 / w_j; the sum in 2^-16 byte units.
        long rttBest = paths[best].RttTicks;
        UInt128 sum = 0;
        foreach (CoupledPath p in paths)
        {
            sum += ((UInt128)p.Window * (ulong)rttBest << 16) / (ulong)p.RttTicks;
        }

        UInt128 threshold = sum * sum / ((UInt128)paths[best].Window << 32);
        long bytes = threshold > long.MaxValue ? long.MaxValue : (long)threshold;
        return Math.Max(bytes, paths[self].Window);
    }

    /// <inheritdoc/>
    private protected override long AvoidanceThreshold(ReadOnlySpan<CoupledPath> paths, int self) => Threshold(paths, self);
}
