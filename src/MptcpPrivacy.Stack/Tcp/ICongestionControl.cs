using MptcpPrivacy.Stack.Sequencing;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>
/// A congestion controller for one subflow: it owns cwnd and ssthresh and tells the sender when to
/// retransmit early; the sender owns sequence numbers and timers (gVisor's <c>congestionControl</c> split).
/// </summary>
public interface ICongestionControl
{
    /// <summary>Gets the congestion window in bytes.</summary>
    int CongestionWindow { get; }

    /// <summary>Gets the slow start threshold in bytes.</summary>
    int SlowStartThreshold { get; }

    /// <summary>Sets the initial window once the sender's MSS is known (after the SYN exchange).</summary>
    void Initialize(int senderMss);

    /// <summary>Takes an ACK that advanced SND.UNA to <paramref name="ack"/> by <paramref name="bytesAcked"/>; returns whether to retransmit the segment at the new SND.UNA now.</summary>
    bool OnAck(SeqNum32 ack, int bytesAcked, int flightSizeBefore);

    /// <summary>Takes the <paramref name="count"/>-th duplicate ACK in a row; returns whether to retransmit the segment at SND.UNA now.</summary>
    bool OnDuplicateAck(int count, int flightSize, SeqNum32 highestSent);

    /// <summary>Takes an expiry of the retransmission timer with <paramref name="flightSize"/> bytes outstanding.</summary>
    void OnRetransmissionTimeout(int flightSize);

    /// <summary>
    /// Takes an ACK that advanced SND.UNA to <paramref name="ack"/>, before <see cref="OnAck"/>, with
    /// SND.NXT and the RTT it measured, if any (HyStart++, RFC 9406, delimits rounds and compares
    /// their minimum RTTs with these).
    /// </summary>
    void OnAckTiming(SeqNum32 ack, SeqNum32 highestSent, TimeSpan? rttSample)
    {
    }

    /// <summary>Takes the smoothed round-trip time after each new sample (coupled controllers compare subflows by it, RFC 6356 §3).</summary>
    void OnRttSample(TimeSpan smoothedRtt)
    {
    }
}
