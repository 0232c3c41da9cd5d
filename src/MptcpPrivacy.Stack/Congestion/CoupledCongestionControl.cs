using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Stack.Tcp;

namespace MptcpPrivacy.Stack.Congestion;

/// <summary>
/// A subflow's congestion controller whose congestion-avoidance increase is coupled with the other
/// subflows of its <see cref="CoupledCongestionGroup"/>. Slow start, fast retransmit, fast recovery
/// and the multiplicative decrease are exactly NewReno's (RFC 6356 §3: "the same as in standard TCP");
/// only the increase above ssthresh is shared. Until the subflow has an RTT sample, or after it has
/// left the group, it behaves as uncoupled NewReno.
/// </summary>
public abstract class CoupledCongestionControl : ICongestionControl
{
    private const int StackPaths = 16;
    private readonly NewReno _reno;
    private ByteCountingCredit _credit;

    private protected CoupledCongestionControl(CoupledCongestionGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        Group = group;
        _reno = new NewReno(new CoupledIncrease(this));
        group.Add(this);
    }

    /// <summary>Gets the group this controller was created in.</summary>
    public CoupledCongestionGroup Group { get; }

    /// <summary>Gets the last smoothed RTT reported by <see cref="OnRttSample"/>, or null before the first.</summary>
    public TimeSpan? SmoothedRtt { get; private set; }

    /// <inheritdoc/>
    public int CongestionWindow => _reno.CongestionWindow;

    /// <inheritdoc/>
    public int SlowStartThreshold => _reno.SlowStartThreshold;

    /// <summary>Gets whether the subflow is in fast recovery.</summary>
    public bool InFastRecovery => _reno.InFastRecovery;

    /// <summary>
    /// Gets the window other members see: ssthresh during fast recovery, whose inflated cwnd is no
    /// rate (Linux's <c>mptcp_get_crt_cwnd</c>), else cwnd.
    /// </summary>
    public int CoupledWindow => InFastRecovery ? SlowStartThreshold : CongestionWindow;

    /// <summary>Gets this subflow as the group's arithmetic sees it, or null before its first RTT sample.</summary>
    internal CoupledPath? Path => SmoothedRtt is { } rtt
        ? new CoupledPath(Math.Max(CoupledWindow, 1), CoupledPath.ClampRtt(rtt), LossInterval)
        : null;

    /// <summary>Gets the bytes acknowledged between losses that OLIA ranks paths by; 0 for LIA.</summary>
    private protected virtual long LossInterval => 0;

    /// <inheritdoc/>
    public void Initialize(int senderMss) => _reno.Initialize(senderMss);

    /// <inheritdoc/>
    public bool OnAck(SeqNum32 ack, int bytesAcked, int flightSizeBefore)
    {
        OnBytesAcked(bytesAcked);
        return _reno.OnAck(ack, bytesAcked, flightSizeBefore);
    }

    /// <inheritdoc/>
    public void OnAckTiming(SeqNum32 ack, SeqNum32 highestSent, TimeSpan? rttSample) => _reno.OnAckTiming(ack, highestSent, rttSample);

    /// <inheritdoc/>
    public bool OnDuplicateAck(int count, int flightSize, SeqNum32 highestSent)
    {
        bool retransmit = _reno.OnDuplicateAck(count, flightSize, highestSent);
        if (retransmit)
        {
            // NewReno asks for a retransmission only on entering fast recovery: a loss event.
            OnLossEvent();
        }

        return retransmit;
    }

    /// <inheritdoc/>
    public void OnRetransmissionTimeout(int flightSize)
    {
        OnLossEvent();
        _reno.OnRetransmissionTimeout(flightSize);
    }

    /// <inheritdoc/>
    public void OnRttSample(TimeSpan smoothedRtt) => SmoothedRtt = smoothedRtt;

    /// <summary>Leaves the group (the subflow closed); returns whether it was still a member.</summary>
    public bool Leave() => Group.Remove(this);

    /// <summary>
    /// Returns the signed number of bytes <paramref name="paths"/>[<paramref name="self"/>] must have
    /// acknowledged per MSS of change: positive grows cwnd, negative shrinks it, zero leaves it.
    /// </summary>
    private protected abstract long AvoidanceThreshold(ReadOnlySpan<CoupledPath> paths, int self);

    /// <summary>Takes the bytes newly acknowledged by an ACK, in any state.</summary>
    private protected virtual void OnBytesAcked(int bytesAcked)
    {
    }

    /// <summary>Takes entry into fast recovery or a retransmission timeout.</summary>
    private protected virtual void OnLossEvent()
    {
    }

    /// <summary>Gets a copy of the coupled members (diagnostics), with this one's index or -1.</summary>
    private protected CoupledPath[] SnapshotPaths(out int self)
    {
        var paths = new CoupledPath[Group.Count];
        int count = Group.Snapshot(this, paths, out self);
        return paths[..count];
    }

    private int AvoidanceChange(int bytesAcked, int congestionWindow, int mss)
    {
        Span<CoupledPath> paths = Group.Count <= StackPaths ? stackalloc CoupledPath[StackPaths] : new CoupledPath[Group.Count];
        int count = Group.Snapshot(this, paths, out int self);

        // Uncoupled (no RTT sample yet, or left the group): NewReno's one MSS per cwnd acknowledged.
        long threshold = self < 0 ? congestionWindow : AvoidanceThreshold(paths[..count], self);
        return _credit.Add(bytesAcked, threshold, mss);
    }

    private sealed class CoupledIncrease(CoupledCongestionControl owner) : ICongestionAvoidance
    {
        public int OnAvoidanceAck(int bytesAcked, int congestionWindow, int mss) => owner.AvoidanceChange(bytesAcked, congestionWindow, mss);

        public void Reset() => owner._credit.Reset();
    }
}
