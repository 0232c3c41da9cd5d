namespace MptcpPrivacy.Stack.Mptcp.Scheduling;

/// <summary>
/// What a scheduler may know about one subflow when it picks where the next chunk of data goes: a
/// read-only snapshot the connection builds for each decision.
/// </summary>
/// <param name="Id">The connection's identifier for the subflow; decisions name subflows by it.</param>
/// <param name="IsEstablished">Whether the subflow has completed its handshake and may carry data (RFC 8684 §3.2).</param>
/// <param name="IsBackup">Whether the subflow is a backup path: MP_JOIN with B=1 or MP_PRIO (RFC 8684 §3.3.8).</param>
/// <param name="IsStale">Whether the retransmission timer has backed off on the subflow, so the path is suspected dead.</param>
/// <param name="SmoothedRtt">SRTT (RFC 6298), or null before the first sample.</param>
/// <param name="CongestionWindow">cwnd in bytes.</param>
/// <param name="BytesInFlight">Bytes sent and not yet acknowledged on the subflow.</param>
/// <param name="SendWindowFree">Bytes the peer's advertised window still admits on the subflow.</param>
/// <param name="Mss">The subflow's effective sender MSS.</param>
public readonly record struct SubflowSchedulingState(
    int Id,
    bool IsEstablished,
    bool IsBackup,
    bool IsStale,
    TimeSpan? SmoothedRtt,
    int CongestionWindow,
    int BytesInFlight,
    int SendWindowFree,
    int Mss)
{
    /// <summary>Gets the bytes the congestion window still admits.</summary>
    public int CongestionWindowFree => Math.Max(CongestionWindow - BytesInFlight, 0);

    /// <summary>Gets the bytes the subflow could send now: the smaller of the free congestion and send windows.</summary>
    public int SendableBytes => Math.Min(CongestionWindowFree, Math.Max(SendWindowFree, 0));

    /// <summary>Gets whether the subflow can take data now: established, with room in both windows.</summary>
    public bool CanSendNow => IsEstablished && SendableBytes > 0;
}
