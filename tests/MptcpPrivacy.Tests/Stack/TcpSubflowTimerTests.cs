using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Tests.Stack.Scripted;
using MptcpPrivacy.Wire.Tcp;
using static MptcpPrivacy.Tests.Stack.Scripted.Flags;
using static MptcpPrivacy.Tests.Stack.Scripted.Handshake;
using static MptcpPrivacy.Tests.Stack.Scripted.SubflowScript;

namespace MptcpPrivacy.Tests.Stack;

/// <summary>Delayed ACKs (RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3), keep-alives (RFC 1122 §4.2.3.6) and the user timeout (RFC 9293 §3.8.5).</summary>
public sealed class TcpSubflowTimerTests
{
    private static readonly TcpSubflowOptions Delayed = Plain with { DelayedAck = Ms(40) };

    [Fact]
    public void Rfc1122_4_2_3_2_ASingleSegmentIsAcknowledgedWhenTheDelayEnds()
    {
        var s = Active(Delayed);
        s.Send(Ms(200), new Seg { Flags = PshAck, Seq = 5001, Ack = 1001, PayloadLength = 100 });
        Assert.Equal(Ms(240), s.Subflow.NextDeadline);
        s.ExpectNothing(Ms(239));
        s.Expect(Ms(240), new Seg { Flags = Ack, Ack = 5101 });
        Assert.Null(s.Subflow.NextDeadline);
    }

    [Fact]
    public void Rfc9293_3_8_6_3_EverySecondFullSizedSegmentIsAcknowledgedAtOnce()
    {
        var s = Active(Delayed);
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, PayloadLength = 1460 });
        s.ExpectNothing(Ms(200));
        s.Send(Ms(201), new Seg { Flags = Ack, Seq = 6461, Ack = 1001, PayloadLength = 1460 });
        s.Expect(Ms(201), new Seg { Flags = Ack, Ack = 7921 });

        // The third waits again, and the delay starts from it.
        s.Send(Ms(210), new Seg { Flags = Ack, Seq = 7921, Ack = 1001, PayloadLength = 1460 });
        s.ExpectNothing(Ms(249));
        s.Expect(Ms(250), new Seg { Flags = Ack, Ack = 9381 });
    }

    [Fact]
    public void Rfc9293_3_8_6_3_TheAckRidesOnDataSentWithinTheDelay()
    {
        var s = Active(Delayed);
        s.Send(Ms(200), new Seg { Flags = PshAck, Seq = 5001, Ack = 1001, PayloadLength = 100 });
        s.Subflow.Send(new byte[10]);
        s.Expect(Ms(220), new Seg { Flags = PshAck, Seq = 1001, Ack = 5101, PayloadLength = 10 });
        s.ExpectNothing(Ms(260));
        Assert.Equal(Ms(1220), s.Subflow.NextDeadline); // only the retransmission timer is left
    }

    [Fact]
    public void Rfc5681_4_2_OutOfOrderSegmentsGapFillsAndFinsAreAcknowledgedAtOnce()
    {
        var s = Active(Delayed);
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5101, Ack = 1001, PayloadLength = 100 });
        s.Expect(Ms(200), new Seg { Flags = Ack, Ack = 5001, Sack = [B(5101, 5201)] });
        s.Send(Ms(210), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, PayloadLength = 100 });
        s.Expect(Ms(210), new Seg { Flags = Ack, Ack = 5201, Sack = [] });
        s.Send(Ms(220), new Seg { Flags = TcpFlags.Fin | Ack, Seq = 5201, Ack = 1001, PayloadLength = 10 });
        s.Expect(Ms(220), new Seg { Flags = Ack, Ack = 5212 });
        Assert.Null(s.Subflow.NextDeadline);
    }

    [Fact]
    public void Rfc9293_3_8_6_2_2_AReopenedWindowIsAnnouncedAtOnce()
    {
        var s = Active(Delayed with { ReceiveBufferSize = 1000 });
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, PayloadLength = 1000 });
        s.ExpectNothing(Ms(200));
        Assert.Equal(1000, s.Subflow.Receive(new byte[1000]));
        s.Expect(Ms(210), new Seg { Flags = Ack, Ack = 6001, Window = 1000 });
    }

    [Fact]
    public void Rfc1122_4_2_3_6_KeepAliveProbesAnIdleConnectionAndResetsItWhenNoneIsAnswered()
    {
        var s = Active(Plain with { KeepAliveIdle = TimeSpan.FromSeconds(10), KeepAliveInterval = TimeSpan.FromSeconds(1), KeepAliveProbes = 3 });
        Assert.Equal(Ms(10_100), s.Subflow.NextDeadline);
        s.ExpectNothing(Ms(10_099));

        // SEG.SEQ = SND.NXT - 1 without data: the peer must answer with an ACK.
        s.Expect(Ms(10_100), new Seg { Flags = Ack, Seq = 1000, Ack = 5001, PayloadLength = 0 });
        s.Send(Ms(10_150), new Seg { Flags = Ack, Seq = 5001, Ack = 1001 });
        Assert.Equal(Ms(20_150), s.Subflow.NextDeadline);

        s.Expect(Ms(20_150), new Seg { Flags = Ack, Seq = 1000 });
        s.Expect(Ms(21_150), new Seg { Flags = Ack, Seq = 1000 });
        s.Expect(Ms(22_150), new Seg { Flags = Ack, Seq = 1000 });
        s.ExpectNothing(Ms(23_149));
        Assert.Equal(TcpState.Established, s.Subflow.State);
        s.Expect(Ms(23_150), new Seg { Flags = TcpFlags.Rst, Seq = 1001 });
        Assert.Equal(TcpState.Closed, s.Subflow.State);
        Assert.Equal(TcpCloseReason.KeepAliveTimedOut, s.Subflow.CloseReason);
    }

    [Fact]
    public void Rfc1122_4_2_3_6_NoKeepAliveWhileDataIsOutstandingAndProbesAreAnswered()
    {
        var s = Active(Plain with { KeepAliveIdle = TimeSpan.FromSeconds(10) });
        s.Subflow.Send(new byte[10]);
        s.Expect(Ms(200), new Seg { PayloadLength = 10 });
        Assert.Equal(Ms(1200), s.Subflow.NextDeadline); // the retransmission timer, not the keep-alive
        s.Send(Ms(300), new Seg { Flags = Ack, Seq = 5001, Ack = 1011 });
        Assert.Equal(Ms(10_300), s.Subflow.NextDeadline);

        // The peer's own probe (SEG.SEQ = RCV.NXT - 1) is answered at once and counts as hearing from it.
        s.Send(Ms(5000), new Seg { Flags = Ack, Seq = 5000, Ack = 1011 });
        s.Expect(Ms(5000), new Seg { Flags = Ack, Seq = 1011, Ack = 5001 });
    }

    [Fact]
    public void Rfc9293_3_8_5_TheUserTimeoutClosesAConnectionWhoseDataStaysUnacknowledged()
    {
        var s = Active(Plain with { UserTimeout = Ms(2500), MinimumRetransmissionTimeout = Ms(200) }, peerMss: 500);
        s.Subflow.Send(new byte[1000]);
        s.Expect(Ms(110), new Seg { Seq = 1001, PayloadLength = 500 });
        s.Expect(Ms(110), new Seg { Seq = 1501, PayloadLength = 500 });

        // Progress restarts the clock: 150 + 2500.
        s.Send(Ms(150), new Seg { Flags = Ack, Seq = 5001, Ack = 1501 });
        var retransmissions = new List<Seg>();
        while (s.Subflow.NextDeadline is { } deadline && deadline < Ms(2650))
        {
            retransmissions.AddRange(s.Drain(deadline));
        }

        Assert.True(retransmissions.Count >= 3, $"{retransmissions.Count} retransmissions");
        Assert.All(retransmissions, r => Assert.Equal(1501u, r.Seq));
        Assert.Equal(TcpState.Established, s.Subflow.State);

        Assert.Empty(s.Drain(Ms(2650))); // RFC 9293 §3.8.5 names no RST; Linux sends none either
        Assert.Equal(TcpState.Closed, s.Subflow.State);
        Assert.Equal(TcpCloseReason.TimedOut, s.Subflow.CloseReason);
    }

    [Fact]
    public void WithoutAUserTimeoutTheRetransmissionLimitStillRules()
    {
        var s = Active(Plain with { MinimumRetransmissionTimeout = Ms(200) });
        s.Subflow.Send(new byte[10]);
        s.Expect(Ms(110), new Seg { PayloadLength = 10 });
        s.Drain(Ms(60_000));
        Assert.Equal(TcpState.Established, s.Subflow.State);
    }
}
