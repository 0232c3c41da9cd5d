using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Stack.PathManagement;

/// <summary>
/// <see cref="PolicyPathManager"/> as pure decisions with a manual clock: the modes, the held
/// joins before the secret, the token bucket, withheld announcements and the handover's drain.
/// </summary>
public class PolicyPathManagerTests
{
    private static readonly IpAddressBytes Local = IpAddressBytes.Parse("198.51.100.2");
    private static readonly IpAddressBytes LocalB = IpAddressBytes.Parse("203.0.113.2");
    private static readonly IpAddressBytes LocalC = IpAddressBytes.Parse("203.0.113.3");
    private static readonly IpAddressBytes Remote = IpAddressBytes.Parse("192.0.2.1");
    private static readonly IpAddressBytes RemoteB = IpAddressBytes.Parse("192.0.2.2");

    private TimeSpan _now;

    private PolicyPathManager Make(PathPolicy policy, params PathEndpoint[] endpoints) =>
        new(policy, new PathManagerOptions(new PathManagerLimits(subflows: 2, addAddrAccepted: 2), endpoints), Local, Remote, 80, () => _now);

    [Theory]
    [InlineData(PathPolicyMode.Aggregate, 1)]
    [InlineData(PathPolicyMode.Off, 0)]
    [InlineData(PathPolicyMode.Backup, 0)]
    [InlineData(PathPolicyMode.Handover, 1)]
    public void APeersAnnouncementIsAlwaysEchoedAndFollowedAtOnceOnlyWhenAggregatingOrHandingOver(PathPolicyMode mode, int joins)
    {
        PolicyPathManager pm = Make(new PathPolicy { Mode = mode });
        pm.OnFullyEstablished();
        IReadOnlyList<PathAction> actions = pm.OnAddAddrReceived(1, RemoteB, null);

        Assert.Single(actions.OfType<EchoAnnounce>());
        Assert.Equal(joins, actions.OfType<OpenSubflow>().Count());
    }

    [Fact]
    public void AJoinDecidedBeforeTheSecretWaitsForOnFullyEstablished()
    {
        PolicyPathManager pm = Make(new PathPolicy());
        IReadOnlyList<PathAction> early = pm.OnAddAddrReceived(1, RemoteB, null);
        Assert.Empty(early.OfType<OpenSubflow>());
        Assert.Null(pm.NextDeadline);

        OpenSubflow open = Assert.Single(pm.OnFullyEstablished().OfType<OpenSubflow>());
        Assert.Equal(RemoteB, open.RemoteAddress);
        Assert.Equal(1, pm.JoinsDeferred);
    }

    [Fact]
    public void BackupOpensOneJoinWhenTheInitialSubflowGoesStaleAndNotBefore()
    {
        PolicyPathManager pm = Make(new PathPolicy { Mode = PathPolicyMode.Backup }, new PathEndpoint(0, LocalB, EndpointFlags.Subflow), new PathEndpoint(0, LocalC, EndpointFlags.Subflow));
        Assert.Empty(pm.OnFullyEstablished());
        Assert.Empty(pm.OnTimer(TimeSpan.FromSeconds(5)));

        OpenSubflow open = Assert.Single(pm.OnSubflowStale(KernelPathManager.InitialSubflowId).OfType<OpenSubflow>());
        Assert.Equal(Remote, open.RemoteAddress);
        Assert.Empty(pm.OnSubflowStale(KernelPathManager.InitialSubflowId));
        Assert.Empty(pm.OnSubflowEstablished(open.SubflowId));

        // The join failing too: the other endpoint is next.
        OpenSubflow second = Assert.Single(pm.OnSubflowClosed(open.SubflowId).OfType<OpenSubflow>());
        Assert.NotEqual(open.LocalAddress, second.LocalAddress);
    }

    [Fact]
    public void BackupWithNoHealthySubflowLeftTakesANewAddressAtOnce()
    {
        PolicyPathManager pm = Make(new PathPolicy { Mode = PathPolicyMode.Backup });
        pm.OnFullyEstablished();
        Assert.Empty(pm.OnLocalEndpointAdded(new PathEndpoint(0, LocalB, EndpointFlags.Subflow)));
        Assert.Single(pm.OnSubflowStale(KernelPathManager.InitialSubflowId).OfType<OpenSubflow>());

        PolicyPathManager lone = Make(new PathPolicy { Mode = PathPolicyMode.Backup });
        lone.OnFullyEstablished();
        Assert.Empty(lone.OnSubflowStale(KernelPathManager.InitialSubflowId));
        Assert.Single(lone.OnLocalEndpointAdded(new PathEndpoint(0, LocalB, EndpointFlags.Subflow)).OfType<OpenSubflow>());
    }

    [Fact]
    public void HandoverMovesToANewAddressMakeBeforeBreak()
    {
        PolicyPathManager pm = Make(new PathPolicy { Mode = PathPolicyMode.Handover, HandoverDrain = TimeSpan.FromSeconds(1) });
        pm.OnFullyEstablished();
        _now = TimeSpan.FromSeconds(2);
        OpenSubflow open = Assert.Single(pm.OnLocalEndpointAdded(new PathEndpoint(0, LocalB, EndpointFlags.Subflow)).OfType<OpenSubflow>());
        Assert.Equal(LocalB, open.LocalAddress);

        // Another address meanwhile waits for this handover to finish.
        Assert.Empty(pm.OnLocalEndpointAdded(new PathEndpoint(0, LocalC, EndpointFlags.Subflow)));

        Assert.Equal([new SetBackup(KernelPathManager.InitialSubflowId, true)], pm.OnSubflowEstablished(open.SubflowId));
        Assert.Equal(TimeSpan.FromSeconds(3), pm.NextDeadline);
        Assert.Empty(pm.OnTimer(TimeSpan.FromSeconds(2.5)));

        // The drain over, the address that waited gets its handover (it was lost before this fix).
        IReadOnlyList<PathAction> drained = pm.OnTimer(TimeSpan.FromSeconds(3));
        Assert.Equal(new CloseSubflow(KernelPathManager.InitialSubflowId), drained[0]);
        OpenSubflow next = Assert.Single(drained.OfType<OpenSubflow>());
        Assert.Equal(LocalC, next.LocalAddress);
    }

    [Fact]
    public void AnAddressThatAppearsDuringAHandoversHandshakeGoesOnceTheOldSubflowIsGone()
    {
        // The lab's mobile user: new Wi-Fi address, old Wi-Fi address lost before the join is up
        // (nothing to drain), a new cellular address meanwhile.
        PolicyPathManager pm = Make(new PathPolicy { Mode = PathPolicyMode.Handover });
        pm.OnFullyEstablished();
        OpenSubflow wifi = Assert.Single(pm.OnLocalEndpointAdded(new PathEndpoint(0, LocalB, EndpointFlags.Subflow)).OfType<OpenSubflow>());
        Assert.Empty(pm.OnSubflowClosed(KernelPathManager.InitialSubflowId).OfType<OpenSubflow>());
        Assert.Empty(pm.OnLocalEndpointAdded(new PathEndpoint(0, LocalC, EndpointFlags.Subflow)));

        IReadOnlyList<PathAction> up = pm.OnSubflowEstablished(wifi.SubflowId);
        Assert.Empty(up.OfType<SetBackup>());
        Assert.Null(pm.NextDeadline);
        OpenSubflow cellular = Assert.Single(up.OfType<OpenSubflow>());
        Assert.Equal(LocalC, cellular.LocalAddress);

        // That one up, the Wi-Fi join becomes a backup and drains.
        Assert.Equal([new SetBackup(wifi.SubflowId, true)], pm.OnSubflowEstablished(cellular.SubflowId));
        Assert.NotNull(pm.NextDeadline);
    }

    [Fact]
    public void AnAddressThatWaitedAndWentIsNotHandedOverTo()
    {
        PolicyPathManager pm = Make(new PathPolicy { Mode = PathPolicyMode.Handover }, new PathEndpoint(0, LocalC, EndpointFlags.Subflow));
        pm.OnFullyEstablished();
        OpenSubflow open = Assert.Single(pm.OnLocalEndpointAdded(new PathEndpoint(0, LocalB, EndpointFlags.Subflow)).OfType<OpenSubflow>());
        IpAddressBytes gone = IpAddressBytes.Parse("203.0.113.9");
        Assert.Empty(pm.OnLocalEndpointAdded(new PathEndpoint(0, gone, EndpointFlags.Subflow)));
        pm.OnLocalAddressLost(gone);

        // The configured endpoint (LocalC) is no new address: nothing to move to.
        Assert.Empty(pm.OnSubflowEstablished(open.SubflowId).OfType<OpenSubflow>());
        Assert.Empty(pm.OnTimer(TimeSpan.FromMinutes(1)).OfType<OpenSubflow>());
    }

    [Fact]
    public void AHandoverLeavesAPeersJoinAloneWhetherInItsHandshakeOrEstablished()
    {
        // A join the peer opened may be an on-path attacker's who saw the keys: it must not evict
        // our subflows, and a join still in its handshake (HMAC unproven) gets no MP_PRIO.
        PolicyPathManager pm = Make(new PathPolicy { Mode = PathPolicyMode.Handover });
        pm.OnFullyEstablished();
        int peer = Assert.NotNull(pm.OnJoinRequest(Local, 9, IpAddressBytes.Parse("198.18.0.30"), 40000, backup: false));
        OpenSubflow ours = Assert.Single(pm.OnLocalEndpointAdded(new PathEndpoint(0, LocalB, EndpointFlags.Subflow)).OfType<OpenSubflow>());
        Assert.Equal([new SetBackup(KernelPathManager.InitialSubflowId, true)], pm.OnSubflowEstablished(ours.SubflowId));

        Assert.Empty(pm.OnSubflowEstablished(peer));
        Assert.Equal([new CloseSubflow(KernelPathManager.InitialSubflowId)], pm.OnTimer(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void TheTokenBucketReleasesAHeldJoinAtItsDeadline()
    {
        PolicyPathManager pm = Make(new PathPolicy { MaxJoinsPerSecond = 2 }, new PathEndpoint(0, LocalB, EndpointFlags.Subflow), new PathEndpoint(0, LocalC, EndpointFlags.Subflow));
        _now = TimeSpan.FromSeconds(10);
        Assert.Single(pm.OnFullyEstablished().OfType<OpenSubflow>());
        TimeSpan due = Assert.NotNull(pm.NextDeadline);
        Assert.InRange(due.TotalSeconds, 10.5, 10.5001);
        _now = due - TimeSpan.FromMilliseconds(1);
        Assert.Empty(pm.OnTimer(_now));
        _now = due;
        Assert.Single(pm.OnTimer(_now).OfType<OpenSubflow>());
        Assert.Null(pm.NextDeadline);
    }

    [Theory]
    [InlineData("10.0.0.1", "192.0.2.1", false)]
    [InlineData("10.0.0.1", "10.200.0.1", true)]
    [InlineData("192.168.1.1", "10.0.0.1", false)]
    [InlineData("172.16.0.1", "192.0.2.1", false)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("169.254.1.1", "192.0.2.1", false)]
    [InlineData("fe80::1", "2001:db8::1", false)]
    [InlineData("fd00::1", "2001:db8::1", false)]
    [InlineData("fd00::1", "fd12::1", true)]
    [InlineData("::1", "2001:db8::1", false)]
    [InlineData("203.0.113.2", "192.0.2.1", true)]
    [InlineData("2001:db8::2", "2001:db8::1", true)]
    public void TheScopeRuleKeepsLocalAddressesInsideTheirPrefix(string address, string peer, bool mayAnnounce) =>
        Assert.Equal(mayAnnounce, AddressScope.MayAnnounce(IpAddressBytes.Parse(address), IpAddressBytes.Parse(peer)));
}
