using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Stack.Tcp;

namespace MptcpPrivacy.Tests.Stack.Scripted;

/// <summary>
/// A congestion controller with a window the test sets, that enters recovery on the third duplicate
/// ACK with ssthresh = FlightSize / 2 as RFC 5681 §3.2 does, so that a script can reason about pipe
/// without slow start in the way.
/// </summary>
internal sealed class FixedWindow(int window) : ICongestionControl
{
    public int CongestionWindow { get; set; } = window;

    public int SlowStartThreshold { get; set; } = int.MaxValue;

    public int RecoveriesEntered { get; private set; }

    public int Timeouts { get; private set; }

    public void Initialize(int senderMss)
    {
    }

    public bool OnAck(SeqNum32 ack, int bytesAcked, int flightSizeBefore) => false;

    public bool OnDuplicateAck(int count, int flightSize, SeqNum32 highestSent)
    {
        if (count != 3)
        {
            return false;
        }

        SlowStartThreshold = flightSize / 2;
        RecoveriesEntered++;
        return true;
    }

    public void OnRetransmissionTimeout(int flightSize) => Timeouts++;
}
