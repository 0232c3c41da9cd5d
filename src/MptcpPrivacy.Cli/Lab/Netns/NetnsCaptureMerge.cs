using MptcpPrivacy.Capture;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Cli.Lab.Netns;

/// <summary>
/// Merges the kernel run's two <c>tcpdump -i any</c> captures (the client's, whose LINUX_SLL2
/// interface index names the path, and the server's) into one pcapng with three raw-IP interfaces
/// in the simulator's order: 0 Wi-Fi, 1 cellular, 2 the server's link. The audit then names its
/// path observers <c>path-if0</c> and <c>path-if1</c> as on the simulator's capture.
/// </summary>
internal static class NetnsCaptureMerge
{
    /// <summary>The interface names of the merged capture, in order.</summary>
    public static readonly IReadOnlyList<string> InterfaceNames = ["wifi", "cellular", "server"];

    /// <summary>
    /// Returns the merged pcapng: the client capture's frames of each path of
    /// <paramref name="paths"/> on that path's interface, the server capture's on the last, sorted
    /// by timestamp (the captures share the host's clock). Frames that are not IP, or of another
    /// interface, are left out; a capture file that cannot be read throws
    /// <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static byte[] Merge(string clientCapture, string serverCapture, IReadOnlyList<TopologyPath> paths)
    {
        var frames = new List<(long Time, int Interface, int Order, byte[] Data, int Length)>();
        Dictionary<int, int> byIndex = paths.ToDictionary(p => p.InterfaceIndex, p => p.Number - 1);
        Read(clientCapture, frames, index => byIndex.TryGetValue(index, out int id) ? id : -1);
        Read(serverCapture, frames, _ => paths.Count);
        frames.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Order.CompareTo(b.Order));

        using var output = new MemoryStream();
        using (var writer = new PcapngWriter(output, leaveOpen: true))
        {
            foreach (string name in InterfaceNames.Take(paths.Count).Append(InterfaceNames[^1]))
            {
                writer.AddInterface(LinkType.Raw, name: name);
            }

            foreach ((long time, int id, _, byte[] data, int length) in frames)
            {
                writer.WriteEnhancedPacket(id, time, data, length);
            }
        }

        return output.ToArray();
    }

    /// <summary>Adds the IP frames of <paramref name="file"/> to <paramref name="frames"/> on the interface <paramref name="interfaceOf"/> gives their SLL2 index (negative: left out).</summary>
    private static void Read(string file, List<(long, int, int, byte[], int)> frames, Func<int, int> interfaceOf)
    {
        using CaptureReader reader = CaptureReader.Open(file);
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (!LinkFrame.TryParse(frame.LinkType, frame.Data, out LinkFrame link, out _)
                || link.NetworkProtocol is not (NetworkProtocol.Ipv4 or NetworkProtocol.Ipv6)
                || interfaceOf(link.InterfaceIndex) is not (>= 0 and var id))
            {
                continue;
            }

            frames.Add((frame.TimestampNanoseconds, id, frames.Count, link.Payload.ToArray(), frame.OriginalLength - link.HeaderLength));
        }

        if (reader.Error is { } error)
        {
            throw new InvalidDataException($"lab netns: the capture {file} cannot be read: {error}");
        }
    }
}
