using System.Text.Json;
using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Cli.Lab;
using MptcpPrivacy.Cli.Lab.Netns;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Lab;

/// <summary>Runs the lab's standard/aggregate column on kernels once (quick size, seed 1) for the tests of <see cref="NetnsLabTests"/>, on first use (root only).</summary>
public sealed class NetnsLabFixture
{
    private readonly Lazy<NetnsColumn> _column = new(() => NetnsLab.RunColumn(
        LabConfiguration.All.Single(c => c.Name == "standard/aggregate"), new InKernelLabPathManager(), seed: 1, connections: 4, bytes: 100_000));

    /// <summary>Gets the kernel column and its run, running it the first time.</summary>
    internal NetnsColumn Column => _column.Value;
}

/// <summary>
/// <c>lab --backend netns</c>: the standard/aggregate column on Linux kernels in network
/// namespaces, its cells pinned to its own capture and to what the draft says an observer of
/// standard MPTCP learns.
/// </summary>
public sealed class NetnsLabTests(NetnsLabFixture fixture) : IClassFixture<NetnsLabFixture>
{
    private static readonly IpAddressBytes Announced = LabScenario.AnnouncedServerAddress;

    [Fact]
    public void TheRunUsedKernelsAtBothEndsAndCompleted()
    {
        Privileges.RequireRoot("the lab's kernel column");
        NetnsRun run = fixture.Column.Run;
        Assert.True(run.Complete, string.Join("; ", run.Problems));
        Assert.Equal(0, run.Fallbacks);

        // The server namespace's kernel completed the joins and the MP_CAPABLE handshakes itself.
        Assert.True(run.ServerMib.GetValueOrDefault("MPJoinAckRx") > 0, $"server MPTcpExt: {Counters(run.ServerMib)}");
        Assert.True(run.ServerMib.GetValueOrDefault("MPCapableSYNRX") >= 4, $"server MPTcpExt: {Counters(run.ServerMib)}");
        Assert.True(run.ClientMib.GetValueOrDefault("MPJoinSynAckRx") > 0, $"client MPTcpExt: {Counters(run.ClientMib)}");
        Assert.Equal(4L * 2 * 100_000, run.BytesDelivered);

        // The capture holds every handshake: the audit finds each join the server's kernel completed.
        Assert.Equal(0, run.CaptureDrops);
        Assert.Equal(run.ServerMib.GetValueOrDefault("MPJoinAckRx"), fixture.Column.Column.Cost.Joins);

        LabColumn column = fixture.Column.Column;
        Assert.Equal(LabBackend.Netns, column.Backend);
        Assert.Equal("standard/aggregate (kernel)", LabTable.Header(column));
    }

    [Fact]
    public void TheAuditOfTheColumnsCaptureGivesTheColumnsCells()
    {
        Privileges.RequireRoot("the lab's kernel column");
        LabColumn column = fixture.Column.Column;
        AuditReport again = LabRunner.Audit(column.Capture);
        HashSet<IpAddressBytes> clients = ClientAddresses();
        HashSet<IpAddressBytes> known = [.. clients, .. Server()];
        for (int i = 0; i < LabRunner.Observers.Count; i++)
        {
            (string name, string label) = LabRunner.Observers[i];
            LabPassive expected = LabRunner.Passive(again, name, label, clients, known);
            LabPassive actual = column.Passive[i];
            Assert.Equal(name, actual.Observer);
            Assert.Equal(LabTable.Links(expected), LabTable.Links(actual));
            Assert.Equal(expected.ReadAnnounced, actual.ReadAnnounced);
            Assert.Equal(expected.Connections, actual.Connections);
        }

        // Four connections, each opened with MP_CAPABLE, each seen by the audit.
        Assert.Equal(4, again.Global.Connections.Count(c => !c.FromJoinsOnly && c.Subflows.Any(s => s.Role == SubflowRole.Initial)));
    }

    [Fact]
    public void TheFullyOnPathObserverLinksTheUsersAddressesByTheKeysItSaw()
    {
        // Draft §2: on standard MPTCP an observer of every path reads the keys of MP_CAPABLE and
        // ties every later join to the connection by its token; ADD_ADDR shows addresses in clear.
        Privileges.RequireRoot("the lab's kernel column");
        LabPassive fully = Observer("fully-on-path");
        Assert.True(fully.Linked >= 3, LabTable.Links(fully));
        Assert.Contains(EvidenceKind.TokenOfSeenKey, fully.Evidence);
        Assert.True(fully.ReadAnnounced);
        Assert.Equal(4, fully.Connections);
    }

    [Fact]
    public void EachPathObserverSeesOnlyItsPathsAddressesAndLinksAtMostThose()
    {
        Privileges.RequireRoot("the lab's kernel column");
        (string Observer, string Prefix)[] paths = [("path-if0", "198.51.100."), ("path-if1", "203.0.113.")];
        AuditReport audit = fixture.Column.Column.Audit;
        foreach ((string name, string prefix) in paths)
        {
            LabPassive path = Observer(name);
            Assert.True(path.Linked <= path.Seen, LabTable.Links(path));
            Assert.True(path.Seen is >= 1 and <= 2, $"{name}: {LabTable.Links(path)}");
            ObserverReport report = audit.Observers.Single(o => o.View.Spec.Name == name);
            IpAddressBytes[] seen = [.. report.Connections.SelectMany(c => c.ClientGroups).SelectMany(g => g).Where(ClientAddresses().Contains)];
            Assert.NotEmpty(seen);
            Assert.All(seen, a => Assert.StartsWith(prefix, a.ToString(), StringComparison.Ordinal));
        }

        // Both of Wi-Fi's addresses carried subflows, and the Wi-Fi observer tied them by the keys.
        Assert.Contains(EvidenceKind.TokenOfSeenKey, Observer("path-if0").Evidence);
    }

    [Fact]
    public void TheServersAnnouncedAddressIsReadOnTheWire()
    {
        Privileges.RequireRoot("the lab's kernel column");
        AuditReport audit = fixture.Column.Column.Audit;
        Assert.Contains(audit.Global.Connections.SelectMany(c => c.Events), e => e.Kind == ConnectionEventKind.AddAddr && e.Address == Announced);
        Assert.True(Observer("path-if0").ReadAnnounced);
    }

    [Fact]
    public void TheCostComesFromTheCaptureAndTheKernelsCpuIsNotClaimed()
    {
        Privileges.RequireRoot("the lab's kernel column");
        LabCost cost = fixture.Column.Column.Cost;
        Assert.True(cost.Joins >= 4, $"{cost.Joins} joins");
        Assert.NotNull(cost.TimeToFirstJoinMs);
        Assert.True(cost.TimeToFirstJoinMs > 0);
        Assert.Null(cost.CpuSeconds);
        Assert.Null(cost.Cpu);
        Assert.Empty(cost.HandshakesMs);
        Assert.True(cost.GoodputMbps > 0);

        // The stack's own defences have no kernel version: not run, with the reason.
        LabColumn column = fixture.Column.Column;
        Assert.Null(column.Split);
        Assert.Null(column.Scoring);
        Assert.StartsWith("not run: the kernel has no first-message split", column.NotRunText("split"), StringComparison.Ordinal);
    }

    [Fact]
    public void MiddleboxesOnKernelsJoinThroughTheNatAndFallBackWhenStripped()
    {
        // Standard MPTCP's join token names the connection, not the address: a NAT on cellular
        // does not stop the join; a stripper of every option on the first path makes it plain TCP.
        Privileges.RequireRoot("the lab's kernel column");
        LabColumn column = fixture.Column.Column;
        LabMiddlebox Box(string name) => Assert.IsType<LabMiddlebox>(column.Middleboxes[LabRunner.Middleboxes.ToList().FindIndex(m => m.Name == name)]);
        LabMiddlebox nat = Box("nat");
        Assert.True(nat.Complete);
        Assert.False(nat.FellBack);
        Assert.True(nat.Subflows >= 2, LabTable.Middlebox(nat));
        Assert.Equal(0, nat.JoinsRefused);
        LabMiddlebox stripped = Box("strip-all");
        Assert.True(stripped.Complete);
        Assert.True(stripped.FellBack);
        Assert.Null(column.Middleboxes[LabRunner.Middleboxes.ToList().FindIndex(m => m.Name == "strip-joins")]);
        Assert.Contains("TCPOPTSTRIP", column.NotRunText(LabColumn.CellKey("strip-joins")), StringComparison.Ordinal);
    }

    [Fact]
    public void TheLabCommandRunsTheStandardColumnsOnKernelsBackupThroughOurUserspacePathManager()
    {
        Privileges.RequireRoot("lab --backend netns");
        using var output = new MemoryStream();
        var errors = new StringWriter();
        int exit = LabCommand.Run(json: true, report: null, seedText: "1", quick: true, output, errors, backendText: "netns");
        Assert.True(exit == LabCommand.ExitOk, errors.ToString());
        Assert.Contains("lab netns:", errors.ToString(), StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(output.ToArray());
        JsonElement[] columns = [.. json.RootElement.GetProperty("configurations").EnumerateArray()];
        JsonElement standard = columns.Single(c => c.GetProperty("name").GetString() == "standard/aggregate");
        Assert.Equal("netns", standard.GetProperty("backend").GetString());
        Assert.Equal(JsonValueKind.Null, standard.GetProperty("split").ValueKind);
        Assert.Equal(JsonValueKind.Null, standard.GetProperty("cost").GetProperty("cpuMicrosecondsPerJoinHandshake").ValueKind);
        Assert.Contains("first-message split", standard.GetProperty("notRun").GetProperty("split").GetString(), StringComparison.Ordinal);
        Assert.All(columns, c => Assert.Equal(c.GetProperty("profile").GetString() == "standard" ? "netns" : "simulator", c.GetProperty("backend").GetString()));

        // standard/backup on kernels: the project's policy in the userspace path manager daemon. A
        // healthy connection has one subflow; the join comes only when the Wi-Fi address goes, from
        // the newest address (the new Wi-Fi one): the cellular path carries nothing, and the server
        // sees two addresses of the user where the in-kernel path manager showed it four.
        JsonElement backup = columns.Single(c => c.GetProperty("name").GetString() == "standard/backup");
        Assert.Equal("netns", backup.GetProperty("backend").GetString());
        Assert.True(backup.GetProperty("complete").GetBoolean());
        Assert.Equal(0, Seen(backup, "path-if1").GetProperty("addressesSeen").GetInt32());
        Assert.Equal(2, Seen(backup, "endpoint").GetProperty("linked").GetInt32());
        Assert.True(Seen(standard, "endpoint").GetProperty("linked").GetInt32() > Seen(backup, "endpoint").GetProperty("linked").GetInt32());

        static JsonElement Seen(JsonElement column, string observer) =>
            column.GetProperty("observers").EnumerateArray().Single(o => o.GetProperty("observer").GetString() == observer);
    }

    [Fact]
    public void AnUnknownBackendIsBadInput()
    {
        using var output = new MemoryStream();
        var errors = new StringWriter();
        Assert.Equal(LabCommand.ExitBadInput, LabCommand.Run(json: false, report: null, seedText: null, quick: true, output, errors, backendText: "bogus"));
        Assert.Contains("--backend wants simulator or netns, not \"bogus\"", errors.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, output.Length);
    }

    private LabPassive Observer(string name) => fixture.Column.Column.Passive.Single(p => p.Observer == name);

    private static HashSet<IpAddressBytes> ClientAddresses() => LabRunner.ClientAddresses(LabScenario.Passive(1, PrivacyProfile.Standard, 4, 100_000));

    private static IEnumerable<IpAddressBytes> Server() => LabScenario.Passive(1, PrivacyProfile.Standard, 4, 100_000).ServerAddresses.Select(a => a.Address);

    private static string Counters(IReadOnlyDictionary<string, long> counters) => string.Join(", ", counters.Select(c => $"{c.Key}={c.Value}"));
}
