using BenchmarkDotNet.Attributes;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Packets;
using MptcpPrivacy.Wire.Tcp;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Benchmarks;

/// <summary>
/// Decoding captured packets from memory: link, IP and TCP headers, the option walk and every MPTCP
/// option, per packet. Goal (issue 2): at least 10 million packets per second on one core, 0 bytes
/// allocated. The packets are every frame of the committed fixture captures.
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private byte[][] _frames = [];
    private LinkType[] _linkTypes = [];

    /// <summary>How many packets one benchmark invocation decodes.</summary>
    public int PacketCount => _frames.Length;

    [GlobalSetup]
    public void Setup()
    {
        var frames = new List<byte[]>();
        var linkTypes = new List<LinkType>();
        foreach (string path in FixturePaths.Captures())
        {
            using CaptureReader reader = CaptureReader.Open(path);
            while (reader.TryReadNext(out CapturedFrame frame))
            {
                frames.Add(frame.Data.ToArray());
                linkTypes.Add(frame.LinkType);
            }
        }

        _frames = frames.ToArray();
        _linkTypes = linkTypes.ToArray();
        Console.WriteLine($"// {_frames.Length} packets per invocation");
    }

    /// <summary>Decodes every packet once; returns a checksum of what was read so nothing is optimised away.</summary>
    [Benchmark]
    public ulong DecodeAllPackets()
    {
        ulong sink = 0;
        byte[][] frames = _frames;
        for (int i = 0; i < frames.Length; i++)
        {
            sink += DecodeOne(_linkTypes[i], frames[i]);
        }

        return sink;
    }

    /// <summary>The per-packet work the benchmark measures: headers plus every MPTCP option parsed.</summary>
    internal static ulong DecodeOne(LinkType linkType, ReadOnlySpan<byte> frame)
    {
        if (TcpPacket.TryDecode(linkType, frame, out TcpPacket packet, out _, out _) != PacketDecodeResult.Tcp)
        {
            return 1;
        }

        ulong sink = packet.Tcp.SequenceNumber;
        foreach (TcpOption option in packet.Tcp.ReadOptions())
        {
            if (option.Kind == TcpOptionKind.Mptcp && MptcpOption.TryParse(option.Bytes, out MptcpOption parsed, out WireError _))
            {
                sink += (ulong)parsed.Subtype + (ulong)parsed.EncodedLength;
            }
        }

        return sink;
    }
}
