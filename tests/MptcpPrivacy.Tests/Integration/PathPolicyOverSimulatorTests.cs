using MptcpPrivacy.Capture;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Integration;

/// <summary>
/// Issue 7's path policies on the simulator, checked on its pcapng capture (simulated time): backup
/// joins only once the first path is down, and a handover leaves one subflow carrying data.
/// </summary>
public class PathPolicyOverSimulatorTests
{
    private static ScenarioSpec TwoPaths(string path1, string path2, long bytes) => new()
    {
        Paths = [PathSpec.Parse(path1), PathSpec.Parse(path2)],
        ClientToServerBytes = bytes,
        ServerToClientBytes = bytes,
        Seed = 1,
        DurationNs = 120_000_000_000,
    };

    private static MptcpOptions With(PathPolicyMode mode) => new() { PathPolicy = new PathPolicy { Mode = mode } };

    /// <summary>Every TCP segment in the capture: when, its subflow (client end first), its MPTCP options and payload length.</summary>
    private static List<(TimeSpan At, (IpAddressBytes, ushort, IpAddressBytes, ushort) Subflow, List<MptcpOption> Options, int Payload)> Segments(byte[] pcapng)
    {
        var list = new List<(TimeSpan, (IpAddressBytes, ushort, IpAddressBytes, ushort), List<MptcpOption>, int)>();
        using var reader = CaptureReader.Open(new MemoryStream(pcapng));
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (!IpPacket.TryParse(frame.Data, out IpPacket ip, out _) || ip.Protocol != IpProtocol.Tcp || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _))
            {
                continue;
            }

            var options = new List<MptcpOption>();
            foreach (TcpOption option in tcp.ReadOptions())
            {
                if (option.Kind == TcpOptionKind.Mptcp && MptcpOption.TryParse(option.Bytes, out MptcpOption parsed, out _))
                {
                    options.Add(parsed);
                }
            }

            var source = (IpAddressBytes.FromSpan(ip.Source), tcp.SourcePort);
            var destination = (IpAddressBytes.FromSpan(ip.Destination), tcp.DestinationPort);
            var subflow = tcp.DestinationPort == ScenarioRunner.ServerPort
                ? (source.Item1, source.SourcePort, destination.Item1, destination.DestinationPort)
                : (destination.Item1, destination.DestinationPort, source.Item1, source.SourcePort);
            list.Add((TimeSpan.FromTicks(frame.TimestampNanoseconds / 100), subflow, options, tcp.Payload.Length));
        }

        Assert.Null(reader.Error);
        return list;
    }

    private static bool IsJoinSyn(List<MptcpOption> options) => options.Exists(o => o.Subtype == MptcpSubtype.MpJoin && o.MpJoin.Form == MpJoinForm.Syn);

    private static bool IsAnnouncement(List<MptcpOption> options) => options.Exists(o => o.Subtype == MptcpSubtype.AddAddr && !o.AddAddr.Echo);

    private static (ScenarioResult Result, byte[] Capture) Run(ScenarioSpec spec, MptcpOptions options)
    {
        using var stream = new MemoryStream();
        ScenarioResult r = ScenarioRunner.Run(spec, stream, client: options, server: options, check: ContentCheck.Pattern);
        Assert.True(r.Success, $"up {r.Upload.BytesDelivered}/{r.Upload.BytesSent} down {r.Download.BytesDelivered}/{r.Download.BytesSent} ({r.Outcome})\n"
            + string.Join("\n", r.ClientEvents.Select(e => $"  {e.Time.TotalMilliseconds} ms {e.Kind} {e.Subflow} {e.Detail}")));
        return (r, stream.ToArray());
    }

    [Fact]
    public void BackupOnHealthyPathsShowsOneSubflowAndNoAnnouncement()
    {
        ScenarioSpec spec = TwoPaths("rate=20M,rtt=20ms", "rate=20M,rtt=40ms", 2_000_000) with
        {
            ServerAnnouncedAddresses = [MptcpPrivacy.Simulation.InterfaceAddress.Parse("192.0.2.2/25")],
        };
        (ScenarioResult r, byte[] capture) = Run(spec, With(PathPolicyMode.Backup));

        var segments = Segments(capture);
        Assert.DoesNotContain(segments, s => IsJoinSyn(s.Options) || IsAnnouncement(s.Options));
        Assert.Single(segments.Select(s => s.Subflow).Distinct());
        Assert.Equal(1, r.SubflowsEstablished);
    }

    [Theory]
    [InlineData(PathPolicyMode.Off)]
    [InlineData(PathPolicyMode.Backup)]
    public void WhenTheFirstPathGoesDownBackupJoinsAfterItAndOffDoesNot(PathPolicyMode mode)
    {
        ScenarioSpec spec = TwoPaths("rate=20M,rtt=20ms,down=1s", "rate=20M,rtt=40ms", 4_000_000);
        using var stream = new MemoryStream();
        ScenarioResult r = ScenarioRunner.Run(spec, stream, client: With(mode), server: With(mode), check: ContentCheck.Pattern);
        var segments = Segments(stream.ToArray());
        List<TimeSpan> joins = [.. segments.Where(s => IsJoinSyn(s.Options)).Select(s => s.At)];

        Assert.DoesNotContain(segments, s => IsAnnouncement(s.Options));
        if (mode == PathPolicyMode.Off)
        {
            Assert.Empty(joins);
            Assert.False(r.Success);
            return;
        }

        Assert.True(r.Success, $"up {r.Upload.BytesDelivered}/{r.Upload.BytesSent} down {r.Download.BytesDelivered}/{r.Download.BytesSent}");
        Assert.Equal(r.Upload.BytesSent, r.Upload.BytesDelivered);
        Assert.Equal(r.Download.BytesSent, r.Download.BytesDelivered);
        Assert.NotEmpty(joins);
        Assert.All(joins, at => Assert.True(at > TimeSpan.FromSeconds(1), $"join at {at}"));
        Assert.Single(segments.Where(s => IsJoinSyn(s.Options)).Select(s => s.Subflow).Distinct());
    }

    [Fact]
    public void AfterAHandoverOneSubflowAloneCarriesData()
    {
        // A new address appears on path 2 at 1 s: the connection moves there and leaves path 1.
        ScenarioSpec spec = TwoPaths("rate=20M,rtt=20ms", "rate=20M,rtt=40ms", 8_000_000) with
        {
            Mobility = [MobilityEvent.Parse("at=1s,path=2,add=203.0.113.9/24")],
        };
        var options = new MptcpOptions { PathPolicy = new PathPolicy { Mode = PathPolicyMode.Handover, HandoverDrain = TimeSpan.FromMilliseconds(300) } };
        (ScenarioResult r, byte[] capture) = Run(spec, options);

        var segments = Segments(capture);
        var join = Assert.Single(segments.Where(s => IsJoinSyn(s.Options)).Select(s => s.Subflow).Distinct());
        Assert.Equal("203.0.113.9", join.Item1.ToString());
        MptcpEvent closed = Assert.Single(r.ClientEvents, e => e.Kind == MptcpEventKind.SubflowClosed && e.Subflow!.Value.LocalAddress.ToString() == "198.51.100.2");

        // Before the handover only the initial subflow carries data; after it only the new one.
        TimeSpan joinedAt = segments.First(s => IsJoinSyn(s.Options)).At;
        Assert.Single(segments.Where(s => s.Payload > 0 && s.At < joinedAt).Select(s => s.Subflow).Distinct());
        var after = segments.Where(s => s.Payload > 0 && s.At > closed.Time + TimeSpan.FromMilliseconds(100)).Select(s => s.Subflow).Distinct().ToList();
        Assert.Equal([join], after);
        Assert.Contains(segments, s => s.Subflow != join && s.Options.Exists(o => o.Subtype == MptcpSubtype.MpPrio));
        Assert.Equal(2, r.SubflowsEstablished);
    }
}
