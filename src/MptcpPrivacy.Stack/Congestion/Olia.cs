namespace MptcpPrivacy.Stack.Congestion;

/// <summary>
/// The Opportunistic Linked Increases Algorithm (OLIA; Khalili, Gast, Popovic, Le Boudec, "MPTCP is
/// not Pareto-optimal", and draft-khalili-mptcp-congestion-control), as the Linux out-of-tree
/// <c>mptcp_olia.c</c> runs it: for each ACK on path r in congestion avoidance, in packets,
/// w_r += (w_r / rtt_r^2) / (sum_p w_p / rtt_p)^2 + epsilon_r / w_r.
/// </summary>
/// <remarks>
/// <para>
/// l_r, the bytes acknowledged between losses, is the larger of the bytes between the last two
/// losses and the bytes since the last one. The presumed best paths B maximise l_r / rtt_r^2; the
/// max-window paths M have the largest window. When some best path has less than the largest window
/// (B \ M not empty), epsilon_r = 1 / (|P| * |B \ M|) on those paths and -1 / (|P| * |M|) on the
/// max-window paths, so windows move towards the best paths; otherwise every epsilon_r is 0.
/// </para>
/// <para>
/// The increase is counted in bytes (byte counting instead of Linux's one step per ACK) and kept
/// as "one MSS per T bytes", T = 1 / (w_r / S^2 + epsilon_r / w_r) with S = sum_p w_p * rtt_r / rtt_p,
/// in 128-bit fixed point. A negative T shrinks the window by one MSS per |T| bytes, as Linux
/// decrements <c>snd_cwnd</c>; the window never drops below one MSS.
/// </para>
/// </remarks>
public sealed class Olia : CoupledCongestionControl
{
    private const int FractionBits = 32;
    private const long MaxSum = 1L << 60;
    private long _sinceLastLoss;
    private long _betweenLastLosses;

    /// <summary>Creates the controller of one subflow and joins it to <paramref name="group"/>.</summary>
    public Olia(CoupledCongestionGroup group)
        : base(group)
    {
    }

    /// <summary>Gets l_r: the larger of the bytes acknowledged between the last two losses and since the last one.</summary>
    public long BytesBetweenLosses => Math.Max(_sinceLastLoss, _betweenLastLosses);

    /// <summary>Gets epsilon_r as a fraction over the members with an RTT sample (0/1 when uncoupled).</summary>
    public (int Numerator, int Denominator) Epsilon
    {
        get
        {
            CoupledPath[] paths = SnapshotPaths(out int self);
            return self < 0 ? (0, 1) : ComputeEpsilon(paths, self);
        }
    }

    /// <inheritdoc/>
    private protected override long LossInterval => BytesBetweenLosses;

    /// <summary>Computes epsilon_r of <paramref name="paths"/>[<paramref name="self"/>] as mptcp_olia.c's <c>mptcp_get_epsilon</c>.</summary>
    internal static (int Numerator, int Denominator) ComputeEpsilon(ReadOnlySpan<CoupledPath> paths, int self)
    {
        long maxWindow = 0;
        int best = 0;
        for (int i = 0; i < paths.Length; i++)
        {
            maxWindow = Math.Max(maxWindow, paths[i].Window);
            if (RateCompare(paths[i], paths[best]) > 0)
            {
                best = i;
            }
        }

        int inM = 0, bestNotInM = 0;
        foreach (CoupledPath p in paths)
        {
            if (p.Window == maxWindow)
            {
                inM++;
            }
            else if (RateCompare(p, paths[best]) == 0)
            {
                bestNotInM++;
            }
        }

        if (bestNotInM == 0)
        {
            return (0, 1);
        }

        CoupledPath me = paths[self];
        if (me.Window < maxWindow && RateCompare(me, paths[best]) == 0)
        {
            return (1, paths.Length * bestNotInM);
        }

        return me.Window == maxWindow ? (-1, paths.Length * inM) : (0, 1);
    }

    /// <summary>
    /// Returns the signed bytes path <paramref name="self"/> must have acknowledged per MSS of change:
    /// positive grows, negative shrinks, zero leaves the window.
    /// </summary>
    internal static long Threshold(ReadOnlySpan<CoupledPath> paths, int self)
    {
        (int epsilonNumerator, int epsilonDenominator) = ComputeEpsilon(paths, self);
        CoupledPath me = paths[self];

        // S = sum_p w_p * rtt_r / rtt_p in 2^-16 byte units; S >= w_r because the term p = r is exact.
        // Capped so S^2 fits: beyond 2^44 bytes w_r / S^2 is negligible next to any epsilon term.
        UInt128 sum = 0;
        foreach (CoupledPath p in paths)
        {
            sum += ((UInt128)p.Window * (ulong)me.RttTicks << 16) / (ulong)p.RttTicks;
        }

        sum = UInt128.Min(sum, MaxSum);

        // q = (w_r / S)^2 in 2^-32 units, at most 2^32.
        UInt128 scaledWindow = (UInt128)me.Window << 16;
        UInt128 q = (scaledWindow * scaledWindow << FractionBits) / (sum * sum);

        // 1 / T = (epsilon_den * q + epsilon_num) / (epsilon_den * w_r); the 2^32 scales cancel.
        Int128 denominator = ((Int128)epsilonDenominator * (Int128)q) + ((Int128)epsilonNumerator << FractionBits);
        if (denominator == 0)
        {
            // epsilon 0 with w_r/S^2 below the fixed point's resolution: growth too slow to count.
            // Otherwise the two terms cancel exactly: the window stays.
            return epsilonNumerator == 0 ? long.MaxValue : 0;
        }

        Int128 numerator = ((Int128)epsilonDenominator * me.Window) << FractionBits;
        Int128 magnitude = numerator / Int128.Abs(denominator);
        long bytes = magnitude > long.MaxValue ? long.MaxValue : Math.Max((long)magnitude, 1);
        return denominator > 0 ? bytes : -bytes;
    }

    /// <inheritdoc/>
    private protected override long AvoidanceThreshold(ReadOnlySpan<CoupledPath> paths, int self) => Threshold(paths, self);

    /// <inheritdoc/>
    private protected override void OnBytesAcked(int bytesAcked) => _sinceLastLoss += bytesAcked;

    /// <inheritdoc/>
    private protected override void OnLossEvent()
    {
        // mptcp_olia_set_state: shift the loss history unless nothing was acknowledged since the last
        // loss (a repeated timeout), so l_r keeps the last full inter-loss distance.
        if (_sinceLastLoss != 0)
        {
            _betweenLastLosses = _sinceLastLoss;
            _sinceLastLoss = 0;
        }
    }

    /// <summary>Compares l_a / rtt_a^2 with l_b / rtt_b^2 exactly (l below 2^52 bytes, rtt below 2^36 ticks).</summary>
    private static int RateCompare(CoupledPath a, CoupledPath b)
    {
        UInt128 left = (UInt128)(ulong)Math.Min(a.LossInterval, 1L << 52) * (ulong)b.RttTicks * (ulong)b.RttTicks;
        UInt128 right = (UInt128)(ulong)Math.Min(b.LossInterval, 1L << 52) * (ulong)a.RttTicks * (ulong)a.RttTicks;
        return left.CompareTo(right);
    }
}
