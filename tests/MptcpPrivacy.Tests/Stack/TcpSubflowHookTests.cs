using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Tests.Stack.Scripted;
using MptcpPrivacy.Wire.Tcp;
using static MptcpPrivacy.Tests.Stack.Scripted.Flags;
using static MptcpPrivacy.Tests.Stack.Scripted.Handshake;
using static MptcpPrivacy.Tests.Stack.Scripted.SubflowScript;

namespace MptcpPrivacy.Tests.Stack;

/// <summary>The <see cref="ISubflowHooks"/> through which MPTCP takes part in a subflow's segments (RFC 8684 §3).</summary>
public sealed class TcpSubflowHookTests
{
    private const TcpOptionKind Ts = TcpOptionKind.Timestamps;
    private const TcpOptionKind Mptcp = TcpOptionKind.Mptcp;

    [Fact]
    public void HookOptionsFollowTcpsOwnOnEverySegmentWithSackBlocksInTheRoomLeft()
    {
        var hooks = new RecordingHooks { Option = RecordingHooks.MptcpOption(12) };
        var s = new SubflowScript(new TcpSubflowOptions { DelayedAck = TimeSpan.Zero }, hooks: hooks);
        s.Subflow.Connect(TimeSpan.Zero);

        // SYN: 20 bytes of MSS, SACK_PERM, TS, NOP, WS leave 20 for the hook.
        s.Expect(TimeSpan.Zero, new Seg { Flags = Syn, OptionKinds = [TcpOptionKind.MaximumSegmentSize, TcpOptionKind.SackPermitted, Ts, Nop, TcpOptionKind.WindowScale, Mptcp] });
        Assert.Equal((new OutgoingSegment(Syn, new SeqNum32(1000), 0, false), 20), hooks.Written[^1]);

        s.Send(Ms(100), new Seg { Flags = SynAck, Seq = 5000, Ack = 1001, Mss = 1400, SackPermitted = true, TsVal = 777, TsEcr = 0, WindowShift = 7 });
        Assert.Equal([(SynAck, 5000u)], hooks.Accepted);
        s.Expect(Ms(100), new Seg { Flags = Ack, OptionKinds = [Nop, Nop, Ts, Mptcp] });
        Assert.Equal((new OutgoingSegment(Ack, new SeqNum32(1001), 0, false), 28), hooks.Written[^1]);

        s.Subflow.Send(new byte[100]);
        s.Expect(Ms(110), new Seg { Flags = PshAck, PayloadLength = 100, OptionKinds = [Nop, Nop, Ts, Mptcp] });
        Assert.Equal(new OutgoingSegment(PshAck, new SeqNum32(1001), 100, false), hooks.Written[^1].Segment);

        // Out-of-order data: TS (12), the hook's 12, then NOP, NOP and one SACK block (12) = 36 bytes.
        s.Send(Ms(120), new Seg { Flags = Ack, Seq = 5101, Ack = 1001, PayloadLength = 10, TsVal = 800, TsEcr = 110 });
        s.Expect(Ms(120), new Seg { Flags = Ack, Ack = 5001, Sack = [B(5101, 5111)], OptionKinds = [Nop, Nop, Ts, Mptcp, Nop, Nop, TcpOptionKind.Sack] });

        // The data goes again at the timeout: a retransmission.
        s.Expect(Ms(1110), new Seg { Flags = PshAck, Seq = 1001, PayloadLength = 100 });
        Assert.Equal(new OutgoingSegment(PshAck, new SeqNum32(1001), 100, true), hooks.Written[^1].Segment);

        // Abort's RST carries the hook's options (MP_FASTCLOSE, MP_TCPRST).
        s.Subflow.Abort();
        s.Expect(Ms(1200), new Seg { Flags = TcpFlags.Rst, Seq = 1101, OptionKinds = [Nop, Nop, Ts, Mptcp] });
        Assert.Equal(new OutgoingSegment(TcpFlags.Rst, new SeqNum32(1101), 0, false), hooks.Written[^1].Segment);

        // The RST answering a segment after the abort is at the peer's exact acknowledgment number,
        // the one a peer enforcing RFC 5961 accepts (the abort's may only earn a challenge ACK), so
        // it carries the hook's options too; TCP adds none of its own (no timestamps in CLOSED).
        int written = hooks.Written.Count;
        s.Send(Ms(1300), new Seg { Flags = Ack, Seq = 5001, Ack = 1101, PayloadLength = 1 });
        s.Expect(Ms(1300), new Seg { Flags = TcpFlags.Rst, Seq = 1101, OptionKinds = [Mptcp] });
        Assert.Equal(written + 1, hooks.Written.Count);
        Assert.Equal(new OutgoingSegment(TcpFlags.Rst, new SeqNum32(1101), 0, false), hooks.Written[^1].Segment);
    }

    [Fact]
    public void SackBlocksGiveWayWhenTheHookLeavesNoRoom()
    {
        var hooks = new RecordingHooks { Option = RecordingHooks.MptcpOption(20) };
        var s = Active(Plain with { UseTimestamps = true }, peerTsVal: 50, hooks: hooks);
        s.Send(Ms(120), new Seg { Flags = Ack, Seq = 5101, Ack = 1001, PayloadLength = 10, TsVal = 60, TsEcr = 0 });

        // 12 + 20 leave 8 bytes: too few for NOP, NOP and one block.
        s.Expect(Ms(120), new Seg { Flags = Ack, Ack = 5001, Sack = [], OptionKinds = [Nop, Nop, Ts, Mptcp] });
        Assert.Equal(28, hooks.Written[^1].Room);
    }

    [Fact]
    public void RetransmittedSynIsMarkedAsARetransmission()
    {
        var hooks = new RecordingHooks();
        var s = new SubflowScript(Plain, hooks: hooks);
        s.Subflow.Connect(TimeSpan.Zero);
        s.Expect(TimeSpan.Zero, new Seg { Flags = Syn });
        s.Expect(Ms(1000), new Seg { Flags = Syn });
        Assert.Equal([false, true], hooks.Written.Select(w => w.Segment.IsRetransmission));
    }

    [Fact]
    public void PayloadsLeaveTheHooksOptionSpaceAndEndAtItsMappingBoundaries()
    {
        // A mapping ends at 1701: no segment may straddle it (RFC 8684 §3.3.1).
        var hooks = new RecordingHooks
        {
            DataOptionSpace = 20,
            Limit = (seq, available) => seq < new SeqNum32(1701) ? Math.Min(available, new SeqNum32(1701) - seq) : available,
        };
        var s = Active(peerMss: 1000, hooks: hooks);
        s.Subflow.Send(new byte[2000]);
        s.Expect(Ms(110), new Seg { Seq = 1001, PayloadLength = 700 });
        s.Expect(Ms(110), new Seg { Seq = 1701, PayloadLength = 980 });
        s.Expect(Ms(110), new Seg { Seq = 2681, PayloadLength = 320, Flags = PshAck });
        s.ExpectNothing(Ms(110));
        Assert.Equal([(new SeqNum32(1001), 980), (new SeqNum32(1701), 980), (new SeqNum32(2681), 320)], hooks.LimitCalls);
    }

    [Fact]
    public void TheHookSeesAcceptedSegmentsBeforeTcpActsOnThemAndMayRefuseThem()
    {
        var hooks = new RecordingHooks();
        var s = new SubflowScript(Plain, hooks: hooks);
        s.Subflow.Listen();

        // A refused SYN leaves the listener as it was.
        hooks.Accept = false;
        s.Send(Ms(1), new Seg { Flags = Syn, Seq = 4000 });
        s.ExpectNothing(Ms(1));
        Assert.Equal(TcpState.Listen, s.Subflow.State);

        hooks.Accept = true;
        s.Send(Ms(2), new Seg { Flags = Syn, Seq = 5000 });
        s.Expect(Ms(2), new Seg { Flags = SynAck, Seq = 1000, Ack = 5001 });
        s.Send(Ms(3), new Seg { Flags = Ack, Seq = 5001, Ack = 1001 });
        Assert.Equal(TcpState.Established, s.Subflow.State);
        Assert.Equal([(Syn, 4000u), (Syn, 5000u), (Ack, 5001u)], hooks.Accepted);

        // Refused in ESTABLISHED: the data is not queued, the ACK not processed, nothing is sent.
        hooks.Accept = false;
        s.Subflow.Send(new byte[10]);
        s.Expect(Ms(4), new Seg { Seq = 1001, PayloadLength = 10 });
        s.Send(Ms(5), new Seg { Flags = PshAck, Seq = 5001, Ack = 1011, Payload = [1, 2, 3] });
        s.ExpectNothing(Ms(5));
        Assert.Equal(0, s.Subflow.BytesAvailable);
        Assert.Equal(1001u, s.Subflow.SendUnacknowledged.Value);

        // Neither a RST nor a segment that fails the sequence check reaches the hook.
        int seen = hooks.Accepted.Count;
        s.Send(Ms(6), new Seg { Flags = TcpFlags.Rst, Seq = 5100 });
        s.Expect(Ms(6), new Seg { Flags = Ack, Ack = 5001 }); // RFC 5961 challenge ACK
        s.Send(Ms(7), new Seg { Flags = Ack, Seq = 900_000, Ack = 1011, Payload = [1] });
        s.Expect(Ms(7), new Seg { Flags = Ack, Ack = 5001 });
        Assert.Equal(seen, hooks.Accepted.Count);

        hooks.Accept = true;
        s.Send(Ms(8), new Seg { Flags = PshAck, Seq = 5001, Ack = 1011, Payload = [1, 2, 3] });
        s.Expect(Ms(8), new Seg { Flags = Ack, Ack = 5004 });
        Assert.Equal(3, s.Subflow.BytesAvailable);
        Assert.Equal(1011u, s.Subflow.SendUnacknowledged.Value);
    }

    [Fact]
    public void ARefusedSynAckLeavesSynSent()
    {
        var hooks = new RecordingHooks { Accept = false };
        var s = new SubflowScript(Plain, hooks: hooks);
        s.Subflow.Connect(TimeSpan.Zero);
        s.Expect(TimeSpan.Zero, new Seg { Flags = Syn });
        s.Send(Ms(100), new Seg { Flags = SynAck, Seq = 5000, Ack = 1001 });
        s.ExpectNothing(Ms(100));
        Assert.Equal(TcpState.SynSent, s.Subflow.State);
        Assert.Single(hooks.Accepted);
    }

    [Fact]
    public void TheHookCapsTheAdvertisedWindowWhichNeverShrinks()
    {
        var hooks = new RecordingHooks { ReceiveWindowLimit = 3000 };
        var s = new SubflowScript(Plain, hooks: hooks);
        s.Subflow.Connect(TimeSpan.Zero);
        s.Expect(TimeSpan.Zero, new Seg { Flags = Syn, Window = 3000 });
        s.Send(Ms(100), new Seg { Flags = SynAck, Seq = 5000, Ack = 1001 });
        s.Expect(Ms(100), new Seg { Flags = Ack, Window = 3000 });
        s.Send(Ms(110), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, PayloadLength = 1000 });
        s.Expect(Ms(110), new Seg { Flags = Ack, Ack = 6001, Window = 3000 });

        // The cap falls to 500, but 3000 bytes past 6001 were offered: the right edge stays at 9001.
        hooks.ReceiveWindowLimit = 500;
        s.Send(Ms(120), new Seg { Flags = Ack, Seq = 6001, Ack = 1001, PayloadLength = 100 });
        s.Expect(Ms(120), new Seg { Flags = Ack, Ack = 6101, Window = 2900 });

        // Data past the edge is cut at it; then the cap rules.
        s.Send(Ms(130), new Seg { Flags = Ack, Seq = 6101, Ack = 1001, PayloadLength = 3000 });
        s.Expect(Ms(130), new Seg { Flags = Ack, Ack = 9001, Window = 500 });
        Assert.Equal(4000, s.Subflow.BytesAvailable);
    }

    [Fact]
    public void HooksAreFixedOnceSegmentsFlow()
    {
        var s = new SubflowScript(Plain);
        s.Subflow.Hooks = new RecordingHooks();
        s.Subflow.Connect(TimeSpan.Zero);
        s.Subflow.Hooks = null;
        s.Expect(TimeSpan.Zero, new Seg { Flags = Syn });
        Assert.Throws<InvalidOperationException>(() => s.Subflow.Hooks = new RecordingHooks());
    }

    [Fact]
    public void InitialSequenceNumbersAndByteCountsAreVisible()
    {
        var s = Active(peerMss: 500);
        Assert.Equal(1000u, s.Subflow.InitialSendSequence.Value);
        Assert.Equal(5000u, s.Subflow.InitialReceiveSequence.Value);
        s.Subflow.Send(new byte[3000]);
        Assert.Equal(3000, s.Subflow.UnsentBytes);
        for (int i = 0; i < 4; i++)
        {
            s.Expect(Ms(110), new Seg { PayloadLength = 500 });
        }

        Assert.Equal(2000, s.Subflow.BytesInFlight);
        Assert.Equal(1000, s.Subflow.UnsentBytes);
    }
}
