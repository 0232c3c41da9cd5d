using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;

using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>
/// Issue 6's first acceptance test, on captures the stack made in the simulator: what each of the
/// audit's observers links in standard MPTCP, and that with the privacy profile none links two
/// subflows or reads an announced address from packet contents.
/// </summary>
public sealed class PrivacyModesAuditedTests
{
    private static readonly IpAddressBytes Announced = IpAddressBytes.Parse("192.0.2.2");

    private static ScenarioSpec Spec(int seed = 1) => new()
    {
        Paths = [PathSpec.Parse("rate=20M,rtt=20ms"), PathSpec.Parse("rate=20M,rtt=40ms"), PathSpec.Parse("rate=20M,rtt=30ms")],
        ClientToServerBytes = 500_000,
        ServerToClientBytes = 500_000,
        Seed = seed,
        DurationNs = 60_000_000_000,
        ServerAnnouncedAddresses = [InterfaceAddress.Parse("192.0.2.2/25")],
    };

    private static MptcpOptions Mode(PrivacyMode mode) => new()
    {
        Privacy = new MptcpPrivacy.Stack.Mptcp.Privacy.PrivacyOptions { Mode = mode },
        PathManagerLimits = new MptcpPrivacy.Stack.Mptcp.PathManagement.PathManagerLimits(subflows: 4, addAddrAccepted: 2),
    };

    private static (ScenarioResult Result, AuditReport Report) RunAndAudit(PrivacyMode mode)
    {
        using var capture = new MemoryStream();
        ScenarioResult r = ScenarioRunner.Run(Spec(), capture, client: Mode(mode), server: Mode(mode));
        Assert.True(r.Success, $"{mode}: {r.Outcome}");
        using var dir = new TempDirectory();
        string path = dir.Write("sim.pcapng", capture.ToArray());
        return (r, AuditRun.Run([path], []));
    }

    [Fact]
    public void InStandardMptcpTheFullyOnPathObserverLinksEveryClientAddress()
    {
        (ScenarioResult r, AuditReport report) = RunAndAudit(PrivacyMode.Standard);
        IpAddressBytes[] clientAddresses = r.ClientConnection!.Subflows.Select(s => s.Tuple.LocalAddress).Distinct().ToArray();
        Assert.True(clientAddresses.Length >= 3, $"{clientAddresses.Length} client addresses");

        ObservedConnection full = Observer(report, "fully-on-path").Connections.Single();
        Assert.Equal(clientAddresses.Order().ToArray(), full.LargestClientGroup.Order().ToArray());
        Assert.Contains(full.Evidence, e => e.Kind == EvidenceKind.TokenOfSeenKey);
        Assert.Contains(full.ServerGroups, g => g.Contains(Announced) && g.Count > 1);
    }

    [Fact]
    public void WithTheProfileNoObserverLinksTwoSubflowsOrReadsTheAnnouncedAddress()
    {
        (ScenarioResult r, AuditReport report) = RunAndAudit(PrivacyMode.Profile);
        Assert.Equal(PrivacyMode.Profile, r.ClientConnection!.PrivacyMode);
        Assert.True(r.SubflowsEstablished >= 3, $"{r.SubflowsEstablished} subflows");

        // Every address a subflow of the connection used, at either end: no observer may put two of
        // them in one group. (An observer that reads a sealed ADD_ADDR as if it were clear gets
        // random bytes, marked unverified, which tie no two subflows together.)
        var used = r.ClientConnection.Subflows.SelectMany(s => new[] { s.Tuple.LocalAddress, s.Tuple.RemoteAddress }).ToHashSet();
        foreach (ObserverReport observer in report.Observers.Where(o => o.View.Spec.Name != "endpoint"))
        {
            foreach (ObservedConnection seen in observer.Connections)
            {
                foreach (IReadOnlyList<IpAddressBytes> group in seen.ClientGroups.Concat(seen.ServerGroups))
                {
                    Assert.True(group.Count(used.Contains) <= 1, $"{observer.View.Spec.Name} links {string.Join(", ", group)}");
                }

                Assert.DoesNotContain(seen.Evidence, e => e.Kind is EvidenceKind.AddAddr or EvidenceKind.AddAddrEcho && (e.First == Announced || e.Second == Announced));
                Assert.All(seen.Evidence, e => Assert.True(e.Unverified, $"{observer.View.Spec.Name}: {e.Kind} {e.First} {e.Second} from packet contents"));
                Assert.DoesNotContain(seen.Timeline, a => a.OnlyAnnounced && a.Address == Announced);
            }
        }

        ObservedConnection full = Observer(report, "fully-on-path").Connections.First();
        Assert.Equal(ConnectionPrivacy.Hardened, full.Privacy);
        Assert.NotNull(full.Residual);
    }

    [Theory]
    [InlineData(MptcpPrivacy.Privacy.Draft.DraftReading.A)]
    [InlineData(MptcpPrivacy.Privacy.Draft.DraftReading.B)]
    public void TheDraftsModeIsUndoneByTheObserverThatSawTheKeysAndByNoOther(MptcpPrivacy.Privacy.Draft.DraftReading reading)
    {
        MptcpOptions options = Mode(PrivacyMode.Draft) with { Privacy = new MptcpPrivacy.Stack.Mptcp.Privacy.PrivacyOptions { Mode = PrivacyMode.Draft, DraftReading = reading } };
        using var capture = new MemoryStream();
        ScenarioResult r = ScenarioRunner.Run(Spec(), capture, client: options, server: options);
        Assert.True(r.Success, r.Outcome.ToString());
        Assert.Equal(PrivacyMode.Draft, r.ClientConnection!.PrivacyMode);
        using var dir = new TempDirectory();
        AuditReport report = AuditRun.Run([dir.Write("sim.pcapng", capture.ToArray())], []);

        // Draft §3's two mechanisms fall to whoever saw MP_CAPABLE: the keys give the tokens and the keystream.
        IpAddressBytes[] clientAddresses = r.ClientConnection.Subflows.Select(s => s.Tuple.LocalAddress).Distinct().Order().ToArray();
        ObservedConnection full = Observer(report, "fully-on-path").Connections.Single();
        Assert.Equal(clientAddresses, full.LargestClientGroup.Order().ToArray());
        Assert.Contains(full.Evidence, e => e.Kind == EvidenceKind.DraftJoinToken);
        Assert.Contains(full.Evidence, e => e.Kind == EvidenceKind.DraftAddAddrDecrypted && (e.First == Announced || e.Second == Announced));

        // An observer of a join's path alone saw no key: it links nothing.
        foreach (ObserverReport observer in report.Observers.Where(o => o.View.Spec.Name.StartsWith("path-", StringComparison.Ordinal)))
        {
            foreach (ObservedConnection seen in observer.Connections.Where(c => c.PrivacySeen == ConnectionPrivacy.Unknown))
            {
                Assert.DoesNotContain(seen.Evidence, e => e.Kind is EvidenceKind.DraftJoinToken or EvidenceKind.DraftAddAddrDecrypted or EvidenceKind.TokenOfSeenKey);
            }
        }
    }

    private static ObserverReport Observer(AuditReport report, string name) => report.Observers.Single(o => o.View.Spec.Name == name);
}
