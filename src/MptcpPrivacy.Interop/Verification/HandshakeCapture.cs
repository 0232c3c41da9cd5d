using MptcpPrivacy.Capture;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Packets;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Interop.Verification;

/// <summary>
/// One segment of a kernel-host capture, reduced to what the privacy-profile cases judge: its TCP
/// flags, whether the kernel host sent it, which MPTCP handshake option it carried, and any RFC 6994
/// experimental option (kind 253 or 254) in it.
/// </summary>
/// <param name="TimeNs">When it was captured, in nanoseconds since the Unix epoch.</param>
/// <param name="SentByKernel">Whether the kernel's host sent it (LINUX_SLL2 packet type 4), rather than received it.</param>
/// <param name="Flags">Its TCP flags.</param>
/// <param name="PayloadLength">Its TCP payload's bytes.</param>
/// <param name="MpCapable">Whether it carried MP_CAPABLE.</param>
/// <param name="MpJoin">Whether it carried MP_JOIN.</param>
/// <param name="ResetReason">The reason of the MP_TCPRST it carried (RFC 8684 §3.6), or null.</param>
/// <param name="Experimental">How many kind 253/254 options it carried, whatever their ExID.</param>
/// <param name="ProfileOffer">The privacy profile's offer (kind 253, ExID 0x4D50) it carried, or null.</param>
public sealed record CapturedSegment(long TimeNs, bool SentByKernel, TcpFlags Flags, int PayloadLength, bool MpCapable, bool MpJoin, MpTcpRstReason? ResetReason, int Experimental, ProfileOfferOption? ProfileOffer)
{
    /// <summary>Gets whether it is a SYN without ACK.</summary>
    public bool IsSyn => (Flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn;

    /// <summary>Gets whether it is a SYN/ACK.</summary>
    public bool IsSynAck => (Flags & (TcpFlags.Syn | TcpFlags.Ack)) == (TcpFlags.Syn | TcpFlags.Ack);

    /// <summary>Gets whether it is a reset.</summary>
    public bool IsRst => (Flags & TcpFlags.Rst) != 0;

    /// <summary>Gets whether it opens or answers a connection's first subflow (a SYN or SYN/ACK without MP_JOIN).</summary>
    public bool IsInitialHandshake => (IsSyn || IsSynAck) && !MpJoin;

    /// <summary>Says in a few words what it carried, for a check's detail.</summary>
    public string Describe() =>
        $"{(IsSynAck ? "SYN/ACK" : IsSyn ? "SYN" : IsRst ? "RST" : Flags.ToString())}"
        + $" [{(MpCapable ? "MP_CAPABLE" : MpJoin ? "MP_JOIN" : ResetReason is { } reason ? $"MP_TCPRST {reason}" : "no MP_CAPABLE, MP_JOIN or MP_TCPRST")}"
        + (ProfileOffer is { } offer ? $", profile offer {offer.Flags}" : Experimental > 0 ? $", {Experimental} other kind-253/254 option(s)" : ", no kind-253/254 option")
        + "]";
}

/// <summary>Reads a kernel-host capture (LINUX_SLL2, <c>tcpdump -i any</c>) into <see cref="CapturedSegment"/>s.</summary>
public static class HandshakeCapture
{
    /// <summary>Reads every TCP segment of the capture at <paramref name="path"/>, in order.</summary>
    public static IReadOnlyList<CapturedSegment> Read(string path)
    {
        var segments = new List<CapturedSegment>();
        using CaptureReader reader = CaptureReader.Open(path);
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (TcpPacket.TryDecode(frame.LinkType, frame.Data, out TcpPacket packet, out _, out WireError _) == PacketDecodeResult.Tcp)
            {
                segments.Add(Reduce(packet, frame.TimestampNanoseconds));
            }
        }

        return segments;
    }

    private static CapturedSegment Reduce(in TcpPacket packet, long timeNs)
    {
        TcpHeader tcp = packet.Tcp;
        int experimental = 0;
        ProfileOfferOption? offer = null;
        foreach (TcpOption option in tcp.ReadOptions())
        {
            if (option.Kind is TcpOptionKind.Experimental1 or TcpOptionKind.Experimental2)
            {
                experimental++;
                if (ProfileOfferOption.TryParse(option.Bytes, out ProfileOfferOption parsed, out _))
                {
                    offer = parsed;
                }
            }
        }

        bool capable = false;
        bool join = false;
        MpTcpRstReason? reset = null;
        foreach (MptcpOption option in new MptcpOptionReader(tcp.ReadOptions()))
        {
            capable |= option.Subtype == MptcpSubtype.MpCapable;
            join |= option.Subtype == MptcpSubtype.MpJoin;
            reset = option.Subtype == MptcpSubtype.MpTcpRst ? (MpTcpRstReason)option.MpTcpRst.Reason : reset;
        }

        return new CapturedSegment(timeNs, packet.Link.PacketType == 4, tcp.Flags, tcp.Payload.Length, capable, join, reset, experimental, offer);
    }
}
