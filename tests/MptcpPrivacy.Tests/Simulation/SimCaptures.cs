using MptcpPrivacy.Capture;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>Reads back the pcapng files the simulator's tap writes: with our reader, and with tshark.</summary>
internal static class SimCaptures
{
    /// <summary>Reads every frame, asserting that each is raw IP and that the file ends cleanly.</summary>
    /// <returns>The interfaces' names, the frames per interface, and every frame's timestamp in order.</returns>
    public static (IReadOnlyList<string?> Interfaces, long[] PerInterface, List<long> Timestamps) ReadBack(byte[] pcapng)
    {
        using var reader = CaptureReader.Open(new MemoryStream(pcapng));
        var perInterface = new List<long>();
        var timestamps = new List<long>();
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            Assert.Equal(LinkType.Raw, frame.LinkType);
            while (perInterface.Count <= frame.InterfaceId)
            {
                perInterface.Add(0);
            }

            perInterface[frame.InterfaceId]++;
            timestamps.Add(frame.TimestampNanoseconds);
        }

        Assert.Null(reader.Error);
        return ([.. reader.Interfaces.Select(i => i.Name)], [.. perInterface], timestamps);
    }

    /// <summary>Asserts that tshark reads all <paramref name="packets"/> frames and calls none malformed or erroneous; skips the test without tshark.</summary>
    public static void AssertTsharkReadsCleanly(byte[] pcapng, long packets)
    {
        string tshark = ExternalTool.Require("tshark");
        using var dir = new TempDirectory();
        string path = dir.Write("sim.pcapng", pcapng);
        string all = ExternalTool.Run(tshark, ["-n", "-r", path, "-T", "fields", "-e", "frame.number"]);
        Assert.Equal(packets, all.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        string malformed = ExternalTool.Run(tshark, ["-n", "-r", path, "-Y", "_ws.malformed || _ws.expert.severity >= error"]);
        Assert.Equal("", malformed.Trim());
    }
}
