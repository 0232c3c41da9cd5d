using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Wire.Tcp;
using static MptcpPrivacy.Tests.Stack.Scripted.SubflowScript;

namespace MptcpPrivacy.Tests.Stack.Scripted;

/// <summary>Opens a scripted connection: our ISS 1000 against the peer's 5000, SYN,ACK at 100 ms.</summary>
internal static class Handshake
{
    /// <summary>No Timestamps, no window scaling, a 64 KiB buffer, every segment acknowledged at once.</summary>
    public static readonly TcpSubflowOptions Plain = new() { UseTimestamps = false, UseWindowScaling = false, ReceiveBufferSize = 65535, DelayedAck = TimeSpan.Zero };

    /// <summary>Actively opens with the peer answering SACK-permitted (unless <paramref name="peerSack"/> is false) and, given <paramref name="peerTsVal"/>, Timestamps.</summary>
    public static SubflowScript Active(
        TcpSubflowOptions? options = null,
        bool peerSack = true,
        ushort peerMss = 1460,
        ushort peerWindow = 65535,
        uint? peerTsVal = null,
        ICongestionControl? congestionControl = null,
        ISubflowHooks? hooks = null)
    {
        var s = new SubflowScript(options ?? Plain, 1000, congestionControl, hooks);
        s.Subflow.Connect(TimeSpan.Zero);
        s.Expect(TimeSpan.Zero, new Seg { Flags = TcpFlags.Syn, Seq = 1000 });
        s.Send(Ms(100), new Seg
        {
            Flags = TcpFlags.Syn | TcpFlags.Ack, Seq = 5000, Ack = 1001, Mss = peerMss, Window = peerWindow,
            SackPermitted = peerSack, TsVal = peerTsVal, TsEcr = peerTsVal is null ? null : 0,
        });
        s.Expect(Ms(100), new Seg { Flags = TcpFlags.Ack, Seq = 1001, Ack = 5001 });
        Assert.Equal(TcpState.Established, s.Subflow.State);
        Assert.Equal(peerSack && (options ?? Plain).UseSack, s.Subflow.SackEnabled);
        return s;
    }

    /// <summary>A SACK block from sequence numbers.</summary>
    public static SackBlock B(uint left, uint right) => new(left, right);
}
