namespace MptcpPrivacy.Stack.Congestion;

/// <summary>
/// Standard TCP congestion avoidance: about one MSS per round trip, counted in bytes (RFC 5681
/// §3.1 with appropriate byte counting, RFC 3465): one MSS each time a full cwnd has been acknowledged.
/// </summary>
public sealed class RenoCongestionAvoidance : ICongestionAvoidance
{
    private ByteCountingCredit _credit;

    /// <inheritdoc/>
    public int OnAvoidanceAck(int bytesAcked, int congestionWindow, int mss) => _credit.Add(bytesAcked, congestionWindow, mss);

    /// <inheritdoc/>
    public void Reset() => _credit.Reset();
}
