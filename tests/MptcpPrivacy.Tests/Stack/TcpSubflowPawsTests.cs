using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Tests.Stack.Scripted;
using MptcpPrivacy.Wire.Tcp;
using static MptcpPrivacy.Tests.Stack.Scripted.Flags;
using static MptcpPrivacy.Tests.Stack.Scripted.Handshake;
using static MptcpPrivacy.Tests.Stack.Scripted.SubflowScript;

namespace MptcpPrivacy.Tests.Stack;

/// <summary>Protection Against Wrapped Sequences (RFC 7323 §5).</summary>
public sealed class TcpSubflowPawsTests
{
    private static readonly TcpSubflowOptions Stamped = Plain with { UseTimestamps = true };

    [Fact]
    public void Rfc7323_5_3_ASegmentStampedBeforeTsRecentIsDroppedAndAcknowledged()
    {
        var s = Active(Stamped, peerTsVal: 1000);
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Payload = [1, 2, 3], TsVal = 1010, TsEcr = 100 });
        s.Expect(Ms(200), new Seg { Flags = Ack, Ack = 5004, TsEcr = 1010 });

        // In window and new by its sequence number, but older by its timestamp: an old duplicate (R1).
        s.Send(Ms(210), new Seg { Flags = Ack, Seq = 5004, Ack = 1001, Payload = [9, 9], TsVal = 1009, TsEcr = 100 });
        s.Expect(Ms(210), new Seg { Flags = Ack, Ack = 5004, TsEcr = 1010 });
        Assert.Equal(3, s.Subflow.BytesAvailable);

        // The same timestamp is not older: accepted.
        s.Send(Ms(220), new Seg { Flags = Ack, Seq = 5004, Ack = 1001, Payload = [4, 5], TsVal = 1010, TsEcr = 100 });
        s.Expect(Ms(220), new Seg { Flags = Ack, Ack = 5006, TsEcr = 1010 });
        Assert.Equal(5, s.Subflow.BytesAvailable);
    }

    [Fact]
    public void Rfc7323_5_2_TimestampsCompareAcrossTheWrap()
    {
        var s = Active(Stamped, peerTsVal: 0xFFFF_FFF0u);
        s.Send(Ms(200), new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Payload = [1], TsVal = 0x10, TsEcr = 100 });
        s.Expect(Ms(200), new Seg { Flags = Ack, Ack = 5002, TsEcr = 0x10 });
        s.Send(Ms(210), new Seg { Flags = Ack, Seq = 5002, Ack = 1001, Payload = [2], TsVal = 0xFFFF_FFF8u, TsEcr = 100 });
        s.Expect(Ms(210), new Seg { Flags = Ack, Ack = 5002, TsEcr = 0x10 });
    }

    [Fact]
    public void Rfc7323_5_3_PawsDoesNotApplyToResets()
    {
        var s = Active(Stamped, peerTsVal: 1000);
        s.Send(Ms(200), new Seg { Flags = TcpFlags.Rst, Seq = 5001, TsVal = 1, TsEcr = 0 });
        Assert.Equal(TcpState.Closed, s.Subflow.State);
        Assert.Equal(TcpCloseReason.Reset, s.Subflow.CloseReason);
    }

    [Fact]
    public void Rfc7323_5_5_ATsRecentIdleForMoreThan24DaysNoLongerRejects()
    {
        var s = Active(Stamped, peerTsVal: 1000);
        TimeSpan later = Ms(200) + TimeSpan.FromDays(25);
        s.Send(later, new Seg { Flags = Ack, Seq = 5001, Ack = 1001, Payload = [1], TsVal = 5, TsEcr = 100 });
        s.Expect(later, new Seg { Flags = Ack, Ack = 5002, TsEcr = 5 });
    }
}
