using System.Net;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Tests.Stack.Mptcp;

/// <summary>
/// Issue 7's path policies end to end between two endpoints, each rule checked on the trace of
/// segments (virtual time): off, backup while healthy, the scope of announced addresses, the
/// announcement and join-rate limits, and no join before the profile's secret.
/// </summary>
public class MptcpPathPolicyTests
{
    private static readonly IpAddressBytes ClientC = IpAddressBytes.Parse("203.0.113.3");
    private static readonly IpAddressBytes ServerC = IpAddressBytes.Parse("192.0.2.3");
    private static readonly IpAddressBytes ServerPrivate = IpAddressBytes.Parse("10.1.2.3");

    private static MptcpOptions With(PathPolicy? policy, PrivacyMode privacy = PrivacyMode.Standard) => new()
    {
        PathPolicy = policy,
        Privacy = new PrivacyOptions { Mode = privacy },
    };

    /// <summary>A client with a second path (a subflow endpoint) and a server with a second address to announce.</summary>
    private static EndpointPair TwoAddressesEach(PathPolicy? policy, PrivacyMode privacy = PrivacyMode.Standard)
    {
        var pair = new EndpointPair(With(policy, privacy), With(policy, privacy));
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        pair.ServerEndpoint.AddEndpoint(EndpointPair.ServerB, EndpointFlags.Signal);
        return pair;
    }

    private static (MptcpConnection Client, MptcpConnection Server) Open(EndpointPair pair, TimeSpan until) =>
        MptcpPathManagementTests.Open(pair, until);

    private static List<(TimeSpan At, MptcpOption Option)> Sent(EndpointPair pair, MptcpSubtype subtype) =>
        [.. pair.Trace.SelectMany(x => SegmentEdit.Options(x.Segment).Select(o => (x.At, o))).Where(x => x.o.Subtype == subtype)];

    private static List<TimeSpan> JoinSyns(EndpointPair pair) =>
        [.. Sent(pair, MptcpSubtype.MpJoin).Where(x => x.Option.MpJoin.Form == MpJoinForm.Syn).Select(x => x.At)];

    private static List<IpAddressBytes> Announced(EndpointPair pair) =>
        [.. Sent(pair, MptcpSubtype.AddAddr).Where(x => !x.Option.AddAddr.Echo).Select(x => x.Option.AddAddr.Address).Distinct()];

    [Theory]
    [InlineData(null, true)]
    [InlineData(PathPolicyMode.Aggregate, true)]
    [InlineData(PathPolicyMode.Off, false)]
    [InlineData(PathPolicyMode.Backup, false)]
    public void OffAndAHealthyBackupShowNoJoinAndNoAnnouncementOnTheWire(PathPolicyMode? mode, bool multipath)
    {
        EndpointPair pair = TwoAddressesEach(mode is { } m ? new PathPolicy { Mode = m } : null);
        (MptcpConnection client, MptcpConnection server) = Open(pair, TimeSpan.FromSeconds(3));

        Assert.Equal(multipath, JoinSyns(pair).Count > 0);
        Assert.Equal(multipath, Announced(pair).Count > 0);
        Assert.Equal(multipath, client.Subflows.Count > 1);
        Assert.Equal(multipath, server.Subflows.Count > 1);
    }

    [Fact]
    public void OffRefusesThePeersJoin()
    {
        var pair = new EndpointPair(With(null), With(new PathPolicy { Mode = PathPolicyMode.Off }));
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        (MptcpConnection client, MptcpConnection server) = Open(pair, TimeSpan.FromSeconds(3));

        Assert.NotEmpty(JoinSyns(pair));
        Assert.Single(server.Subflows);
        Assert.Equal(1, server.Counters.JoinsOverLimit);
        Assert.Equal(MpTcpRstReason.AdministrativelyProhibited, Assert.Single(client.Subflows, s => s.Role == SubflowRole.JoinActive).ResetReason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void APrivateAddressIsNotAnnouncedToADocumentationPrefixPeerUnlessItsPrefixIsAllowed(bool allowed)
    {
        PathPolicy policy = new() { AnnounceablePrefixes = allowed ? [IPNetwork.Parse("10.0.0.0/8")] : [] };
        var pair = new EndpointPair(With(null), With(policy));
        pair.ServerEndpoint.AddEndpoint(ServerPrivate, EndpointFlags.Signal);
        pair.ServerEndpoint.AddEndpoint(EndpointPair.ServerB, EndpointFlags.Signal);
        (_, MptcpConnection server) = Open(pair, TimeSpan.FromSeconds(3));

        List<IpAddressBytes> announced = Announced(pair);
        Assert.Contains(EndpointPair.ServerB, announced);
        Assert.Equal(allowed, announced.Contains(ServerPrivate));
        Assert.Equal(allowed ? 0 : 1, ((PolicyPathManager)server.PathManager!).AnnouncementsWithheld);
    }

    [Theory]
    [InlineData(null, 3)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    public void MaxAnnouncementsBoundsTheAddressesAnnounced(int? max, int expected)
    {
        var pair = new EndpointPair(With(null), With(new PathPolicy { MaxAnnouncements = max }));
        pair.ServerEndpoint.AddEndpoint(EndpointPair.ServerB, EndpointFlags.Signal);
        pair.ServerEndpoint.AddEndpoint(ServerC, EndpointFlags.Signal);
        pair.ServerEndpoint.AddEndpoint(IpAddressBytes.Parse("192.0.2.4"), EndpointFlags.Signal);
        Open(pair, TimeSpan.FromSeconds(10));

        Assert.Equal(expected, Announced(pair).Count);
    }

    [Theory]
    [InlineData(null, 0.0)]
    [InlineData(1.0, 1.0)]
    [InlineData(0.5, 2.0)]
    public void TheJoinRateLimitSpacesJoinsInSimulatedTime(double? perSecond, double spacingSeconds)
    {
        var options = With(new PathPolicy { MaxJoinsPerSecond = perSecond });
        var pair = new EndpointPair(options, With(null));
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        pair.Client.AddEndpoint(ClientC, EndpointFlags.Subflow);
        (MptcpConnection client, _) = Open(pair, TimeSpan.FromSeconds(6));

        // The first SYN of each join (a retransmitted SYN is not a new join).
        List<TimeSpan> joins = [.. client.Subflows.Where(s => s.Role == SubflowRole.JoinActive)
            .Select(s => pair.Trace.First(x => x.ToServer && SegmentEdit.Options(x.Segment).Any(o => o.Subtype == MptcpSubtype.MpJoin && o.MpJoin.Form == MpJoinForm.Syn)
                && MptcpPrivacy.Wire.Tcp.TcpHeader.TryParse(x.Segment, out var tcp, out _) && tcp.SourcePort == s.Tuple.LocalPort).At)
            .Order()];
        Assert.Equal(2, joins.Count);
        Assert.Equal(spacingSeconds, (joins[1] - joins[0]).TotalSeconds, precision: 2);
        Assert.Equal(3, client.Subflows.Count(s => s.Phase == SubflowPhase.Established));
    }

    [Theory]
    [InlineData(PrivacyMode.Standard)]
    [InlineData(PrivacyMode.Profile)]
    public void NoJoinLeavesBeforeTheConnectionsSecretExists(PrivacyMode privacy)
    {
        EndpointPair pair = TwoAddressesEach(new PathPolicy(), privacy);
        (MptcpConnection client, _) = Open(pair, TimeSpan.FromSeconds(3));

        List<TimeSpan> joins = JoinSyns(pair);
        Assert.NotEmpty(joins);
        Assert.True(new PathPolicy().JoinsWaitForSecret);
        if (privacy == PrivacyMode.Profile)
        {
            TimeSpan ready = Assert.Single(client.Events, e => e.Kind == MptcpEventKind.PrivacyReady).Time;
            Assert.All(joins, at => Assert.True(at >= ready, $"join at {at}, secret at {ready}"));
        }
    }
}
