using MptcpPrivacy.Stack.Congestion;
using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Stack.Tcp;

namespace MptcpPrivacy.Tests.Stack.Congestion;

/// <summary>RFC 5681 §3.1 congestion avoidance through the pluggable increase.</summary>
public sealed class NewRenoAvoidanceTests
{
    [Fact]
    public void Rfc5681_3_1_OneMssPerWindowAcknowledgedCountedInBytes()
    {
        var d = new CongestionDriver(new NewReno(), 1000).EnterAvoidance(10_000);
        d.Ack(9_999);
        Assert.Equal(10_000, d.Window);
        d.Ack(1);
        Assert.Equal(11_000, d.Window);
    }

    [Fact]
    public void Rfc5681_3_1_ATimeoutForgetsThePartialCredit()
    {
        var d = new CongestionDriver(new NewReno(), 1000).EnterAvoidance(10_000);
        d.Ack(9_000);
        d.EnterAvoidance(10_000); // timeout, then slow start back to 10 000: 9 000 more bytes acked
        d.Ack(9_000);
        Assert.Equal(10_000, d.Window);
    }

    [Fact]
    public void APluggedIncreaseIsUsedOnlyInCongestionAvoidance()
    {
        var increase = new FixedIncrease(-500);
        var reno = new NewReno(increase);
        var d = new CongestionDriver(reno, 1000).EnterAvoidance(4_000);
        Assert.Equal(0, increase.Calls); // slow start is NewReno's own
        d.Ack(1000);
        Assert.Equal(3_500, d.Window);
        Assert.Equal(1, increase.Calls);

        // Never below one segment.
        for (int i = 0; i < 10; i++)
        {
            d.Ack(1000);
        }

        Assert.True(reno.CongestionWindow >= 1000);
        int resets = increase.Resets;
        reno.OnRetransmissionTimeout(4_000);
        Assert.Equal(resets + 1, increase.Resets);
        Assert.True(reno.OnDuplicateAck(3, 4_000, new SeqNum32(10)));
    }

    private sealed class FixedIncrease(int change) : ICongestionAvoidance
    {
        public int Calls { get; private set; }

        public int Resets { get; private set; }

        public int OnAvoidanceAck(int bytesAcked, int congestionWindow, int mss)
        {
            Calls++;
            return change;
        }

        public void Reset() => Resets++;
    }
}
