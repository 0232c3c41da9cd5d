using MptcpPrivacy.Capture;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Tests.Robustness;

/// <summary>The frames of every fixture capture, as seeds for mutation.</summary>
internal static class CapturedPackets
{
    public sealed record Frame(string Capture, long Number, LinkType LinkType, byte[] Data);

    public static List<Frame> Load()
    {
        var frames = new List<Frame>();
        foreach (string capture in Fixtures.CaptureFiles("tcpdump", "kernel", "capture"))
        {
            using CaptureReader reader = CaptureReader.Open(Fixtures.Path_(capture));
            while (reader.TryReadNext(out CapturedFrame frame))
            {
                frames.Add(new Frame(capture, frame.Number, frame.LinkType, frame.Data.ToArray()));
            }
        }

        return frames;
    }
}
