using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Audit.Observers;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Packets;

namespace MptcpPrivacy.Audit;

/// <summary>One capture file of an audit and how reading it ended.</summary>
public sealed record AuditFile(int Index, string Path, long Frames, CaptureError? Error);

/// <summary>What an observer learned, connection by connection.</summary>
public sealed record ObserverReport(ObserverView View, IReadOnlyList<ObservedConnection> Connections);

/// <summary>Everything an audit found: the files, the connections (global view), the checks, and each observer's links.</summary>
public sealed record AuditReport(
    IReadOnlyList<AuditFile> Files,
    ConnectionTracker Global,
    IReadOnlyList<ObserverReport> Observers,
    IReadOnlyList<string> Malformed,
    long MalformedCount,
    long TcpPackets,
    long Duplicates)
{
    /// <summary>True when every file was read to its end.</summary>
    public bool Complete => Files.All(f => f.Error is null);
}

/// <summary>Runs an audit: reads the captures (merged in time order), feeds the session, analyses each observer.</summary>
public static class AuditRun
{
    /// <summary>How many malformed-packet messages are kept with their details.</summary>
    public const int MaxMalformedMessages = 100;

    /// <summary>
    /// Audits <paramref name="paths"/>, trying <paramref name="draftTokens"/> on joins whose token no
    /// key gives (<see cref="DraftTokenSearch.Default"/> when null); files that cannot be opened throw <see cref="IOException"/>.
    /// </summary>
    public static AuditReport Run(IReadOnlyList<string> paths, IReadOnlyList<ObserverSpec> observers, DraftTokenSearch? draftTokens = null)
    {
        var session = new AuditSession(observers, paths.Count > 1, draftTokens);
        var malformed = new List<string>();
        long malformedCount = 0;
        long tcpPackets = 0;
        using var input = new AuditInput(paths);
        while (input.TryReadNext(out InputFrame frame))
        {
            PacketDecodeResult result = TcpPacket.TryDecode(frame.LinkType, frame.Data, out TcpPacket packet, out PacketLayer layer, out WireError error);
            if (result == PacketDecodeResult.Tcp)
            {
                tcpPackets++;
                int interfaceIndex = FrameInterface.Of(packet.Link.InterfaceIndex, frame.HasInterfaces, frame.InterfaceId);
                var vantage = new PacketVantage(frame.File, interfaceIndex, IpAddressBytes.FromSpan(packet.Ip.Source), IpAddressBytes.FromSpan(packet.Ip.Destination));
                session.Observe(in packet, in vantage, FrameRef.Make(frame.File, frame.Number), frame.TimestampNs);
            }
            else if (result == PacketDecodeResult.Malformed)
            {
                if (++malformedCount <= MaxMalformedMessages)
                {
                    string where = paths.Count > 1 ? $"{paths[frame.File - 1]}: " : "";
                    malformed.Add($"{where}frame {frame.Number} (byte offset {frame.ByteOffset}): {layer} header: {error}");
                }
            }

            input.Release();
        }

        session.Finish();
        foreach (string message in session.Global.MalformedOptions.Take(MaxMalformedMessages))
        {
            malformed.Add(message);
        }

        malformedCount += session.Global.MalformedOptionCount;
        var reports = session.Observers.Select(o => new ObserverReport(o, LinkAnalysis.Analyze(o, session.Global))).ToList();
        var files = input.Files.Select((f, i) => new AuditFile(i + 1, f.Path, f.Frames, f.Error)).ToList();
        return new AuditReport(files, session.Global, reports, malformed, malformedCount, tcpPackets, session.Duplicates);
    }
}
