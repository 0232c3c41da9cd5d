using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Stack.PathManagement;

/// <summary>
/// The in-kernel path manager's rules (net/mptcp/pm_kernel.c, `ip mptcp limits` / `ip mptcp endpoint`),
/// one per test, with the RFC 8684 §3.4 address-ID rules.
/// </summary>
public sealed class KernelPathManagerTests
{
    private const ushort Port = 443;
    private static readonly IpAddressBytes C1 = IpAddressBytes.Parse("198.51.100.1"); // client's initial address
    private static readonly IpAddressBytes C2 = IpAddressBytes.Parse("203.0.113.1");
    private static readonly IpAddressBytes C3 = IpAddressBytes.Parse("192.0.2.129");
    private static readonly IpAddressBytes S1 = IpAddressBytes.Parse("192.0.2.1"); // server's initial address
    private static readonly IpAddressBytes S2 = IpAddressBytes.Parse("192.0.2.2");
    private static readonly IpAddressBytes S3 = IpAddressBytes.Parse("192.0.2.3");
    private static readonly IpAddressBytes S6 = IpAddressBytes.Parse("2001:db8::1");

    [Fact]
    public void WithoutEndpointsOnlyTheInitialSubflowExists()
    {
        KernelPathManager pm = Client();
        Assert.Empty(pm.OnFullyEstablished());
        PathSubflow initial = Assert.Single(pm.Subflows);
        Assert.Equal(new PathSubflow(0, 0, C1, 0, S1, Port, false), initial);
    }

    [Fact]
    public void EachSubflowEndpointOpensOneSubflowToTheInitialAddress()
    {
        KernelPathManager pm = Client(Limits(subflows: 2), Ep(1, C2, EndpointFlags.Subflow), Ep(2, C3, EndpointFlags.Subflow));
        Assert.Equal(
            new PathAction[]
            {
                new OpenSubflow(1, LocalId: 1, C2, RemoteId: 0, S1, Port, Backup: false),
                new OpenSubflow(2, LocalId: 2, C3, RemoteId: 0, S1, Port, Backup: false),
            },
            pm.OnFullyEstablished());
        Assert.Equal(2, pm.AdditionalSubflows);
        Assert.Equal(2, pm.LocalAddrUsed);

        // Nothing more on later events: every endpoint is used.
        Assert.Empty(pm.OnSubflowEstablished(1));
    }

    [Fact]
    public void NothingIsOpenedBeforeTheConnectionIsFullyEstablished()
    {
        KernelPathManager pm = Client(Limits(subflows: 2), Ep(1, C2, EndpointFlags.Subflow));
        Assert.Empty(pm.OnLocalEndpointAdded(Ep(2, C3, EndpointFlags.Subflow)));
        Assert.Empty(pm.OnSubflowEstablished(0));
        Assert.Equal(2, pm.OnFullyEstablished().OfType<OpenSubflow>().Count());
        Assert.Empty(pm.OnFullyEstablished());
    }

    [Fact]
    public void TheSubflowsLimitCapsOpeningAndAFreedSlotGoesToAnUntriedEndpoint()
    {
        KernelPathManager pm = Client(Limits(subflows: 1), Ep(1, C2, EndpointFlags.Subflow), Ep(2, C3, EndpointFlags.Subflow));
        Assert.Equal(C2, Assert.IsType<OpenSubflow>(Assert.Single(pm.OnFullyEstablished())).LocalAddress);

        // The join from C2 fails: C3 gets its turn; C2 is not retried.
        OpenSubflow next = Assert.IsType<OpenSubflow>(Assert.Single(pm.OnSubflowClosed(1)));
        Assert.Equal((C3, (byte)2), (next.LocalAddress, next.LocalId));
        Assert.Empty(pm.OnSubflowClosed(next.SubflowId));
        Assert.Equal(0, pm.AdditionalSubflows);
    }

    [Fact]
    public void ASubflowsLimitOfZeroOpensNothing()
    {
        KernelPathManager pm = Client(Limits(subflows: 0, addAddrAccepted: 8), Ep(1, C2, EndpointFlags.Subflow));
        Assert.Empty(pm.OnFullyEstablished());
        Assert.Equal(new PathAction[] { new EchoAnnounce(1, S2, null) }, pm.OnAddAddrReceived(1, S2, null));
        Assert.Equal(1, pm.AddAddrIgnored);
    }

    [Fact]
    public void Rfc8684_3_4_1_SignalEndpointsAreAnnouncedOneAtATimeEachAfterTheEcho()
    {
        KernelPathManager pm = Server(Limits(), Ep(1, S2, EndpointFlags.Signal), Ep(2, S3, EndpointFlags.Signal, port: 8443));
        Assert.Equal(new PathAction[] { new Announce(1, S2, null) }, pm.OnFullyEstablished());
        Assert.Empty(pm.OnAddAddrEchoed(2)); // not the one outstanding
        Assert.Equal(new PathAction[] { new Announce(2, S3, 8443) }, pm.OnAddAddrEchoed(1));
        Assert.Empty(pm.OnAddAddrEchoed(2));
        Assert.Equal(2, pm.AddAddrSignaled);
    }

    [Fact]
    public void AnEndpointWithSignalAndSubflowIsAnnouncedAndOpensASubflow()
    {
        KernelPathManager pm = Client(Limits(subflows: 2), Ep(1, C2, EndpointFlags.Signal | EndpointFlags.Subflow));
        Assert.Equal(
            new PathAction[] { new Announce(1, C2, null), new OpenSubflow(1, 1, C2, 0, S1, Port, false) },
            pm.OnFullyEstablished());
    }

    [Fact]
    public void Rfc8684_3_4_1_AnAddAddrIsAlwaysEchoedButBeyondAddAddrAcceptedIgnoredAndCounted()
    {
        // The kernel default add_addr_accepted is 0: echo only.
        KernelPathManager byDefault = Client();
        byDefault.OnFullyEstablished();
        Assert.Equal(new PathAction[] { new EchoAnnounce(1, S2, null) }, byDefault.OnAddAddrReceived(1, S2, null));
        Assert.Equal(1, byDefault.AddAddrIgnored);
        Assert.Equal(0, byDefault.AddAddrAccepted);

        // add_addr_accepted 1: the first is followed from the initial local address, the second is not.
        KernelPathManager pm = Client(Limits(subflows: 2, addAddrAccepted: 1));
        pm.OnFullyEstablished();
        Assert.Equal(
            new PathAction[] { new EchoAnnounce(1, S2, null), new OpenSubflow(1, 0, C1, 1, S2, Port, false) },
            pm.OnAddAddrReceived(1, S2, null));
        Assert.Equal(new PathAction[] { new EchoAnnounce(2, S3, 8080) }, pm.OnAddAddrReceived(2, S3, 8080));
        Assert.Equal((1, 1), (pm.AddAddrAccepted, pm.AddAddrIgnored));
    }

    [Fact]
    public void AnAnnouncedPortIsTheOneJoined()
    {
        KernelPathManager pm = Client(Limits(subflows: 2, addAddrAccepted: 2));
        OpenSubflow open = Assert.Single(pm.OnAddAddrReceived(3, S2, 8443).OfType<OpenSubflow>());
        Assert.Equal((S2, (ushort)8443, (byte)3), (open.RemoteAddress, open.RemotePort, open.RemoteId));
    }

    [Fact]
    public void FullmeshEndpointsOpenToEveryPeerAddress()
    {
        KernelPathManager pm = Client(
            Limits(subflows: 4, addAddrAccepted: 1),
            Ep(1, C2, EndpointFlags.Subflow | EndpointFlags.Fullmesh),
            Ep(2, C3, EndpointFlags.Subflow | EndpointFlags.Fullmesh));
        Assert.Equal(
            new PathAction[] { new OpenSubflow(1, 1, C2, 0, S1, Port, false), new OpenSubflow(2, 2, C3, 0, S1, Port, false) },
            pm.OnFullyEstablished());

        // An announced address is joined from every fullmesh endpoint, not from the initial address.
        Assert.Equal(
            new PathAction[]
            {
                new EchoAnnounce(1, S2, null),
                new OpenSubflow(3, 1, C2, 1, S2, Port, false),
                new OpenSubflow(4, 2, C3, 1, S2, Port, false),
            },
            pm.OnAddAddrReceived(1, S2, null));
        Assert.Equal(4, pm.AdditionalSubflows);
    }

    [Fact]
    public void AnAddressOfAnotherFamilyOpensNothingAndIsNotCountedAsAccepted()
    {
        KernelPathManager pm = Client(Limits(subflows: 2, addAddrAccepted: 1));
        Assert.Equal(new PathAction[] { new EchoAnnounce(1, S6, null) }, pm.OnAddAddrReceived(1, S6, null));
        Assert.Equal(0, pm.AddAddrAccepted);
        Assert.Single(pm.OnAddAddrReceived(2, S2, null).OfType<OpenSubflow>());
    }

    [Fact]
    public void Rfc8684_3_4_1_AddressId0IsThePeersInitialAddressOnly()
    {
        KernelPathManager pm = Client(Limits(subflows: 2, addAddrAccepted: 2));
        Assert.Equal(new PathAction[] { new EchoAnnounce(0, S2, null) }, pm.OnAddAddrReceived(0, S2, null));
        Assert.Equal(1, pm.AddAddrIgnored);

        // The initial address itself, already connected: echo only, nothing counted.
        Assert.Equal(new PathAction[] { new EchoAnnounce(0, S1, null) }, pm.OnAddAddrReceived(0, S1, null));
        Assert.Equal((0, 1), (pm.AddAddrAccepted, pm.AddAddrIgnored));
    }

    [Fact]
    public void Rfc8684_3_4_1_ARepeatedAnnouncementOpensNoSecondSubflow()
    {
        KernelPathManager pm = Client(Limits(subflows: 2, addAddrAccepted: 2));
        Assert.Single(pm.OnAddAddrReceived(1, S2, null).OfType<OpenSubflow>());
        Assert.Equal(new PathAction[] { new EchoAnnounce(1, S2, null) }, pm.OnAddAddrReceived(1, S2, null));
        Assert.Equal((1, 0, 1), (pm.AddAddrAccepted, pm.AddAddrIgnored, pm.AdditionalSubflows));
    }

    [Fact]
    public void Rfc8684_3_4_1_ALiveAddressIdNamesOneAddressUntilRemoved()
    {
        KernelPathManager pm = Client(Limits(subflows: 2, addAddrAccepted: 2));
        OpenSubflow first = Assert.Single(pm.OnAddAddrReceived(1, S2, null).OfType<OpenSubflow>());
        Assert.Equal(new PathAction[] { new EchoAnnounce(1, S3, null) }, pm.OnAddAddrReceived(1, S3, null));
        Assert.Equal(1, pm.AddAddrIgnored);

        // After REMOVE_ADDR the ID is free to name another address.
        Assert.Equal(new PathAction[] { new CloseSubflow(first.SubflowId) }, pm.OnRemoveAddrReceived([1]));
        OpenSubflow second = Assert.Single(pm.OnAddAddrReceived(1, S3, null).OfType<OpenSubflow>());
        Assert.Equal(S3, second.RemoteAddress);
    }

    [Fact]
    public void Rfc8684_3_4_2_RemoveAddrClosesTheSubflowsToThatIdAndFreesItsAcceptSlot()
    {
        KernelPathManager pm = Client(Limits(subflows: 3, addAddrAccepted: 1), Ep(1, C2, EndpointFlags.Subflow | EndpointFlags.Fullmesh));
        pm.OnFullyEstablished(); // subflow 1: C2 -> S1
        PathAction[] accepted = [.. pm.OnAddAddrReceived(5, S2, null)]; // subflow 2: C2 -> S2
        Assert.Equal(2, accepted.OfType<OpenSubflow>().Single().SubflowId);
        Assert.Empty(pm.OnAddAddrReceived(6, S3, null).OfType<OpenSubflow>()); // limit

        Assert.Equal(new PathAction[] { new CloseSubflow(2) }, pm.OnRemoveAddrReceived([5, 77]));
        Assert.Equal((0, 1), (pm.AddAddrAccepted, pm.AdditionalSubflows));
        Assert.Single(pm.OnAddAddrReceived(6, S3, null).OfType<OpenSubflow>());
    }

    [Fact]
    public void Rfc8684_3_4_2_RemoveAddrForId0ClosesTheInitialSubflow()
    {
        KernelPathManager pm = Client(Limits(subflows: 2), Ep(1, C2, EndpointFlags.Subflow));
        pm.OnFullyEstablished();
        Assert.Equal(new PathAction[] { new CloseSubflow(0), new CloseSubflow(1) }, pm.OnRemoveAddrReceived([0]));
        Assert.Empty(pm.Subflows);
    }

    [Fact]
    public void Rfc8684_3_4_2_AWithdrawnEndpointSendsRemoveAddrAndClosesItsSubflows()
    {
        KernelPathManager pm = Client(Limits(subflows: 2), Ep(1, C2, EndpointFlags.Subflow), Ep(2, C3, EndpointFlags.Subflow));
        pm.OnFullyEstablished();
        Assert.Equal(new PathAction[] { new RemoveAddress(1), new CloseSubflow(1) }, pm.OnLocalEndpointRemoved(1));
        Assert.Equal((1, 1), (pm.AdditionalSubflows, pm.LocalAddrUsed));
        Assert.Empty(pm.OnLocalEndpointRemoved(1));

        // Added back (the address returns), it opens again.
        Assert.Equal(new PathAction[] { new OpenSubflow(3, 1, C2, 0, S1, Port, false) }, pm.OnLocalEndpointAdded(Ep(1, C2, EndpointFlags.Subflow)));
    }

    [Fact]
    public void Rfc8684_3_4_2_AWithdrawnAnnouncedAddressIsRemovedEvenWithoutSubflows()
    {
        KernelPathManager pm = Server(Limits(), Ep(1, S2, EndpointFlags.Signal), Ep(2, S3, EndpointFlags.Signal));
        pm.OnFullyEstablished();
        pm.OnAddAddrEchoed(1);
        Assert.Equal(new PathAction[] { new RemoveAddress(1) }, pm.OnLocalAddressLost(S2));
        Assert.Equal(1, pm.AddAddrSignaled);

        // Withdrawn before its echo: the next announcement is not blocked.
        KernelPathManager early = Server(Limits(), Ep(1, S2, EndpointFlags.Signal), Ep(2, S3, EndpointFlags.Signal));
        early.OnFullyEstablished();
        Assert.Equal(new PathAction[] { new RemoveAddress(1) }, early.OnLocalEndpointRemoved(1));
        Assert.Equal(new PathAction[] { new Announce(2, S3, null) }, early.OnSubflowEstablished(0));
    }

    [Fact]
    public void LosingTheInitialAddressRemovesId0AndClosesItsSubflows()
    {
        KernelPathManager pm = Client(Limits(subflows: 2, addAddrAccepted: 1), Ep(1, C2, EndpointFlags.Subflow));
        pm.OnFullyEstablished(); // 1: C2 -> S1
        pm.OnAddAddrReceived(1, S2, null); // 2: C1 -> S2
        Assert.Equal(new PathAction[] { new RemoveAddress(0), new CloseSubflow(0), new CloseSubflow(2) }, pm.OnLocalAddressLost(C1));
        Assert.Equal(1, Assert.Single(pm.Subflows).Id);
        Assert.Empty(pm.OnLocalAddressLost(IpAddressBytes.Parse("198.51.100.99")));
    }

    [Fact]
    public void ANewLocalAddressOpensASubflow()
    {
        KernelPathManager pm = Client(Limits(subflows: 2));
        pm.OnFullyEstablished();
        Assert.Equal(new PathAction[] { new OpenSubflow(1, 7, C3, 0, S1, Port, false) }, pm.OnLocalEndpointAdded(Ep(7, C3, EndpointFlags.Subflow)));
        Assert.Equal(new PathAction[] { new OpenSubflow(2, 8, C2, 0, S1, Port, true) }, pm.OnLocalEndpointAdded(Ep(0, C2, EndpointFlags.Subflow | EndpointFlags.Backup)));
        Assert.Empty(pm.OnLocalEndpointAdded(Ep(9, IpAddressBytes.Parse("198.51.100.7"), EndpointFlags.Subflow))); // limit reached
    }

    [Fact]
    public void Rfc8684_3_3_8_BackupEndpointsJoinWithBAndAChangeSendsMpPrio()
    {
        KernelPathManager pm = Client(Limits(subflows: 2), Ep(1, C2, EndpointFlags.Subflow | EndpointFlags.Backup));
        Assert.True(Assert.IsType<OpenSubflow>(Assert.Single(pm.OnFullyEstablished())).Backup);
        Assert.Equal(new PathAction[] { new SetBackup(1, false) }, pm.OnEndpointBackupChanged(1, false));
        Assert.Empty(pm.OnEndpointBackupChanged(1, false));
        Assert.False(pm.Subflows.Single(s => s.Id == 1).Backup);
    }

    [Fact]
    public void TheEndpointHoldingTheInitialAddressIsId0AndNotReopened()
    {
        KernelPathManager pm = Client(
            Limits(subflows: 2),
            Ep(4, C1, EndpointFlags.Subflow | EndpointFlags.Backup),
            Ep(5, C2, EndpointFlags.Subflow));

        // The initial subflow is marked backup (MP_PRIO), only C2 opens.
        Assert.Equal(new PathAction[] { new SetBackup(0, true), new OpenSubflow(1, 5, C2, 0, S1, Port, false) }, pm.OnFullyEstablished());
        Assert.Equal(new PathAction[] { new RemoveAddress(0), new CloseSubflow(0) }, pm.OnLocalEndpointRemoved(4));
    }

    [Fact]
    public void Rfc8684_3_1_APeerThatDeniesJoinsToItsInitialAddressGetsThemOnlyToAnnouncedOnes()
    {
        KernelPathManager pm = new(
            new PathManagerOptions(Limits(subflows: 2, addAddrAccepted: 1), [Ep(1, C2, EndpointFlags.Subflow)]),
            C1, S1, Port, peerDeniesJoinToInitialAddress: true);
        Assert.Empty(pm.OnFullyEstablished());
        Assert.Single(pm.OnAddAddrReceived(1, S2, null).OfType<OpenSubflow>());
    }

    [Fact]
    public void ThePeersJoinsCountAgainstTheSubflowsLimit()
    {
        KernelPathManager pm = Server(Limits(subflows: 2), Ep(3, S2, EndpointFlags.Signal));
        pm.OnFullyEstablished();
        Assert.Equal(1, pm.OnJoinRequest(S1, 0, C2, 40000, backup: false));
        Assert.Equal(2, pm.OnJoinRequest(S2, 2, C3, 40001, backup: true));
        Assert.Null(pm.OnJoinRequest(S1, 3, C3, 40002, backup: false));

        Assert.Equal(0, pm.Subflows.Single(s => s.Id == 1).LocalId);
        PathSubflow toEndpoint = pm.Subflows.Single(s => s.Id == 2);
        Assert.Equal((3, 2, true), (toEndpoint.LocalId, toEndpoint.RemoteId, toEndpoint.Backup));

        // A slot freed by a closed subflow admits the next join, to an address that is no endpoint (implicit ID).
        pm.OnSubflowClosed(1);
        int? third = pm.OnJoinRequest(S3, 1, C2, 40003, backup: false);
        Assert.Equal(3, third);
        Assert.Equal(1, pm.Subflows.Single(s => s.Id == 3).LocalId);
        Assert.Equal(new PathAction[] { new RemoveAddress(1), new CloseSubflow(3) }, pm.OnLocalAddressLost(S3));
    }

    private static PathManagerLimits Limits(int subflows = 2, int addAddrAccepted = 0) => new(subflows, addAddrAccepted);

    private static PathEndpoint Ep(byte id, IpAddressBytes address, EndpointFlags flags, ushort? port = null) => new(id, address, flags, port);

    private static KernelPathManager Client(PathManagerLimits? limits = null, params PathEndpoint[] endpoints) =>
        new(new PathManagerOptions(limits, endpoints), C1, S1, Port);

    private static KernelPathManager Server(PathManagerLimits limits, params PathEndpoint[] endpoints) =>
        new(new PathManagerOptions(limits, endpoints), S1, C1, 40000);
}
