using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Ip;
using AuditConnection = MptcpPrivacy.Audit.Connections.Connection;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>
/// Issue 6's first acceptance test as written: in the simulator, a mobile client (its second
/// path's address changes mid-transfer) with many concurrent connections, audited per observer.
/// Standard MPTCP: the fully on-path observer links every subflow of every connection, and the
/// observer of the path whose address changed links that connection's joins by their equal token.
/// The privacy profile: no observer, partial or full, links two subflows or reads an announced
/// address from packet contents.
/// </summary>
public sealed class MobileClientAuditTests
{
    private const int Connections = 10;
    private static readonly IpAddressBytes[] ClientAddresses = [.. new[] { "198.51.100.2", "203.0.113.2", "203.0.113.9" }.Select(IpAddressBytes.Parse)];
    private static readonly IpAddressBytes[] AnnouncedAddresses = [.. new[] { "192.0.2.2", "203.0.113.2", "203.0.113.9", "2001:db8:2::2" }.Select(IpAddressBytes.Parse)];

    private static AuditReport RunAndAudit(PrivacyProfile profile)
    {
        var spec = new ScenarioSpec
        {
            Paths = [PathSpec.Parse("rate=50M,rtt=20ms"), PathSpec.Parse("rate=20M,rtt=60ms,announce")],
            Mobility = [MobilityEvent.Parse("at=150ms,path=2,add=203.0.113.9/24"), MobilityEvent.Parse("at=250ms,path=2,remove=203.0.113.2")],
            ServerAnnouncedAddresses = [InterfaceAddress.Parse("192.0.2.2/25")],
            ClientToServerBytes = 300_000,
            ServerToClientBytes = 300_000,
            Connections = Connections,
            Profile = profile,
            Seed = 3,
            DurationNs = 60_000_000_000,
        };
        using var capture = new MemoryStream();
        ScenarioResult r = ScenarioRunner.Run(spec, capture);
        Assert.True(r.Success, $"{profile}: {r.Outcome}, {r.Connections.Count(c => c.Success)} of {r.Connections.Count} connections complete");
        Assert.All(r.Connections, c => Assert.Equal(ScenarioRunner.ModeOf(profile), c.ClientMode));
        using var dir = new TempDirectory();
        return AuditRun.Run([dir.Write("mobile.pcapng", capture.ToArray())], []);
    }

    private static ObserverReport Observer(AuditReport report, string name) =>
        report.Observers.SingleOrDefault(o => o.View.Spec.Name == name)
        ?? throw new InvalidOperationException($"no observer {name}; there are {string.Join(", ", report.Observers.Select(o => o.View.Spec.Name))}");

    private static HashSet<IpAddressBytes> ClientAddressesOf(AuditConnection connection) =>
        [.. connection.Subflows.Select(s => s.InitiatorIsClient ? s.Initiator.Address : s.Responder.Address)];

    [Fact]
    public void StandardMptcpIsLinkedByTheFullyOnPathObserverAndByTokenOnThePathThatChanged()
    {
        AuditReport report = RunAndAudit(PrivacyProfile.Standard);
        AuditConnection[] connections = [.. report.Global.Connections.Where(c => !c.FromJoinsOnly)];
        Assert.Equal(Connections, connections.Length);

        ObserverReport full = Observer(report, "fully-on-path");
        foreach (AuditConnection connection in connections)
        {
            ObservedConnection seen = full.Connections.Single(c => c.ConnectionId == connection.Id);
            HashSet<IpAddressBytes> used = ClientAddressesOf(connection);
            Assert.True(used.Count >= 2, $"connection {connection.Id} used {used.Count} client address(es)");
            // Every subflow's address, and what the client announced besides (its path-2 IPv6 address).
            Assert.Subset(seen.LargestClientGroup.ToHashSet(), used);
        }

        // The path whose address changed carries joins from both addresses of the connections that
        // outlived the change; the observer of that path alone links them by their equal token.
        ObserverReport path2 = Observer(report, "path-if1"); // capture interface 1: the link "path2"
        Assert.Contains(path2.Connections, c => c.Evidence.Any(e => e.Kind == EvidenceKind.EqualJoinTokens
            && new[] { e.First, e.Second }.Order().SequenceEqual(new[] { ClientAddresses[1], ClientAddresses[2] }.Order())));
    }

    [Fact]
    public void WithTheProfileNoObserverLinksTwoSubflowsOrReadsAnAnnouncedAddress()
    {
        AuditReport report = RunAndAudit(PrivacyProfile.Privacy);
        IpAddressBytes[] serverAddresses = [IpAddressBytes.Parse("192.0.2.1"), IpAddressBytes.Parse("192.0.2.2")];
        foreach (ObserverReport observer in report.Observers.Where(o => o.View.Spec.Name != "endpoint"))
        {
            foreach (ObservedConnection seen in observer.Connections)
            {
                foreach (IReadOnlyList<IpAddressBytes> group in seen.ClientGroups)
                {
                    Assert.True(group.Count(ClientAddresses.Contains) <= 1, $"{observer.View.Spec.Name} links client addresses {string.Join(", ", group)}");
                }

                foreach (IReadOnlyList<IpAddressBytes> group in seen.ServerGroups)
                {
                    Assert.True(group.Count(serverAddresses.Contains) <= 1, $"{observer.View.Spec.Name} links server addresses {string.Join(", ", group)}");
                }

                // Nothing from packet contents: the only evidence left is an ADD_ADDR read without keys,
                // marked unverified, whose bytes are the sealed option's and name no real address.
                Assert.All(seen.Evidence, e => Assert.True(e.Unverified && !AnnouncedAddresses.Contains(e.First) && !AnnouncedAddresses.Contains(e.Second),
                    $"{observer.View.Spec.Name}: {e.Kind} {e.First} {e.Second}"));
                Assert.DoesNotContain(seen.Timeline, a => a.OnlyAnnounced && AnnouncedAddresses.Contains(a.Address));
            }
        }

        Assert.All(report.Global.Connections.Where(c => !c.FromJoinsOnly), c => Assert.Equal(MptcpPrivacy.Audit.Connections.ConnectionPrivacy.Hardened, c.Privacy));
    }

    [Fact]
    public void TheAuditsTextGivesEachResidualSentenceOnceWithTheConnectionsItHoldsFor()
    {
        AuditReport report = RunAndAudit(PrivacyProfile.Privacy);
        (string Text, string Observer)[] residuals = [.. report.Observers.SelectMany(o => o.Connections.Where(c => c.Residual is not null).Select(c => (c.Residual!, o.View.Spec.Name)))];
        Assert.True(residuals.Length > residuals.Select(r => r.Text).Distinct().Count(), "the run should leave the same residual on several connections");

        using var text = new StringWriter();
        MptcpPrivacy.Audit.Reporting.AuditText.Write(report, text);
        string[] lines = text.ToString().Split('\n');
        foreach (var same in residuals.GroupBy(r => r.Text))
        {
            string line = Assert.Single(lines, l => l.EndsWith(same.Key, StringComparison.Ordinal));
            Assert.All(same.Select(r => r.Observer).Distinct(), observer => Assert.Contains(observer, line));
        }
    }
}

