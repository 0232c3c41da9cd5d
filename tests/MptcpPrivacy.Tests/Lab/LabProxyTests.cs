using System.Text.Json;
using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Cli.Lab;
using MptcpPrivacy.Scenarios.Proxy;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Lab;

/// <summary>
/// The lab's row "proxy terminating MPTCP (endpoint class)": each cell against the audit of the
/// proxy run's own two captures (the user side and the origin side), and the row's point, that the
/// proxy is the user's MPTCP peer and so links what an endpoint links in every mode, while the
/// origin behind it sees one address and no MPTCP.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LabProxyTests(LabFixture fixture)
{
    private LabResult Result => fixture.Result;

    private string Cell(LabColumn column) =>
        LabTable.Rows(Result).Single(r => r.Label == LabRunner.ProxyLabel).Cells[Result.Columns.ToList().IndexOf(column)];

    private ScenarioSpec Spec(LabColumn column) => LabScenario.Passive(Result.Seed, column.Configuration.Profile, Result.Connections, bytes: 0);

    [Fact]
    public void EveryCaptureDerivedNumberOfTheRowIsWhatTheAuditOfItsOwnCapturesGives()
    {
        foreach (LabColumn column in Result.Columns)
        {
            LabProxy shown = column.Proxy!;
            LabProxy again = LabRunner.Proxy(Spec(column), shown.Complete, served: [], shown.UserCapture, shown.OriginCapture);
            string name = column.Configuration.Name;
            Assert.True(again.UserMptcpConnections == shown.UserMptcpConnections, name);
            Assert.Equal(shown.MptcpPeers, again.MptcpPeers);
            Assert.True(again.PeersAreTheProxy == shown.PeersAreTheProxy, name);
            Assert.True(again.OriginMptcpConnections == shown.OriginMptcpConnections, name);
            Assert.True(again.OriginTcpConnections == shown.OriginTcpConnections, name);
            Assert.Equal(shown.OriginPeers, again.OriginPeers);
            Assert.True(again.UserAddressesAtOrigin == shown.UserAddressesAtOrigin, name);
            Assert.Equal(LabTable.Links(shown.AuditEndpoint), LabTable.Links(again.AuditEndpoint));

            // The cell says what the capture says about the origin.
            Assert.Contains($"origin sees {again.OriginPeers.Count} address", Cell(column), StringComparison.Ordinal);
            Assert.Contains($"({again.OriginTcpConnections} TCP, {again.OriginMptcpConnections} MPTCP)", Cell(column), StringComparison.Ordinal);
            Assert.StartsWith($"proxy links {LabTable.Links(shown.Proxy)};", Cell(column), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OnTheUserSideTheProxyIsTheMptcpPeerOfEveryConnectionOnTheOriginSideThereIsNoMptcpAndOneAddress()
    {
        foreach (LabColumn column in Result.Columns)
        {
            string name = column.Configuration.Name;
            AuditReport user = LabRunner.Audit(column.Proxy!.UserCapture);
            AuditReport origin = LabRunner.Audit(column.Proxy!.OriginCapture);
            HashSet<IpAddressBytes> proxyFront = [.. Spec(column).ServerAddresses.Select(a => a.Address)];
            HashSet<IpAddressBytes> clients = LabRunner.ClientAddresses(Spec(column));

            // Every MPTCP subflow of the user's runs between one of the user's addresses and one of the proxy's.
            var connections = user.Global.Connections.Where(c => !c.FromJoinsOnly).ToList();
            Assert.True(connections.Count == Result.Connections, $"{name}: {connections.Count} MPTCP connections on the user side");
            Assert.All(connections.SelectMany(c => c.Subflows), s =>
            {
                (IpAddressBytes client, IpAddressBytes server) = s.InitiatorIsClient ? (s.Initiator.Address, s.Responder.Address) : (s.Responder.Address, s.Initiator.Address);
                Assert.Contains(server, proxyFront);
                Assert.Contains(client, clients);
            });

            // The origin's link: only plain TCP, every connection from the proxy's one back address, none of the user's addresses.
            Assert.Empty(origin.Global.Connections);
            Assert.True(origin.Global.Subflows.Count == Result.Connections, $"{name}: {origin.Global.Subflows.Count} TCP connections at the origin");
            Assert.All(origin.Global.Subflows, s =>
            {
                Assert.Equal(MptcpPrivacy.Audit.Connections.SubflowRole.PlainTcp, s.Role);
                Assert.Equal(ProxyScenarioRunner.ProxyBackAddress.Address, s.Initiator.Address);
                Assert.Equal(ProxyScenarioRunner.OriginAddress.Address, s.Responder.Address);
            });
            Assert.Equal([ProxyScenarioRunner.ProxyBackAddress.Address], column.Proxy!.OriginPeers);
            Assert.Equal(0, column.Proxy!.UserAddressesAtOrigin);
            Assert.True(column.Proxy!.PeersAreTheProxy, name);
            Assert.Contains("origin sees 1 address (", Cell(column), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void UnderEveryConfigurationTheProxyLinksTheUsersAddressesAsTheServersEndpointDoes()
    {
        foreach (LabColumn column in Result.Columns)
        {
            string name = column.Configuration.Name;
            LabPassive endpoint = column.Passive.Single(p => p.Observer == "endpoint");
            LabPassive proxy = column.Proxy!.Proxy;
            Assert.True(column.Proxy!.Complete, $"{name}: the proxy run did not complete byte-exact");
            Assert.True(proxy.Linked == endpoint.Linked, $"{name}: proxy links {proxy.Linked}, the server's endpoint {endpoint.Linked}");
            Assert.True(proxy.Linked >= 2, $"{name}: the proxy linked {proxy.Linked}");
            Assert.Equal([EvidenceKind.Endpoint], proxy.Evidence);
            Assert.True(proxy.Connections == Result.Connections, name);
        }

        // No cryptography hides anything from the endpoint: the profile's proxy links every address;
        // the backup policy, which uses fewer paths, gives it fewer.
        Assert.Equal(4, Result.Column("profile/aggregate").Proxy!.Proxy.Linked);
        Assert.Equal(4, Result.Column("standard/aggregate").Proxy!.Proxy.Linked);
        Assert.True(Result.Column("profile/backup").Proxy!.Proxy.Linked < Result.Column("profile/aggregate").Proxy!.Proxy.Linked);
        Assert.True(Result.Column("standard/backup").Proxy!.Proxy.Linked < Result.Column("standard/aggregate").Proxy!.Proxy.Linked);

        // The audit's endpoint observer of the user side stands for the proxy too; without the profile's secret it links less there.
        Assert.Equal("none", LabTable.Links(Result.Column("profile/aggregate").Proxy!.AuditEndpoint)[..4]);
    }

    [Fact]
    public void TheJsonDocumentAndTheReportCarryTheProxyRun()
    {
        using var output = new MemoryStream();
        LabJson.Write(Result, output);
        using JsonDocument json = JsonDocument.Parse(output.ToArray());
        JsonElement[] configurations = [.. json.RootElement.GetProperty("configurations").EnumerateArray()];
        for (int i = 0; i < Result.Columns.Count; i++)
        {
            LabProxy p = Result.Columns[i].Proxy!;
            JsonElement proxy = configurations[i].GetProperty("proxy");
            Assert.Equal("endpoint", proxy.GetProperty("observerClass").GetString());
            Assert.Equal(p.Proxy.Linked, proxy.GetProperty("linked").GetInt32());
            Assert.Equal(p.OriginMptcpConnections, proxy.GetProperty("originMptcpConnections").GetInt32());
            Assert.Equal(p.OriginPeers.Select(a => a.ToString()), proxy.GetProperty("originPeers").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(p.PeersAreTheProxy, proxy.GetProperty("peersAreTheProxy").GetBoolean());
        }

        string html = LabHtml.Render(Result);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(LabRunner.ProxyLabel), html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"bad\">proxy links 4/4", html, StringComparison.Ordinal);
    }
}
