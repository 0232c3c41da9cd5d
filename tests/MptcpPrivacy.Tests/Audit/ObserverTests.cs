using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Audit.Observers;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Tests.Audit;

/// <summary>
/// What each observer links, on the kernel's captures (draft-bagnulo-mptcp-privacy-00 §2): the fully
/// on-path observer and the endpoint link every address of a connection; an observer of one path
/// links only what packets on that path reveal.
/// </summary>
public class ObserverTests
{
    public static TheoryData<string> Scenarios => new(Manifest.Load(Fixtures.Path_("kernel")).Select(c => c.File));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void FullyOnPathAndEndpointLinkEveryClientAddressOfAConnection(string file) =>
        AssertFullyOnPathAndEndpointLinkEverything(Fixtures.Path_(Path.Combine("kernel", file)));

    internal static void AssertFullyOnPathAndEndpointLinkEverything(string path)
    {
        AuditReport report = AuditRun.Run([path], []);
        foreach (ObserverClass observerClass in new[] { ObserverClass.FullyOnPath, ObserverClass.Endpoint })
        {
            ObserverReport observer = report.Observers.Single(o => o.View.Spec.Class == observerClass);
            foreach (Connection connection in report.Global.Connections.Where(c => c.Subflows.Any(s => s.Role is SubflowRole.Initial or SubflowRole.Join)))
            {
                var clientAddresses = connection.Subflows.Select(s => s.InitiatorIsClient ? s.Initiator.Address : s.Responder.Address).Distinct().Order().ToList();
                ObservedConnection seen = observer.Connections.Single(c => c.ConnectionId == connection.Id);
                Assert.Equal(clientAddresses, seen.LargestClientGroup);
                Assert.Single(seen.ClientGroups);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void APathObserverLinksOnlyWhatPacketsOnItsPathReveal(string file) =>
        AssertObserversLinkOnlyWhatTheySaw(Fixtures.Path_(Path.Combine("kernel", file)), file);

    /// <summary>Every path observer's evidence cites only frames of its own interface, and it reports only addresses it saw there.</summary>
    internal static void AssertObserversLinkOnlyWhatTheySaw(string path, string file)
    {
        AssertFullyOnPathAndEndpointLinkEverything(path);
        Dictionary<long, int> interfaceOf = InterfaceOfEveryFrame(path);
        AuditReport report = AuditRun.Run([path], []);
        List<ObserverReport> paths = report.Observers.Where(o => o.View.Spec.Class == ObserverClass.PartiallyOnPath).ToList();
        Assert.NotEmpty(paths);
        foreach (ObserverReport observer in paths)
        {
            int pathInterface = int.Parse(observer.View.Spec.Name["path-if".Length..].Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);
            Dictionary<long, int> frames = interfaceOf;
            foreach (ObservedConnection c in observer.Connections)
            {
                foreach (LinkEvidence evidence in c.Evidence)
                {
                    foreach (long frame in evidence.Frames)
                    {
                        Assert.True(frames[FrameRef.Frame(frame)] == pathInterface,
                            $"{file}: {observer.View.Spec.Name} cites frame {FrameRef.Frame(frame)} (interface {frames[FrameRef.Frame(frame)]}) for {evidence.Detail}");
                    }
                }

                // Every address it reports, it saw on its path: as a packet endpoint or inside an option there.
                HashSet<IpAddressBytes> onPath = AddressesOnInterface(path, pathInterface);
                foreach (AddressSighting sighting in c.Timeline)
                {
                    Assert.True(onPath.Contains(sighting.Address) || sighting.OnlyAnnounced, $"{file}: {observer.View.Spec.Name} reports {sighting.Address}, never on its path");
                }
            }
        }
    }

    [Theory]
    [InlineData("join-3paths.pcap", 3)]
    [InlineData("many-connections.pcap", 3)]
    [InlineData("mp-prio.pcap", 3)]
    [InlineData("checksum.pcap", 3)]
    public void TheSecondPathsObserverLinksNoClientAddresses(string file, int secondPathInterface)
    {
        AuditReport report = AuditRun.Run([Fixtures.Path_(Path.Combine("kernel", file))], []);
        ObserverReport second = report.Observers.Single(o => o.View.Spec.Name == $"path-if{secondPathInterface}");
        Assert.NotEmpty(second.Connections);
        Assert.All(second.Connections, c => Assert.All(c.ClientGroups, g => Assert.Single(g)));
        // ... while the fully on-path observer links the second path's address to the first's by token.
        ObserverReport full = report.Observers.Single(o => o.View.Spec.Class == ObserverClass.FullyOnPath);
        Assert.All(full.Connections.Where(c => c.SubflowsSeen > 1), c => Assert.Contains(c.Evidence, e => e.Kind == EvidenceKind.TokenOfSeenKey));
    }

    [Fact]
    public void AnAddAddrOnThePathLinksTheAnnouncedAddressForThatPathsObserver()
    {
        // The server announces 192.0.2.2 on path 1 (interface 2): the path-1 observer learns it belongs
        // with 192.0.2.1; the path-2 observer sees only the join to 192.0.2.2 and learns nothing more.
        AuditReport report = AuditRun.Run([Fixtures.Path_("kernel/addaddr-server-v4.pcap")], []);
        ObservedConnection path1 = report.Observers.Single(o => o.View.Spec.Name == "path-if2").Connections.Single();
        ObservedConnection path2 = report.Observers.Single(o => o.View.Spec.Name == "path-if3").Connections.Single();
        IpAddressBytes service = IpAddressBytes.Parse("192.0.2.1"), announced = IpAddressBytes.Parse("192.0.2.2");
        Assert.Contains(path1.ServerGroups, g => g.Contains(service) && g.Contains(announced));
        Assert.Contains(path1.Evidence, e => e.Kind == EvidenceKind.AddAddr && e.Host == Host.Server);
        Assert.DoesNotContain(path2.ServerGroups, g => g.Contains(service));
        Assert.All(path2.ClientGroups, g => Assert.Single(g));
    }

    [Fact]
    public void CustomObserversSeeOnlyTheirSpec()
    {
        string path = Fixtures.Path_("kernel/join-3paths.pcap");
        Assert.True(ObserverSpec.TryParse("two-paths=if:2,if:3", out ObserverSpec? twoPaths, out _));
        Assert.True(ObserverSpec.TryParse("cell=net:203.0.113.0/24", out ObserverSpec? cell, out _));
        AuditReport report = AuditRun.Run([path], [twoPaths!, cell!]);
        Assert.Equal(["two-paths", "cell"], report.Observers.Select(o => o.View.Spec.Name));
        ObservedConnection both = report.Observers[0].Connections.Single();
        Assert.Equal(2, both.SubflowsSeen);
        Assert.Equal([IpAddressBytes.Parse("198.51.100.2"), IpAddressBytes.Parse("203.0.113.2")], both.LargestClientGroup);
        ObservedConnection one = report.Observers[1].Connections.Single();
        Assert.Equal(1, one.SubflowsSeen);
        Assert.Equal([IpAddressBytes.Parse("203.0.113.2")], one.LargestClientGroup);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("=if:3")]
    [InlineData("a=")]
    [InlineData("a=if:x")]
    [InlineData("a=net:203.0.113.0/33")]
    [InlineData("a=net:nonsense")]
    [InlineData("a=bogus:1")]
    public void BadObserverSpecsAreRefusedWithAReason(string argument)
    {
        Assert.False(ObserverSpec.TryParse(argument, out _, out string error));
        Assert.Contains(argument, error, StringComparison.Ordinal);
    }

    private static Dictionary<long, int> InterfaceOfEveryFrame(string path)
    {
        var map = new Dictionary<long, int>();
        using CaptureReader reader = CaptureReader.Open(path);
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            Assert.True(LinkFrame.TryParse(frame.LinkType, frame.Data, out LinkFrame link, out WireError _));
            map[frame.Number] = link.InterfaceIndex;
        }

        return map;
    }

    private static HashSet<IpAddressBytes> AddressesOnInterface(string path, int interfaceIndex)
    {
        var addresses = new HashSet<IpAddressBytes>();
        using CaptureReader reader = CaptureReader.Open(path);
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (LinkFrame.TryParse(frame.LinkType, frame.Data, out LinkFrame link, out WireError _) && link.InterfaceIndex == interfaceIndex
                && IpPacket.TryParse(link.Payload, out IpPacket ip, out _))
            {
                addresses.Add(IpAddressBytes.FromSpan(ip.Source));
                addresses.Add(IpAddressBytes.FromSpan(ip.Destination));
            }
        }

        return addresses;
    }
}

/// <summary>The same traffic captured at the client and at the server, audited together (issue: merged, not double-counted).</summary>
public class TwoVantageTests
{
    [Fact]
    public void TwoCapturesOfOneConnectionMergeIntoOne()
    {
        List<Manifest.Capture> pair = Manifest.Load(Fixtures.Path_("kernel")).Where(c => c.VantageOf == "two-vantage").ToList();
        Assert.Equal(2, pair.Count);
        string[] paths = pair.Select(c => Fixtures.Path_(Path.Combine("kernel", c.File))).ToArray();
        AuditReport alone = AuditRun.Run([paths[0]], []);
        AuditReport merged = AuditRun.Run(paths, []);

        Assert.True(merged.Complete);
        // Every packet was seen twice: the merged audit counts each once.
        Assert.Equal(alone.TcpPackets, merged.TcpPackets - merged.Duplicates);
        Assert.True(merged.Duplicates >= alone.TcpPackets * 9 / 10, $"{merged.Duplicates} duplicates of {alone.TcpPackets}");
        Assert.Equal(alone.Global.Connections.Count, merged.Global.Connections.Count);
        Assert.Equal(
            alone.Global.Connections.Select(c => c.Subflows.Count),
            merged.Global.Connections.Select(c => c.Subflows.Count));
        Assert.Equal(alone.Global.Checks.Count(MptcpPrivacy.Audit.Verification.CheckKind.JoinSynAckHmac), merged.Global.Checks.Count(MptcpPrivacy.Audit.Verification.CheckKind.JoinSynAckHmac));
        TsharkGroupingTests.AssertSameGrouping(paths, "two-vantage");

        // Path observers of both files exist (one per interface of each file), and each saw its own packets.
        List<ObserverReport> pathObservers = merged.Observers.Where(o => o.View.Spec.Class == ObserverClass.PartiallyOnPath).ToList();
        Assert.Contains(pathObservers, o => o.View.Spec.Name.StartsWith("path-if1:", StringComparison.Ordinal));
        Assert.Contains(pathObservers, o => o.View.Spec.Name.StartsWith("path-if2:", StringComparison.Ordinal));
        Assert.All(pathObservers, o => Assert.True(o.View.Packets > 0));
    }
}
