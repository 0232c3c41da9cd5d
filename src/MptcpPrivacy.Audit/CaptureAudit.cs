using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Packets;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Audit;

/// <summary>Reads a capture file into a <see cref="ConnectionTracker"/>: the I/O edge of the audit.</summary>
public static class CaptureAudit
{
    /// <summary>What reading one capture gave: the tracker, the damage that stopped reading (if any), malformed frames.</summary>
    public sealed record Result(ConnectionTracker Tracker, CaptureError? Damage, IReadOnlyList<string> Malformed, long Frames);

    /// <summary>Reads every frame of <paramref name="path"/> and feeds the TCP ones to a new tracker.</summary>
    public static Result Read(string path)
    {
        var tracker = new ConnectionTracker();
        var malformed = new List<string>();
        long frames = 0;
        using CaptureReader reader = CaptureReader.Open(path);
        bool pcapng = reader.Format == CaptureFormat.Pcapng;
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            frames++;
            switch (TcpPacket.TryDecode(frame.LinkType, frame.Data, out TcpPacket packet, out PacketLayer layer, out WireError error))
            {
                case PacketDecodeResult.Tcp:
                    int interfaceIndex = packet.Link.InterfaceIndex >= 0 ? packet.Link.InterfaceIndex : pcapng ? frame.InterfaceId : -1;
                    tracker.Observe(in packet, frame.Number, frame.TimestampNanoseconds, interfaceIndex);
                    break;
                case PacketDecodeResult.Malformed when malformed.Count < 1000:
                    malformed.Add($"frame {frame.Number} (byte offset {frame.ByteOffset}): {layer} header: {error}");
                    break;
            }
        }

        tracker.Finish();
        return new Result(tracker, reader.Error, malformed, frames);
    }
}
