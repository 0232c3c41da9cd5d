using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Cli.Lab;
using MptcpPrivacy.Scenarios.Attacks;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Lab;

/// <summary>
/// Issue 7's lab, cell by cell: each test names the table's cells it pins and checks them against
/// the measured runs (the passive cells against the audit of the run's own capture), so that a
/// change in the stack's or the audit's behaviour breaks a test here, not only the picture.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LabTableTests(LabFixture fixture)
{
    private const string Standard = "standard/aggregate";
    private const string StandardBackup = "standard/backup";
    private const string Draft = "draft/aggregate";
    private const string StandardHandover = "standard/handover";
    private const string ProfileHandover = "profile/handover";

    private LabResult Result => fixture.Result;

    private LabPassive Passive(string configuration, string observer) =>
        Result.Column(configuration).Passive.Single(p => p.Observer == observer);

    private LabAttack Attack(string configuration, JoinAttackKind kind) =>
        Result.Column(configuration).Attacks.OfType<LabAttack>().Single(a => a.Kind == kind);

    private string Cell(string configuration, string rowLabel)
    {
        int column = Result.Columns.Select(c => c.Configuration.Name).ToList().IndexOf(configuration);
        return LabTable.Rows(Result).Single(r => r.Label == rowLabel).Cells[column];
    }

    [Fact]
    public void EveryPassiveRunCompletedByteExact() =>
        Assert.All(Result.Columns, c => Assert.True(c.Complete, $"{c.Configuration.Name} did not complete"));

    [Fact]
    public void EveryPassiveCellIsWhatTheAuditOfItsOwnCaptureGives()
    {
        foreach (LabColumn column in Result.Columns)
        {
            var audit = LabRunner.Audit(column.Capture);
            var spec = LabScenario.Passive(Result.Seed, column.Configuration.Profile, Result.Connections, bytes: 0);
            HashSet<IpAddressBytes> client = LabRunner.ClientAddresses(spec);
            HashSet<IpAddressBytes> known = [.. client, .. spec.ServerAddresses.Select(a => a.Address)];
            // The endpoint's row is the server stack's own view (TheEndpointLinksEverySubflowOfItsOwnConnectionsInEveryMode).
            foreach (LabPassive shown in column.Passive.Where(p => p.Observer != "endpoint"))
            {
                LabPassive again = LabRunner.Passive(audit, shown.Observer, shown.Label, client, known);
                Assert.Equal(Describe(shown), Describe(again));
                Assert.Equal(LabTable.Links(shown), LabTable.Links(again));
            }
        }
    }

    [Fact]
    public void StandardMptcpIsLinkedByTheFullyOnPathObserverEveryAddressAndOnEachPathByToken()
    {
        // Cell "fully on-path: links", standard/aggregate: every address the user had (both Wi-Fi, both cellular).
        LabPassive full = Passive(Standard, "fully-on-path");
        Assert.Equal(4, full.Seen);
        Assert.Equal(full.Seen, full.Linked);
        Assert.Contains(EvidenceKind.TokenOfSeenKey, full.Evidence);
        Assert.StartsWith("4/4 ", Cell(Standard, "fully on-path: links"), StringComparison.Ordinal);

        // "path wifi: links": the Wi-Fi observer saw the keys and the join from the new Wi-Fi address.
        LabPassive wifi = Passive(Standard, "path-if0");
        Assert.Equal(2, wifi.Linked);
        Assert.Contains(EvidenceKind.TokenOfSeenKey, wifi.Evidence);

        // "path cellular: links": no key seen, but the joins from the old and the new cellular address carry one token.
        LabPassive cellular = Passive(Standard, "path-if1");
        Assert.Equal(2, cellular.Linked);
        Assert.Contains(EvidenceKind.EqualJoinTokens, cellular.Evidence);
        Assert.DoesNotContain(EvidenceKind.TokenOfSeenKey, cellular.Evidence);
    }

    [Fact]
    public void TheDraftHidesEqualTokensFromAnObserverWithoutKeysButNotTheJoinsFromOneWhoSawThem()
    {
        // Draft §2.2.1: per-join tokens defeat "equal join tokens" on the cellular path ...
        Assert.DoesNotContain(EvidenceKind.EqualJoinTokens, Passive(Draft, "path-if1").Evidence);

        // ... but the fully on-path and the Wi-Fi observers saw the keys and compute the draft's tokens.
        LabPassive full = Passive(Draft, "fully-on-path");
        Assert.Contains(EvidenceKind.DraftJoinToken, full.Evidence);
        Assert.Equal(full.Seen, full.Linked);
        Assert.Contains(EvidenceKind.DraftJoinToken, Passive(Draft, "path-if0").Evidence);
        Assert.True(Passive(Draft, "path-if0").ReadAnnounced, "the Wi-Fi observer decrypts the draft's ADD_ADDR with the keys it saw");
    }

    [Fact]
    public void WithTheProfileNoPassiveObserverLinksTwoClientAddressesOrReadsAnAnnouncement()
    {
        foreach (LabColumn column in Result.Columns.Where(c => c.Configuration.Profile == MptcpPrivacy.Simulation.Scenarios.PrivacyProfile.Privacy))
        {
            foreach (LabPassive p in column.Passive.Where(p => p.Observer != "endpoint"))
            {
                Assert.True(p.Linked <= 1, $"{column.Configuration.Name}: {p.Label} links {p.Linked}");
                Assert.False(p.ReadAnnounced, $"{column.Configuration.Name}: {p.Label} read an announced address");
                Assert.StartsWith("none ", LabTable.Links(p), StringComparison.Ordinal);
            }

            // The profile's joins did happen: the fully on-path observer saw more than one address per connection in all.
            Assert.True(column.Passive.Single(p => p.Observer == "fully-on-path").AddressesSeen > Result.Connections, column.Configuration.Name);
        }
    }

    [Fact]
    public void MiddleboxesBreakTheDraftsJoinsBehindANatAndNothingElseOfTheTransfers()
    {
        LabMiddlebox Box(string configuration, string name) => Result.Column(configuration).Middleboxes.OfType<LabMiddlebox>().Single(m => m.Name == name);

        // Draft §3 hashes the joining address as the client sees it: the NAT's address differs.
        Assert.True(Box(Draft, "nat").JoinsRefused >= 1, LabTable.Middlebox(Box(Draft, "nat")));
        foreach (string configuration in new[] { Standard, "profile/aggregate" })
        {
            LabMiddlebox nat = Box(configuration, "nat");
            Assert.Equal(0, nat.JoinsRefused);
            Assert.True(nat.Subflows > Box(Draft, "nat").Subflows, $"{configuration}: {LabTable.Middlebox(nat)}");
        }

        foreach (LabColumn column in Result.Columns)
        {
            Assert.All(column.Middleboxes, m => Assert.True(Assert.IsType<LabMiddlebox>(m).Complete, $"{column.Configuration.Name}: {m!.Name} incomplete"));
            Assert.True(column.Middleboxes.OfType<LabMiddlebox>().Single(m => m.Name == "strip-all").FellBack, column.Configuration.Name);
            Assert.False(column.Middleboxes.OfType<LabMiddlebox>().Single(m => m.Name == "nat").FellBack, column.Configuration.Name);
        }
    }

    [Fact]
    public void TheFirstMessageSplitShowsEachPathOnlyItsPartAndFailsClosedUnderBackup()
    {
        // The blog's ClientHello defence: with two paths in use each observer sees a fraction; the
        // backup policy opens no join while healthy, so the tail has nowhere to go and the
        // connection is aborted rather than send it on Wi-Fi.
        foreach (LabColumn column in Result.Columns)
        {
            LabSplit split = Assert.IsType<LabSplit>(column.Split);
            if (column.Configuration.Policy != MptcpPrivacy.Stack.Mptcp.PathManagement.PathPolicyMode.Aggregate)
            {
                Assert.True(split.Aborted, column.Configuration.Name);
                Assert.True(split.WifiBytes <= LabRunner.SplitHead, $"{column.Configuration.Name}: Wi-Fi saw {split.WifiBytes} B");
                Assert.Equal(0, split.CellularBytes);
            }
            else
            {
                Assert.False(split.Aborted, column.Configuration.Name);
                Assert.Equal((LabRunner.SplitHead, LabRunner.SplitTotal - LabRunner.SplitHead), (split.WifiBytes, split.CellularBytes));
            }
        }
    }

    [Fact]
    public void ScoringMovesEveryConnectionOffAPathThatRewritesPayload()
    {
        // The blog's on-path defence, with DSS checksums catching the rewrite: under aggregate the
        // cellular path is blamed and no client data crosses it afterwards; under backup it was
        // never used, so there was nothing to rewrite.
        foreach (LabColumn column in Result.Columns)
        {
            LabScoring scoring = Assert.IsType<LabScoring>(column.Scoring);
            Assert.True(scoring.Complete, $"{column.Configuration.Name}: a transfer did not complete");
            if (column.Configuration.Policy != MptcpPrivacy.Stack.Mptcp.PathManagement.PathPolicyMode.Aggregate)
            {
                Assert.False(scoring.Blamed, column.Configuration.Name);
                Assert.Equal(0, scoring.SegmentsBefore);
            }
            else
            {
                Assert.True(scoring.Blamed, column.Configuration.Name);
                Assert.True(scoring.SegmentsBefore > 0, column.Configuration.Name);
                Assert.Equal(0, scoring.SegmentsAfter);
            }
        }
    }

    [Fact]
    public void TheEndpointLinksEverySubflowOfItsOwnConnectionsInEveryMode()
    {
        // Draft §2: the endpoint is an attacker no cryptography hides the user's addresses from;
        // only the path policy shows it fewer. In every aggregate column it links the addresses the
        // fully on-path observer saw per connection at best.
        foreach (LabColumn column in Result.Columns.Where(c => c.Configuration.Name.EndsWith("/aggregate", StringComparison.Ordinal)))
        {
            LabPassive endpoint = column.Passive.Single(p => p.Observer == "endpoint");
            Assert.True(endpoint.Linked >= 2, $"{column.Configuration.Name}: the endpoint links {endpoint.Linked}");
            Assert.Contains(EvidenceKind.Endpoint, endpoint.Evidence);
            Assert.Equal(Result.Connections, endpoint.Connections);
        }
    }

    [Fact]
    public void TheBackupPolicyShowsTheEndpointFewerAddresses()
    {
        LabPassive aggregate = Passive(Standard, "endpoint");
        LabPassive backup = Passive(StandardBackup, "endpoint");
        Assert.True(backup.AddressesSeen < aggregate.AddressesSeen, $"backup {backup.AddressesSeen}, aggregate {aggregate.AddressesSeen}");
        Assert.True(backup.Seen < aggregate.Seen, $"backup {backup.Seen}, aggregate {aggregate.Seen}");

        // A healthy backup connection has one path: the cellular observer saw nothing at all.
        Assert.Equal(0, Passive(StandardBackup, "path-if1").Connections);
    }

    [Fact]
    public void OffPathAndHalfOnPathJoinsAreRefusedEverywhere()
    {
        foreach (LabColumn column in Result.Columns)
        {
            LabAttack offPath = column.Attacks.OfType<LabAttack>().Single(a => a.Kind == JoinAttackKind.OffPath);
            Assert.Equal(50, offPath.Attempts);
            Assert.False(offPath.Succeeded, column.Configuration.Name);
            Assert.Equal(0, offPath.TokenMatches);
            Assert.StartsWith("refused", Cell(column.Configuration.Name, LabTable.AttackLabel(JoinAttackKind.OffPath)), StringComparison.Ordinal);

            LabAttack halfOnPath = column.Attacks.OfType<LabAttack>().Single(a => a.Kind == JoinAttackKind.HalfOnPath);
            Assert.Equal(20, halfOnPath.Attempts);
            Assert.False(halfOnPath.Succeeded, column.Configuration.Name);
            Assert.Equal(0, halfOnPath.BytesReceived);
            Assert.StartsWith("refused", Cell(column.Configuration.Name, LabTable.AttackLabel(JoinAttackKind.HalfOnPath)), StringComparison.Ordinal);
            Assert.True(halfOnPath.UserComplete && offPath.UserComplete, $"{column.Configuration.Name}: the user's transfer did not complete under attack");
        }

        // With the right token (standard, draft) the server answered, and the join's HMAC still stopped it.
        Assert.True(Attack(Standard, JoinAttackKind.HalfOnPath).TokenMatches > 0);
        Assert.True(Attack(Draft, JoinAttackKind.HalfOnPath).TokenMatches > 0);
    }

    [Fact]
    public void TheHijackWithObservedKeysJoinsStandardMptcpAndTheDraftButNotTheProfile()
    {
        foreach (string configuration in new[] { Standard, StandardBackup, StandardHandover, Draft })
        {
            LabAttack hijack = Attack(configuration, JoinAttackKind.OnPathHijack);
            Assert.True(hijack.KeysSeen, configuration);
            Assert.True(hijack.Succeeded, configuration);
            Assert.True(hijack.BytesReceived > 0, configuration);
            Assert.Equal($"joined: received {hijack.BytesReceived} B of the user's data", Cell(configuration, LabTable.AttackLabel(JoinAttackKind.OnPathHijack)));
        }

        foreach (string configuration in new[] { "profile/aggregate", "profile/backup", ProfileHandover })
        {
            LabAttack hijack = Attack(configuration, JoinAttackKind.OnPathHijack);
            Assert.True(hijack.KeysSeen, $"{configuration}: the attacker should have read MP_CAPABLE's keys");
            Assert.False(hijack.Succeeded, configuration);
            Assert.Equal(0, hijack.BytesReceived);
            Assert.StartsWith("refused", Cell(configuration, LabTable.AttackLabel(JoinAttackKind.OnPathHijack)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheCostRowsComeFromTheRuns()
    {
        foreach (LabColumn column in Result.Columns)
        {
            string name = column.Configuration.Name;
            Assert.True(column.Cost.GoodputMbps > 1, $"{name}: {column.Cost.GoodputMbps} Mbit/s");
            Assert.True(column.Cost.Joins >= Result.Connections, $"{name}: {column.Cost.Joins} joins");
            Assert.NotNull(column.Cost.TimeToFirstJoinMs);

            // The joins are the capture's MP_JOIN SYNs; every handshake measured is one of them.
            var spec = LabScenario.Passive(Result.Seed, column.Configuration.Profile, Result.Connections, bytes: 0);
            Assert.Equal(LabRunner.JoinSyns(column.Capture, spec).Count, column.Cost.Joins);
            Assert.InRange(column.Cost.HandshakesMs.Count, 1, column.Cost.Joins);
            Assert.All(column.Cost.HandshakesMs, ms => Assert.True(ms > 0, $"{name}: a handshake of {ms} ms"));
            Assert.Equal($"mean {Num(column.Cost.HandshakeMeanMs!.Value)} ms, max {Num(column.Cost.HandshakeMaxMs!.Value)} ms ({column.Cost.HandshakesMs.Count} joins)",
                Cell(name, "join handshake, SYN to data (simulated)"));

            // The CPU cell is the median of the micro-run's pairs, shared by the columns of a mode.
            LabJoinCpu cpu = Assert.IsType<LabJoinCpu>(column.Cost.Cpu);
            Assert.Equal(LabRunner.CpuRepeats, cpu.SamplesMicroseconds.Count);
            Assert.True(cpu.Joins > 0, name);
            Assert.Equal(cpu.SamplesMicroseconds.Order().ElementAt(cpu.SamplesMicroseconds.Count / 2), cpu.MicrosecondsPerJoin);
            Assert.Same(cpu, Result.Columns.First(c => c.Configuration.Profile == column.Configuration.Profile).Cost.Cpu);
        }

        // Aggregate joins at once; backup only once the Wi-Fi address is gone (at 250 ms).
        Assert.True(Result.Column(StandardBackup).Cost.TimeToFirstJoinMs > Result.Column(Standard).Cost.TimeToFirstJoinMs);
    }

    [Fact]
    public void HandoverMovesEachConnectionToTheNewWifiThenTheNewCellularAddress()
    {
        // Make before break to each new address: old Wi-Fi, new Wi-Fi, new cellular (three per
        // connection, the old cellular address never used), so the endpoint and the fully on-path
        // observer see 3 of aggregate's 4 and the cellular path one address per connection.
        foreach (string configuration in new[] { StandardHandover, ProfileHandover })
        {
            LabPassive endpoint = Passive(configuration, "endpoint");
            Assert.Equal((3, 3, 3 * Result.Connections), (endpoint.Linked, endpoint.Seen, endpoint.AddressesSeen));
            LabPassive cellular = Passive(configuration, "path-if1");
            Assert.Equal((1, Result.Connections), (cellular.Seen, cellular.AddressesSeen));
            Assert.Equal(2 * Result.Connections, Result.Column(configuration).Cost.Joins);

            Assert.False(Passive(configuration, "path-if0").ReadAnnounced);
        }

        LabPassive full = Passive(StandardHandover, "fully-on-path");
        Assert.Equal((3, 3), (full.Linked, full.Seen));
        Assert.Contains(EvidenceKind.TokenOfSeenKey, full.Evidence);
        Assert.StartsWith("3/3 ", Cell(StandardHandover, "fully on-path: links"), StringComparison.Ordinal);

        // No announcement under handover at either end: nobody reads an ADD_ADDR, not even with the keys.
        Assert.All(Result.Column(StandardHandover).Passive, p => Assert.False(p.ReadAnnounced, p.Label));

        // No join on a healthy path: the split fails closed, scoring and the middleboxes see one subflow.
        foreach (string configuration in new[] { StandardHandover, ProfileHandover })
        {
            LabColumn column = Result.Column(configuration);
            Assert.True(Assert.IsType<LabSplit>(column.Split).Aborted, configuration);
            Assert.Equal(0, Assert.IsType<LabScoring>(column.Scoring).SegmentsBefore);
            Assert.All(column.Middleboxes.OfType<LabMiddlebox>().Where(m => m.Name != "strip-all"), m => Assert.Equal(1, m.Subflows));
        }
    }

    private static string Num(double value) => value.ToString(value >= 100 ? "0" : "0.0", System.Globalization.CultureInfo.InvariantCulture);

    private static string Describe(LabPassive p) =>
        $"{p.Observer} {p.Linked}/{p.Seen} +{p.AddressesSeen} in {p.Connections} [{string.Join(",", p.Evidence)}] announced={p.ReadAnnounced}";
}
