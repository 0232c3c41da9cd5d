namespace MptcpPrivacy.Stack.Congestion;

/// <summary>
/// The congestion-avoidance increase of a window-based controller: how cwnd changes per ACK once
/// cwnd is at or above ssthresh (RFC 5681 §3.1). Slow start, fast retransmit, fast recovery and the
/// reaction to loss stay with the controller; coupled multipath controllers (RFC 6356 §3, OLIA)
/// replace only this part.
/// </summary>
public interface ICongestionAvoidance
{
    /// <summary>
    /// Returns the change of cwnd in bytes (negative to shrink it) when an ACK in congestion avoidance
    /// newly acknowledges <paramref name="bytesAcked"/> bytes.
    /// </summary>
    int OnAvoidanceAck(int bytesAcked, int congestionWindow, int mss);

    /// <summary>Forgets any partly earned change (after a retransmission timeout).</summary>
    void Reset();
}
