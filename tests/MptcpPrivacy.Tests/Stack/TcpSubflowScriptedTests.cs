using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Tests.Stack.Scripted;
using MptcpPrivacy.Wire.Tcp;
using static MptcpPrivacy.Tests.Stack.Scripted.Flags;
using static MptcpPrivacy.Tests.Stack.Scripted.SubflowScript;

namespace MptcpPrivacy.Tests.Stack;

public sealed class TcpSubflowScriptedTests
{
    private static readonly TcpSubflowOptions Plain = new() { UseTimestamps = false, UseWindowScaling = false, ReceiveBufferSize = 65535, DelayedAck = TimeSpan.Zero };

    /// <summary>Active open without options, ISS 1000 against peer ISS 5000, SYN,ACK at 100 ms.</summary>
    private static SubflowScript Established(TcpSubflowOptions? options = null, uint iss = 1000, ushort peerMss = 1460, ushort peerWindow = 65535)
    {
        var s = new SubflowScript(options ?? Plain, iss);
        s.Subflow.Connect(TimeSpan.Zero);
        s.Expect(TimeSpan.Zero, new Seg { Flags = Syn, Seq = iss });
        s.Send(Ms(100), new Seg { Flags = SynAck, Seq = 5000, Ack = iss + 1, Mss = peerMss, Window = peerWindow });
        s.Expect(Ms(100), new Seg { Flags = Ack, Seq = iss + 1, Ack = 5001 });
        Assert.Equal(TcpState.Established, s.Subflow.State);
        return s;
    }

    [Fact]
    public void Rfc9293_3_5_ActiveOpenNegotiatesMssWindowScaleAndTimestamps()
    {
        var s = new SubflowScript();
        s.Subflow.Connect(TimeSpan.Zero);
        s.Expect(TimeSpan.Zero, new Seg { Flags = Syn, Seq = 1000, Ack = 0, Mss = 1460, WindowShift = 3, HasTimestamps = true, TsVal = 0, TsEcr = 0, SourcePort = LocalPort, DestinationPort = PeerPort });
        Assert.Equal(TcpState.SynSent, s.Subflow.State);
        s.ExpectNothing(Ms(50));
        s.Send(Ms(100), new Seg { Flags = SynAck, Seq = 5000, Ack = 1001, Mss = 1400, WindowShift = 7, TsVal = 777, TsEcr = 0, Window = 1000 });
        s.Expect(Ms(100), new Seg { Flags = Ack, Seq = 1001, Ack = 5001, HasTimestamps = true, TsVal = 100, TsEcr = 777, Window = 32768 });
        Assert.Equal(TcpState.Established, s.Subflow.State);
        Assert.Equal(1400 - 12, s.Subflow.EffectiveSendMss);
        Assert.Equal(7, s.Subflow.SendWindowShift);
        Assert.Equal(3, s.Subflow.ReceiveWindowShift);
        Assert.Equal(1000u, s.Subflow.SendWindow); // RFC 7323 §2.2: the SYN's window is not scaled.
        Assert.Equal(Ms(100), s.Subflow.RetransmissionTimeout.SmoothedRtt);
    }

    [Fact]
    public void Rfc9293_3_5_PassiveOpenAnswersOnlyTheOptionsOffered()
    {
        var s = new SubflowScript();
        s.Subflow.Listen();
        s.Send(Ms(1), new Seg { Flags = Syn, Seq = 5000, Mss = 1000, SourcePort = 41000 });
        Seg synAck = s.Expect(Ms(1), new Seg { Flags = SynAck, Seq = 1000, Ack = 5001, Mss = 1460, HasTimestamps = false, DestinationPort = 41000 });
        Assert.Null(synAck.WindowShift);
        Assert.Equal(TcpState.SynReceived, s.Subflow.State);
        s.Send(Ms(2), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Window = 2000, SourcePort = 41000 });
        Assert.Equal(TcpState.Established, s.Subflow.State);
        Assert.Equal(1000, s.Subflow.EffectiveSendMss);
        Assert.Equal(2000u, s.Subflow.SendWindow);
        Assert.Null(s.Subflow.NextDeadline);
        s.ExpectNothing(Ms(3));
    }

    [Fact]
    public void Rfc9293_3_10_7_2_ListenAnswersAnAckWithReset()
    {
        var s = new SubflowScript();
        s.Subflow.Listen();
        s.Send(Ms(1), new Seg { Flags = Ack, Seq = 5000, Ack = 777 });
        s.Expect(Ms(1), new Seg { Flags = Rst, Seq = 777 });
        Assert.Equal(TcpState.Listen, s.Subflow.State);
    }

    [Fact]
    public void Rfc9293_3_8_DataBothWaysWithAcks()
    {
        var s = Established();
        byte[] ours = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        Assert.Equal(100, s.Subflow.Send(ours));
        s.Expect(Ms(110), new Seg { Flags = PshAck, Seq = 1001, Ack = 5001, Payload = ours });
        s.ExpectNothing(Ms(111));
        byte[] theirs = [9, 8, 7, 6, 5];
        s.Send(Ms(200), new Seg { Flags = PshAck, Seq = 5001, Ack = 1101, Payload = theirs });
        s.Expect(Ms(200), new Seg { Flags = Ack, Seq = 1101, Ack = 5006, PayloadLength = 0 });
        Assert.Equal(new SeqNumView(1101), new SeqNumView(s.Subflow.SendUnacknowledged.Value));
        byte[] read = new byte[10];
        Assert.Equal(5, s.Subflow.Receive(read));
        Assert.Equal(theirs, read[..5]);
        Assert.Null(s.Subflow.NextDeadline);
    }

    [Fact]
    public void Rfc9293_3_10_7_4_DuplicateDataIsAckedNotDeliveredTwice()
    {
        var s = Established();
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Payload = [1, 2, 3] });
        s.Expect(Ms(200), new Seg { Flags = Ack, Ack = 5004 });
        s.Send(Ms(210), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Payload = [1, 2, 3, 4] });
        s.Expect(Ms(210), new Seg { Flags = Ack, Ack = 5005 });
        s.Send(Ms(220), new Seg { Flags = Ack, Seq = 5010, Ack = 1001, Payload = [9] }); // out of order: dropped
        s.Expect(Ms(220), new Seg { Flags = Ack, Ack = 5005 });
        byte[] read = new byte[10];
        Assert.Equal(4, s.Subflow.Receive(read));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, read[..4]);
    }

    [Fact]
    public void Rfc6298_RetransmitsAfterRtoWithBackoffAndKarnSampling()
    {
        var options = Plain with { MinimumRetransmissionTimeout = Ms(200) };
        var s = Established(options);

        // The SYN was timed: R = 100 ms, so SRTT 100, RTTVAR 50, RTO = 100 + 4 * 50 = 300 ms.
        Assert.Equal(Ms(100), s.Subflow.RetransmissionTimeout.SmoothedRtt);
        Assert.Equal(Ms(300), s.Subflow.RetransmissionTimeout.Current);
        s.Subflow.Send(new byte[10]);
        s.Expect(Ms(100), new Seg { Flags = PshAck, Seq = 1001, PayloadLength = 10 });
        Assert.Equal(Ms(400), s.Subflow.NextDeadline);
        s.ExpectNothing(Ms(399));
        s.Expect(Ms(400), new Seg { Flags = PshAck, Seq = 1001, PayloadLength = 10 });
        Assert.Equal(Ms(1000), s.Subflow.NextDeadline); // doubled to 600 ms
        s.Expect(Ms(1000), new Seg { Flags = PshAck, Seq = 1001, PayloadLength = 10 });
        Assert.Equal(Ms(2200), s.Subflow.NextDeadline); // doubled to 1200 ms
        s.Send(Ms(1050), new Seg { Flags = Ack, Seq = 5001, Ack = 1011 });
        Assert.Null(s.Subflow.NextDeadline);

        // Karn: the ACK of a retransmitted segment gives no sample.
        Assert.Equal(Ms(100), s.Subflow.RetransmissionTimeout.SmoothedRtt);

        s.Subflow.Send(new byte[10]);
        s.Expect(Ms(1100), new Seg { Seq = 1011, PayloadLength = 10 });
        s.Send(Ms(1150), new Seg { Flags = Ack, Seq = 5001, Ack = 1021 });

        // RFC 6298 §2.3 with R' = 50 ms: RTTVAR = 3/4 * 50 + 1/4 * 50, SRTT = 7/8 * 100 + 1/8 * 50.
        Assert.Equal(Ms(93.75), s.Subflow.RetransmissionTimeout.SmoothedRtt);
        Assert.Equal(Ms(50), s.Subflow.RetransmissionTimeout.RttVariation);
        Assert.Equal(0, s.Subflow.RetransmissionTimeout.BackoffCount);
    }

    [Fact]
    public void APureAckAfterATimeoutCarriesSndMaxSoThePeerAcceptsIt()
    {
        var options = Plain with { MinimumRetransmissionTimeout = Ms(200) };
        var s = Established(options);
        s.Subflow.Send(new byte[20]);
        s.Expect(Ms(100), new Seg { Flags = PshAck, Seq = 1001, PayloadLength = 20 });

        // The timeout rewinds SND.NXT to SND.UNA and sends the data again.
        s.Expect(Ms(400), new Seg { Seq = 1001, PayloadLength = 20 });

        // The peer's data arrives before any ACK: our ACK for it must not carry the rewound SND.NXT
        // (1001, below the peer's RCV.NXT of 1021) but SND.MAX, or the peer drops it as unacceptable.
        s.Send(Ms(450), new Seg { Flags = PshAck, Seq = 5001, Ack = 1001, PayloadLength = 10 });
        s.Expect(Ms(450), new Seg { Flags = Ack, Seq = 1021, Ack = 5011, PayloadLength = 0 });
    }

    [Fact]
    public void Rfc9293_3_8_1_SynIsRetransmittedAndConnectionTimesOut()
    {
        var s = new SubflowScript(Plain with { MaximumRetransmissions = 2 });
        s.Subflow.Connect(TimeSpan.Zero);
        s.Expect(TimeSpan.Zero, new Seg { Flags = Syn, Seq = 1000 });
        s.Expect(Ms(1000), new Seg { Flags = Syn, Seq = 1000 });
        s.Expect(Ms(3000), new Seg { Flags = Syn, Seq = 1000 });
        s.ExpectNothing(Ms(7000));
        Assert.Equal(TcpState.Closed, s.Subflow.State);
        Assert.Equal(TcpCloseReason.TimedOut, s.Subflow.CloseReason);
    }

    [Fact]
    public void Rfc9293_3_6_WeCloseFirst()
    {
        var s = Established(Plain with { MaximumSegmentLifetime = Ms(500) });
        s.Subflow.Close();
        Assert.Equal(TcpState.FinWait1, s.Subflow.State);
        s.Expect(Ms(200), new Seg { Flags = FinAck, Seq = 1001, Ack = 5001 });
        s.Send(Ms(250), new Seg { Flags = Ack, Seq = 5001, Ack = 1002 });
        Assert.Equal(TcpState.FinWait2, s.Subflow.State);
        s.Send(Ms(300), new Seg { Flags = FinAck, Seq = 5001, Ack = 1002 });
        s.Expect(Ms(300), new Seg { Flags = Ack, Seq = 1002, Ack = 5002 });
        Assert.Equal(TcpState.TimeWait, s.Subflow.State);
        Assert.True(s.Subflow.ReceivedFin);

        // A retransmitted FIN in TIME-WAIT is acknowledged again and restarts 2 MSL.
        s.Send(Ms(800), new Seg { Flags = FinAck, Seq = 5001, Ack = 1002 });
        s.Expect(Ms(800), new Seg { Flags = Ack, Seq = 1002, Ack = 5002 });
        s.ExpectNothing(Ms(1799));
        Assert.Equal(TcpState.TimeWait, s.Subflow.State);
        s.ExpectNothing(Ms(1800));
        Assert.Equal(TcpState.Closed, s.Subflow.State);
        Assert.Equal(TcpCloseReason.Normal, s.Subflow.CloseReason);
    }

    [Fact]
    public void Rfc9293_3_6_PeerClosesFirstAfterData()
    {
        var s = Established();
        s.Send(Ms(200), new Seg { Flags = FinAck | TcpFlags.Psh, Seq = 5001, Ack = 1001, Payload = [42] });
        s.Expect(Ms(200), new Seg { Flags = Ack, Seq = 1001, Ack = 5003 });
        Assert.Equal(TcpState.CloseWait, s.Subflow.State);
        s.Subflow.Send([1, 2]);
        s.Subflow.Close();
        Assert.Equal(TcpState.LastAck, s.Subflow.State);
        s.Expect(Ms(210), new Seg { Flags = FinAck | TcpFlags.Psh, Seq = 1001, Ack = 5003, Payload = [1, 2] });
        s.Send(Ms(300), new Seg { Flags = Ack, Seq = 5003, Ack = 1004 });
        Assert.Equal(TcpState.Closed, s.Subflow.State);
        Assert.Equal(TcpCloseReason.Normal, s.Subflow.CloseReason);
    }

    [Fact]
    public void Rfc9293_3_5_SimultaneousOpen()
    {
        var s = new SubflowScript(Plain);
        s.Subflow.Connect(TimeSpan.Zero);
        s.Expect(TimeSpan.Zero, new Seg { Flags = Syn, Seq = 1000 });
        s.Send(Ms(10), new Seg { Flags = Syn, Seq = 5000, Mss = 1400 });
        Assert.Equal(TcpState.SynReceived, s.Subflow.State);
        s.Expect(Ms(10), new Seg { Flags = SynAck, Seq = 1000, Ack = 5001, Mss = 1460 });
        s.Send(Ms(20), new Seg { Flags = SynAck, Seq = 5000, Ack = 1001, Mss = 1400 });
        Assert.Equal(TcpState.Established, s.Subflow.State);
        s.Expect(Ms(20), new Seg { Flags = Ack, Seq = 1001, Ack = 5001 });
        Assert.Null(s.Subflow.NextDeadline);
    }

    [Fact]
    public void Rfc9293_3_6_SimultaneousClose()
    {
        var s = Established(Plain with { MaximumSegmentLifetime = Ms(100) });
        s.Subflow.Close();
        s.Expect(Ms(200), new Seg { Flags = FinAck, Seq = 1001, Ack = 5001 });
        s.Send(Ms(210), new Seg { Flags = FinAck, Seq = 5001, Ack = 1001 });
        Assert.Equal(TcpState.Closing, s.Subflow.State);
        s.Expect(Ms(210), new Seg { Flags = Ack, Seq = 1002, Ack = 5002 });
        s.Send(Ms(220), new Seg { Flags = Ack, Seq = 5002, Ack = 1002 });
        Assert.Equal(TcpState.TimeWait, s.Subflow.State);
        s.ExpectNothing(Ms(420));
        Assert.Equal(TcpState.Closed, s.Subflow.State);
    }

    [Fact]
    public void Rfc9293_3_10_7_3_ResetInSynSent()
    {
        var s = new SubflowScript(Plain);
        s.Subflow.Connect(TimeSpan.Zero);
        s.Expect(TimeSpan.Zero, new Seg { Flags = Syn, Seq = 1000 });

        // An unacceptable ACK: answered with a RST from its ACK number; a RST with it is ignored.
        s.Send(Ms(5), new Seg { Flags = SynAck, Seq = 5000, Ack = 9999 });
        s.Expect(Ms(5), new Seg { Flags = Rst, Seq = 9999 });
        s.Send(Ms(6), new Seg { Flags = Rst | Ack, Seq = 0, Ack = 9999 });
        s.Send(Ms(7), new Seg { Flags = Rst, Seq = 0 });
        s.ExpectNothing(Ms(7));
        Assert.Equal(TcpState.SynSent, s.Subflow.State);

        s.Send(Ms(10), new Seg { Flags = Rst | Ack, Seq = 0, Ack = 1001 });
        Assert.Equal(TcpState.Closed, s.Subflow.State);
        Assert.Equal(TcpCloseReason.Refused, s.Subflow.CloseReason);
        s.ExpectNothing(Ms(2000));
    }

    [Fact]
    public void Rfc5961_3_2_ResetInEstablished()
    {
        // In window but not RCV.NXT: challenge ACK.
        var s = Established();
        s.Send(Ms(200), new Seg { Flags = Rst, Seq = 5100 });
        s.Expect(Ms(200), new Seg { Flags = Ack, Seq = 1001, Ack = 5001 });
        Assert.Equal(TcpState.Established, s.Subflow.State);

        // Out of window: silently dropped.
        s.Send(Ms(210), new Seg { Flags = Rst, Seq = 5000 + 70000 });
        s.Send(Ms(211), new Seg { Flags = Rst, Seq = 4000 });
        s.ExpectNothing(Ms(211));
        Assert.Equal(TcpState.Established, s.Subflow.State);

        // RFC 5961 §4.2: a SYN in a synchronized state draws a challenge ACK too.
        s.Send(Ms(220), new Seg { Flags = Syn, Seq = 5500 });
        s.Expect(Ms(220), new Seg { Flags = Ack, Seq = 1001, Ack = 5001 });
        Assert.Equal(TcpState.Established, s.Subflow.State);

        // Exactly RCV.NXT: reset.
        s.Send(Ms(230), new Seg { Flags = Rst, Seq = 5001 });
        Assert.Equal(TcpState.Closed, s.Subflow.State);
        Assert.Equal(TcpCloseReason.Reset, s.Subflow.CloseReason);
        s.ExpectNothing(Ms(240));
    }

    [Fact]
    public void Rfc5961_5_2_AckOfUnsentDataIsAnsweredAndDropped()
    {
        var s = Established();
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5001, Ack = 3000, Payload = [1] });
        s.Expect(Ms(200), new Seg { Flags = Ack, Seq = 1001, Ack = 5001 });
        Assert.Equal(0, s.Subflow.BytesAvailable);
    }

    [Fact]
    public void Rfc9293_3_10_5_AbortSendsReset()
    {
        var s = Established();
        s.Subflow.Abort();
        s.Expect(Ms(200), new Seg { Flags = Rst, Seq = 1001 });
        Assert.Equal(TcpCloseReason.Aborted, s.Subflow.CloseReason);
        s.ExpectNothing(Ms(201));
    }

    [Fact]
    public void Rfc7323_2_WindowScalingAndZeroWindowProbe()
    {
        var s = new SubflowScript(new TcpSubflowOptions { UseTimestamps = false });
        s.Subflow.Connect(TimeSpan.Zero);
        s.Expect(TimeSpan.Zero, new Seg { Flags = Syn, WindowShift = 3 });
        s.Send(Ms(100), new Seg { Flags = SynAck, Seq = 5000, Ack = 1001, WindowShift = 2, Window = 100 });
        s.Expect(Ms(100), new Seg { Flags = Ack, Window = 32768 }); // 256 KiB >> 3

        // The peer closes its window; our data waits for the persist timer (RTO 1 s).
        s.Send(Ms(110), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Window = 0 });
        Assert.Equal(0u, s.Subflow.SendWindow);
        s.Subflow.Send(new byte[100]);
        s.ExpectNothing(Ms(120));
        Assert.Equal(Ms(1120), s.Subflow.NextDeadline);
        s.Expect(Ms(1120), new Seg { Flags = Ack, Seq = 1001, PayloadLength = 1 });

        // The probe is acknowledged with an open window of 100 << 2 bytes.
        s.Send(Ms(1130), new Seg { Flags = Ack, Seq = 5001, Ack = 1002, Window = 100 });
        Assert.Equal(400u, s.Subflow.SendWindow);
        s.Expect(Ms(1130), new Seg { Flags = PshAck, Seq = 1002, PayloadLength = 99 });
    }

    [Fact]
    public void Rfc9293_3_8_6_ReceiverAdvertisesZeroWindowThenWindowUpdate()
    {
        var s = Established(Plain with { ReceiveBufferSize = 1000 });
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, PayloadLength = 1000 });
        s.Expect(Ms(200), new Seg { Flags = Ack, Ack = 6001, Window = 0 });

        // Beyond a zero window: dropped and acknowledged with the same edge.
        s.Send(Ms(210), new Seg { Flags = Ack, Seq = 6001, Ack = 1001, PayloadLength = 1 });
        s.Expect(Ms(210), new Seg { Flags = Ack, Ack = 6001, Window = 0 });

        s.ExpectNothing(Ms(211));
        Assert.Equal(1000, s.Subflow.Receive(new byte[2000]));
        s.Expect(Ms(220), new Seg { Flags = Ack, Ack = 6001, Window = 1000 });
    }

    [Fact]
    public void Rfc9293_3_7_1_SegmentsRespectThePeersMss()
    {
        var s = Established(peerMss: 500);
        s.Subflow.Send(new byte[1200]);
        s.Expect(Ms(110), new Seg { Flags = Ack, Seq = 1001, PayloadLength = 500 });
        s.Expect(Ms(110), new Seg { Flags = Ack, Seq = 1501, PayloadLength = 500 });
        s.Expect(Ms(110), new Seg { Flags = PshAck, Seq = 2001, PayloadLength = 200 });
        s.ExpectNothing(Ms(110));
    }

    [Fact]
    public void Rfc9293_3_4_TransferAcrossTheSequenceWrap()
    {
        var s = Established(iss: 0xFFFFFE00u, peerMss: 536);
        byte[] data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        s.Subflow.Send(data);
        s.Expect(Ms(110), new Seg { Seq = 0xFFFFFE01u, Payload = data[..536] });
        s.Expect(Ms(110), new Seg { Seq = 0x19u, Payload = data[536..] });
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5001, Ack = 0x19u });
        Assert.Equal(0x19u, s.Subflow.SendUnacknowledged.Value);
        Assert.NotNull(s.Subflow.NextDeadline);
        s.Send(Ms(210), new Seg { Flags = Ack, Seq = 5001, Ack = 0x1E9u });
        Assert.Equal(0x1E9u, s.Subflow.SendUnacknowledged.Value);
        Assert.Null(s.Subflow.NextDeadline);
    }

    [Fact]
    public void Rfc5681_3_2_ThreeDuplicateAcksTriggerFastRetransmit()
    {
        var s = Established(peerMss: 500);
        s.Subflow.Send(new byte[2000]);
        for (int i = 0; i < 4; i++)
        {
            s.Expect(Ms(110), new Seg { Seq = 1001 + (uint)(500 * i), PayloadLength = 500 });
        }

        s.ExpectNothing(Ms(110)); // initial window of 4 segments (RFC 5681 §3.1)
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5001, Ack = 1001 });
        s.Send(Ms(201), new Seg { Flags = Ack, Seq = 5001, Ack = 1001 });
        s.ExpectNothing(Ms(201));
        s.Send(Ms(202), new Seg { Flags = Ack, Seq = 5001, Ack = 1001 });
        s.Expect(Ms(202), new Seg { Seq = 1001, PayloadLength = 500 });
        var reno = Assert.IsType<NewReno>(s.Subflow.CongestionControl);
        Assert.True(reno.InFastRecovery);
        Assert.Equal(1000, reno.SlowStartThreshold);

        // RFC 6582: a partial ACK retransmits the next hole; the full ACK ends recovery.
        s.Send(Ms(250), new Seg { Flags = Ack, Seq = 5001, Ack = 1501 });
        s.Expect(Ms(250), new Seg { Seq = 1501, PayloadLength = 500 });
        s.Send(Ms(300), new Seg { Flags = Ack, Seq = 5001, Ack = 3001 });
        Assert.False(reno.InFastRecovery);
        Assert.Null(s.Subflow.NextDeadline);
    }

    private readonly record struct SeqNumView(uint Value);
}
