using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Tests.Stack.Scripted;
using MptcpPrivacy.Wire.Tcp;
using static MptcpPrivacy.Tests.Stack.Scripted.Flags;
using static MptcpPrivacy.Tests.Stack.Scripted.Handshake;
using static MptcpPrivacy.Tests.Stack.Scripted.SubflowScript;

namespace MptcpPrivacy.Tests.Stack;

/// <summary>The out-of-order queue and SACK blocks on the receiving side (RFC 2018), RFC 6675 loss recovery on the sending side.</summary>
public sealed class TcpSubflowSackTests
{
    /// <summary>Opens with SACK against a peer MSS of 500 and sends <paramref name="segments"/> segments of 500 bytes from 1001 at 110 ms.</summary>
    private static SubflowScript Flight(FixedWindow cc, int segments)
    {
        var s = Active(peerMss: 500, congestionControl: cc);
        s.Subflow.Send(new byte[500 * segments]);
        for (uint i = 0; i < segments; i++)
        {
            s.Expect(Ms(110), new Seg { Seq = 1001 + (500 * i), PayloadLength = 500 });
        }

        return s;
    }

    private static byte[] Bytes(int from, int count) => Enumerable.Range(from, count).Select(i => (byte)(i * 13)).ToArray();

    [Fact]
    public void Rfc2018_2_SynOffersSackPermittedInLinuxsOptionOrder()
    {
        // Linux: MSS, SACK_PERM, TS, NOP, WS; without Timestamps NOP, NOP, SACK_PERM; without SACK NOP, NOP, TS.
        var both = new SubflowScript();
        both.Subflow.Connect(TimeSpan.Zero);
        both.Expect(TimeSpan.Zero, new Seg { Flags = Syn, OptionKinds = [TcpOptionKind.MaximumSegmentSize, TcpOptionKind.SackPermitted, TcpOptionKind.Timestamps, Nop, TcpOptionKind.WindowScale] });

        var noTimestamps = new SubflowScript(new TcpSubflowOptions { UseTimestamps = false });
        noTimestamps.Subflow.Connect(TimeSpan.Zero);
        noTimestamps.Expect(TimeSpan.Zero, new Seg { Flags = Syn, OptionKinds = [TcpOptionKind.MaximumSegmentSize, Nop, Nop, TcpOptionKind.SackPermitted, Nop, TcpOptionKind.WindowScale] });

        var noSack = new SubflowScript(new TcpSubflowOptions { UseSack = false });
        noSack.Subflow.Connect(TimeSpan.Zero);
        noSack.Expect(TimeSpan.Zero, new Seg { Flags = Syn, SackPermitted = false, OptionKinds = [TcpOptionKind.MaximumSegmentSize, Nop, Nop, TcpOptionKind.Timestamps, Nop, TcpOptionKind.WindowScale] });
    }

    [Fact]
    public void Rfc2018_2_PassiveOpenPermitsSackOnlyWhenOffered()
    {
        var offered = new SubflowScript(Plain);
        offered.Subflow.Listen();
        offered.Send(Ms(1), new Seg { Flags = Syn, Seq = 5000, SackPermitted = true });
        offered.Expect(Ms(1), new Seg { Flags = Syn | Ack, SackPermitted = true });
        Assert.True(offered.Subflow.SackEnabled);

        var notOffered = new SubflowScript(Plain);
        notOffered.Subflow.Listen();
        notOffered.Send(Ms(1), new Seg { Flags = Syn, Seq = 5000 });
        notOffered.Expect(Ms(1), new Seg { Flags = Syn | Ack, SackPermitted = false });
        Assert.False(notOffered.Subflow.SackEnabled);
    }

    [Fact]
    public void Rfc2018_4_ReceiverReportsOutOfOrderDataMostRecentFirstAndDeliversItOnceTheGapsFill()
    {
        var s = Active();
        byte[] data = Bytes(0, 500);
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Payload = data[..100] });
        s.Expect(Ms(200), new Seg { Flags = Ack, Ack = 5101, Sack = [] });

        // A gap: the ACK goes at once, naming the block (RFC 2018 §4: the block holding the segment just received).
        s.Send(Ms(210), new Seg { Flags = Ack, Seq = 5201, Ack = 1001, Payload = data[200..300] });
        s.Expect(Ms(210), new Seg { Flags = Ack, Ack = 5101, Sack = [B(5201, 5301)] });
        s.Send(Ms(220), new Seg { Flags = Ack, Seq = 5401, Ack = 1001, Payload = data[400..500] });
        s.Expect(Ms(220), new Seg { Flags = Ack, Ack = 5101, Sack = [B(5401, 5501), B(5201, 5301)] });

        // Filling the gap between the two blocks merges them; the merged block is the most recent.
        s.Send(Ms(230), new Seg { Flags = Ack, Seq = 5301, Ack = 1001, Payload = data[300..400] });
        s.Expect(Ms(230), new Seg { Flags = Ack, Ack = 5101, Sack = [B(5201, 5501)] });
        Assert.Equal(100, s.Subflow.BytesAvailable);

        // A duplicate of held data changes nothing but is acknowledged at once.
        s.Send(Ms(235), new Seg { Flags = Ack, Seq = 5401, Ack = 1001, Payload = data[400..500] });
        s.Expect(Ms(235), new Seg { Flags = Ack, Ack = 5101, Sack = [B(5201, 5501)] });

        // The first gap fills: everything is delivered, in order, and acknowledged at once without blocks.
        s.Send(Ms(240), new Seg { Flags = Ack, Seq = 5101, Ack = 1001, Payload = data[100..200] });
        s.Expect(Ms(240), new Seg { Flags = Ack, Ack = 5501, Sack = [] });
        byte[] read = new byte[1000];
        Assert.Equal(500, s.Subflow.Receive(read));
        Assert.Equal(data, read[..500]);
    }

    [Fact]
    public void Rfc2018_3_AtMostFourBlocksWithoutTimestampsAndThreeWithThem()
    {
        var plain = Active();
        for (uint i = 0; i < 6; i++)
        {
            plain.Send(Ms(200 + i), new Seg { Flags = Ack, Seq = 5101 + (200 * i), Ack = 1001, PayloadLength = 100 });
        }

        plain.Expect(Ms(210), new Seg { Ack = 5001, Sack = [B(6101, 6201), B(5901, 6001), B(5701, 5801), B(5501, 5601)] });

        var stamped = Active(Plain with { UseTimestamps = true }, peerTsVal: 50);
        for (uint i = 0; i < 6; i++)
        {
            stamped.Send(Ms(200 + i), new Seg { Flags = Ack, Seq = 5101 + (200 * i), Ack = 1001, PayloadLength = 100, TsVal = 60 + i, TsEcr = 0 });
        }

        stamped.Expect(Ms(210), new Seg
        {
            Ack = 5001, Sack = [B(6101, 6201), B(5901, 6001), B(5701, 5801)],
            OptionKinds = [Nop, Nop, TcpOptionKind.Timestamps, Nop, Nop, TcpOptionKind.Sack],
        });
    }

    [Fact]
    public void Rfc9293_3_10_7_4_WithoutSackOutOfOrderDataIsStillKept()
    {
        var s = Active(peerSack: false);
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5101, Ack = 1001, Payload = Bytes(100, 100) });
        s.Expect(Ms(200), new Seg { Flags = Ack, Ack = 5001, Sack = [] });
        s.Send(Ms(210), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Payload = Bytes(0, 100) });
        s.Expect(Ms(210), new Seg { Flags = Ack, Ack = 5201 });
        byte[] read = new byte[300];
        Assert.Equal(200, s.Subflow.Receive(read));
        Assert.Equal(Bytes(0, 200), read[..200]);
    }

    [Fact]
    public void OutOfOrderDataNeverOutgrowsTheReceiveBuffer()
    {
        var s = Active(Plain with { ReceiveBufferSize = 1000 });

        // 200 bytes at offset 900: only the 100 inside the window are kept.
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5901, Ack = 1001, Payload = Bytes(900, 200) });
        s.Expect(Ms(200), new Seg { Ack = 5001, Window = 1000, Sack = [B(5901, 6001)] });

        // Entirely beyond the window: not acceptable, acknowledged, not kept.
        s.Send(Ms(210), new Seg { Flags = Ack, Seq = 6001, Ack = 1001, Payload = Bytes(1000, 100) });
        s.Expect(Ms(210), new Seg { Ack = 5001, Sack = [B(5901, 6001)] });

        s.Send(Ms(220), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Payload = Bytes(0, 900) });
        s.Expect(Ms(220), new Seg { Ack = 6001, Window = 0, Sack = [] });
        Assert.Equal(1000, s.Subflow.BytesAvailable);
        byte[] read = new byte[2000];
        Assert.Equal(1000, s.Subflow.Receive(read));
        Assert.Equal(Bytes(0, 1000), read[..1000]);
    }

    [Fact]
    public void TheOutOfOrderQueueHoldsABoundedNumberOfFragments()
    {
        var s = Active();

        // 40 one-byte fragments with gaps between: the first 32 are kept, the rest dropped (and retransmitted later).
        for (uint i = 0; i < 40; i++)
        {
            s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5003 + (2 * i), Ack = 1001, Payload = [(byte)i] });
        }

        s.Expect(Ms(200), new Seg { Ack = 5001, Sack = [B(5065, 5066), B(5063, 5064), B(5061, 5062), B(5059, 5060)] });

        // Fill every gap up to the last kept fragment: delivery stops at the first fragment not kept.
        s.Send(Ms(210), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Payload = [0, 0] });
        s.Expect(Ms(210), new Seg { Ack = 5004 });
        for (uint gap = 5004; gap < 5066; gap += 2)
        {
            s.Send(Ms(220), new Seg { Flags = Ack, Seq = gap, Ack = 1001, Payload = [0] });
        }

        s.Expect(Ms(220), new Seg { Ack = 5066, Sack = [] });
        Assert.Equal(65, s.Subflow.BytesAvailable);
    }

    [Fact]
    public void Rfc9293_3_10_7_4_AFinAheadOfAGapIsTakenWhenTheGapFills()
    {
        var s = Active();
        s.Send(Ms(200), new Seg { Flags = FinAck, Seq = 5101, Ack = 1001, Payload = Bytes(100, 50) });
        s.Expect(Ms(200), new Seg { Ack = 5001, Sack = [B(5101, 5151)] });
        Assert.Equal(TcpState.Established, s.Subflow.State);
        s.Send(Ms(210), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Payload = Bytes(0, 100) });
        s.Expect(Ms(210), new Seg { Ack = 5152, Sack = [] });
        Assert.Equal(TcpState.CloseWait, s.Subflow.State);
        Assert.True(s.Subflow.ReceivedFin);
        Assert.Equal(150, s.Subflow.Receive(new byte[500]));
    }

    /// <summary>
    /// Ten segments of 500 bytes; the 2nd, 5th and 8th are lost. With SACK every hole is sent again
    /// within a few ACKs of the first duplicate, before any of those retransmissions could be
    /// acknowledged; NewReno would find one hole per round trip.
    /// </summary>
    [Fact]
    public void Rfc6675_5_SeveralHolesAreRetransmittedWithinOneRoundTrip()
    {
        var cc = new FixedWindow(5000);
        var s = Flight(cc, segments: 10);

        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5001, Ack = 1501 });
        s.Send(Ms(201), new Seg { Flags = Ack, Seq = 5001, Ack = 1501, Sack = [B(2001, 2501)] });
        s.Send(Ms(202), new Seg { Flags = Ack, Seq = 5001, Ack = 1501, Sack = [B(2001, 3001)] });
        s.ExpectNothing(Ms(202));

        // The third duplicate: recovery, ssthresh = 4500 / 2, the first hole at once (RFC 6675 §5 step 4.3).
        s.Send(Ms(203), new Seg { Flags = Ack, Seq = 5001, Ack = 1501, Sack = [B(3501, 4001), B(2001, 3001)] });
        s.Expect(Ms(203), new Seg { Flags = Ack, Seq = 1501, PayloadLength = 500 });
        Assert.Equal(1, cc.RecoveriesEntered);
        Assert.Equal(2250, cc.SlowStartThreshold);

        // pipe = 500 (retransmitted) + 500 (3001 not yet lost) + 2000 (above the SACKs) > ssthresh.
        s.ExpectNothing(Ms(203));
        s.Send(Ms(204), new Seg { Flags = Ack, Seq = 5001, Ack = 1501, Sack = [B(3501, 4501), B(2001, 3001)] });
        s.ExpectNothing(Ms(204));

        // Three SACKed ranges above 3001 make it lost (IsLost); pipe drops to 1500: NextSeg rule 1.
        s.Send(Ms(205), new Seg { Flags = Ack, Seq = 5001, Ack = 1501, Sack = [B(5001, 5501), B(3501, 4501), B(2001, 3001)] });
        s.Expect(Ms(205), new Seg { Seq = 3001, PayloadLength = 500 });
        s.ExpectNothing(Ms(205));

        // 4501 is not lost yet, but nothing new is left to send: NextSeg rule 3.
        s.Send(Ms(206), new Seg { Flags = Ack, Seq = 5001, Ack = 1501, Sack = [B(5001, 6001), B(3501, 4501), B(2001, 3001)] });
        s.Expect(Ms(206), new Seg { Seq = 4501, PayloadLength = 500 });
        s.ExpectNothing(Ms(206));

        // The retransmissions arrive a round trip later: partial ACKs, then all.
        s.Send(Ms(303), new Seg { Flags = Ack, Seq = 5001, Ack = 3001, Sack = [B(5001, 6001), B(3501, 4501)] });
        s.ExpectNothing(Ms(303));
        s.Send(Ms(305), new Seg { Flags = Ack, Seq = 5001, Ack = 4501, Sack = [B(5001, 6001)] });
        s.Send(Ms(306), new Seg { Flags = Ack, Seq = 5001, Ack = 6001 });
        s.ExpectNothing(Ms(306));
        Assert.Null(s.Subflow.NextDeadline);
        Assert.Equal(0, cc.Timeouts);
        Assert.Equal(1, cc.RecoveriesEntered);
    }

    [Fact]
    public void Rfc6675_5_DupThreshSackedSegmentsStartRecoveryBeforeThreeDuplicates()
    {
        var cc = new FixedWindow(5000);
        var s = Flight(cc, segments: 5);

        // One ACK (the peer's ACKs were thinned) SACKs three segments above the first: IsLost(SND.UNA).
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Sack = [B(1501, 3001)] });
        s.Expect(Ms(200), new Seg { Seq = 1001, PayloadLength = 500 });
        Assert.Equal(1, cc.RecoveriesEntered);
    }

    [Fact]
    public void Rfc2018_8_SackBlocksOutsideTheWindowChangeNothing()
    {
        var cc = new FixedWindow(5000);
        var s = Flight(cc, segments: 4);

        // Below SND.UNA (a D-SACK), past SND.MAX, straddling either edge, inverted, empty: none counts as
        // a duplicate (no new SACK information) and none enters the scoreboard.
        SackBlock[][] bogus =
        [
            [B(500, 900)], [B(2001, 9001)], [B(3001, 3501)], [B(901, 1501)], [B(2501, 2001)], [B(2001, 2001)],
            [B(1001 + 0x8000_0000u, 2001 + 0x8000_0000u)],
        ];
        for (int i = 0; i < bogus.Length; i++)
        {
            s.Send(Ms(200 + i), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Sack = bogus[i] });
        }

        s.ExpectNothing(Ms(300));
        Assert.Equal(0, cc.RecoveriesEntered);

        // At the timeout every segment goes again: nothing was taken as SACKed.
        s.Expect(Ms(1110), new Seg { Seq = 1001, PayloadLength = 500 });
        s.Expect(Ms(1110), new Seg { Seq = 1501, PayloadLength = 500 });
        s.Expect(Ms(1110), new Seg { Seq = 2001, PayloadLength = 500 });
        s.Expect(Ms(1110), new Seg { Seq = 2501, PayloadLength = 500 });
        s.ExpectNothing(Ms(1110));
    }

    [Fact]
    public void Rfc6675_5_1_AfterATimeoutSackedDataIsNotSentAgainUnlessTheTimerFiresTwice()
    {
        var cc = new FixedWindow(5000);
        var s = Flight(cc, segments: 4);

        // Two duplicates SACKing 1000 bytes: not enough for recovery (RFC 6675 IsLost needs more than 2 × SMSS).
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Sack = [B(2001, 2501)] });
        s.Send(Ms(201), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Sack = [B(2001, 3001)] });
        s.ExpectNothing(Ms(300));
        Assert.Equal(0, cc.RecoveriesEntered);

        // The timeout sends the two holes and skips the SACKed range.
        s.Expect(Ms(1110), new Seg { Seq = 1001, PayloadLength = 500 });
        s.Expect(Ms(1110), new Seg { Seq = 1501, PayloadLength = 500 });
        s.ExpectNothing(Ms(1110));

        // No answer: the second timeout in a row distrusts the scoreboard (the peer may have reneged).
        s.Expect(Ms(3110), new Seg { Seq = 1001, PayloadLength = 500 });
        s.Expect(Ms(3110), new Seg { Seq = 1501, PayloadLength = 500 });
        s.Expect(Ms(3110), new Seg { Seq = 2001, PayloadLength = 500 });
        s.Expect(Ms(3110), new Seg { Seq = 2501, PayloadLength = 500 });
        s.Send(Ms(3200), new Seg { Flags = Ack, Seq = 5001, Ack = 3001 });
        Assert.Null(s.Subflow.NextDeadline);
    }

    [Fact]
    public void Rfc6675_5_1_NoNewRecoveryUntilTheDataSentBeforeTheTimeoutIsAcknowledged()
    {
        var cc = new FixedWindow(5000);
        var s = Flight(cc, segments: 6);

        s.Expect(Ms(1110), new Seg { Seq = 1001 });
        for (uint i = 1; i < 6; i++)
        {
            s.Expect(Ms(1110), new Seg { Seq = 1001 + (500 * i) });
        }

        // Late duplicates from the first flight, SACKing three segments: no fast recovery after a timeout.
        s.Send(Ms(1120), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Sack = [B(1501, 2001)] });
        s.Send(Ms(1121), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Sack = [B(1501, 2501)] });
        s.Send(Ms(1122), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Sack = [B(1501, 3001)] });
        s.ExpectNothing(Ms(1122));
        Assert.Equal(0, cc.RecoveriesEntered);
    }
}
