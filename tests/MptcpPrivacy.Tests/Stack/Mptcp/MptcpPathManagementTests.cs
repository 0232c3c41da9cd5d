using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Tests.Stack.Mptcp;

/// <summary>
/// The connection's path manager end to end between two endpoints: the limits (<c>ip mptcp
/// limits</c>) and the endpoint flags (<c>ip mptcp endpoint</c>) decide which joins are opened,
/// accepted and flagged as backup, and which announcements are followed (RFC 8684 §3.2, §3.4).
/// </summary>
public class MptcpPathManagementTests
{
    private static readonly IpAddressBytes ServerC = IpAddressBytes.Parse("192.0.2.3");

    /// <summary>Connects ClientA to the server and runs the idle connection until <paramref name="until"/>.</summary>
    internal static (MptcpConnection Client, MptcpConnection Server) Open(EndpointPair pair, TimeSpan? until = null)
    {
        MptcpConnection client = pair.Client.Connect(TimeSpan.Zero, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
        MptcpConnection? server = null;
        pair.Run(until ?? TimeSpan.FromSeconds(1), () =>
        {
            if (server is null && pair.ServerEndpoint.TryAccept(out MptcpConnection accepted))
            {
                server = accepted;
            }
        });
        Assert.NotNull(server);
        Assert.Equal(MptcpConnectionState.Established, client.State);
        return (client, server);
    }

    private static IEnumerable<MptcpOption> Sent(EndpointPair pair, bool toServer, MptcpSubtype subtype) =>
        pair.Trace.Where(x => x.ToServer == toServer).SelectMany(x => SegmentEdit.Options(x.Segment)).Where(o => o.Subtype == subtype);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    public void Rfc8684_3_2_TheSubflowLimitBoundsTheJoinsTheClientOpens(int subflows, int expected)
    {
        var pair = new EndpointPair(client: new MptcpOptions { PathManagerLimits = new PathManagerLimits(subflows, addAddrAccepted: 2) });
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        (MptcpConnection client, MptcpConnection server) = Open(pair);

        Assert.Equal(expected, client.Subflows.Count);
        Assert.Equal(expected, server.Subflows.Count(s => s.Phase == SubflowPhase.Established));
        Assert.Equal(expected - 1, Sent(pair, toServer: true, MptcpSubtype.MpJoin).Count(o => o.MpJoin.Form == MpJoinForm.Syn));
    }

    [Fact]
    public void Rfc8684_3_2_AJoinBeyondThePassiveSidesSubflowLimitIsRefusedWithAResetAndCounted()
    {
        var pair = new EndpointPair(server: new MptcpOptions { PathManagerLimits = new PathManagerLimits(subflows: 0) });
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        (MptcpConnection client, MptcpConnection server) = Open(pair);

        Assert.Equal(1, server.Counters.JoinsOverLimit);
        Assert.Single(server.Subflows);
        MptcpSubflow join = Assert.Single(client.Subflows, s => s.Role == SubflowRole.JoinActive);
        Assert.Equal(SubflowPhase.Closed, join.Phase);
        Assert.Equal(MpTcpRstReason.AdministrativelyProhibited, join.ResetReason);
        Assert.Equal(MptcpConnectionState.Established, client.State);
        Assert.Equal(MptcpConnectionState.Established, server.State);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void Rfc8684_3_4_1_AnAnnouncementIsAlwaysEchoedAndFollowedOnlyWithinAddAddrAccepted(int addAddrAccepted, bool followed)
    {
        var pair = new EndpointPair(client: new MptcpOptions { PathManagerLimits = new PathManagerLimits(subflows: 2, addAddrAccepted) });
        pair.ServerEndpoint.AddEndpoint(EndpointPair.ServerB, EndpointFlags.Signal);
        (MptcpConnection client, MptcpConnection server) = Open(pair);

        // Echoed either way, so the server announced it once.
        Assert.Single(Sent(pair, toServer: false, MptcpSubtype.AddAddr), o => !o.AddAddr.Echo);
        Assert.Single(Sent(pair, toServer: true, MptcpSubtype.AddAddr), o => o.AddAddr.Echo && o.AddAddr.Address == EndpointPair.ServerB);
        MptcpEvent announced = Assert.Single(client.Events, e => e.Kind == MptcpEventKind.AddressAnnounced);
        Assert.Equal(EndpointPair.ServerB, announced.Address);
        Assert.Equal(followed ? "joined" : "not joined", announced.Detail);
        Assert.Equal(followed ? 0 : 1, client.Counters.AddAddrOverLimit);
        Assert.Equal(followed ? 0 : 1, client.PathManager!.AddAddrIgnored);
        Assert.Equal(followed, client.Subflows.Any(s => s.Tuple.RemoteAddress == EndpointPair.ServerB && s.Phase == SubflowPhase.Established));
        Assert.Equal(followed, server.Subflows.Any(s => s.Tuple.LocalAddress == EndpointPair.ServerB));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rfc8684_3_3_8_ABackupEndpointsJoinCarriesTheBFlag(bool backup)
    {
        var pair = new EndpointPair();
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow | (backup ? EndpointFlags.Backup : EndpointFlags.None));
        (MptcpConnection client, MptcpConnection server) = Open(pair);

        MpJoinOption syn = Assert.Single(Sent(pair, toServer: true, MptcpSubtype.MpJoin), o => o.MpJoin.Form == MpJoinForm.Syn).MpJoin;
        Assert.Equal(backup, syn.Backup);
        Assert.Equal(backup, Assert.Single(client.Subflows, s => s.Role == SubflowRole.JoinActive).IsBackup);
        Assert.Equal(backup, Assert.Single(server.Subflows, s => s.Role == SubflowRole.JoinPassive).PeerBackup);
        Assert.False(server.Subflows[0].PeerBackup);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rfc8684_3_3_8_AJoinToABackupEndpointIsAnsweredWithTheBFlag(bool backup)
    {
        var pair = new EndpointPair();
        pair.ServerEndpoint.AddEndpoint(EndpointPair.ServerB, EndpointFlags.Signal | (backup ? EndpointFlags.Backup : EndpointFlags.None));
        (MptcpConnection client, MptcpConnection server) = Open(pair);

        MpJoinOption synAck = Assert.Single(Sent(pair, toServer: false, MptcpSubtype.MpJoin), o => o.MpJoin.Form == MpJoinForm.SynAck).MpJoin;
        Assert.Equal(backup, synAck.Backup);
        Assert.Equal(backup, Assert.Single(client.Subflows, s => s.Tuple.RemoteAddress == EndpointPair.ServerB).PeerBackup);
        Assert.Equal(backup, Assert.Single(server.Subflows, s => s.Tuple.LocalAddress == EndpointPair.ServerB).IsBackup);
        Assert.False(client.Subflows[0].PeerBackup);
    }

    [Fact]
    public void Rfc8684_3_3_8_AnEndpointChangedToBackupSendsMpPrioOnItsSubflowOnly()
    {
        var pair = new EndpointPair();
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        (MptcpConnection client, MptcpConnection server) = Open(pair);
        MptcpSubflow passive = Assert.Single(server.Subflows, s => s.Role == SubflowRole.JoinPassive);
        Assert.False(passive.PeerBackup);

        pair.Client.SetEndpointBackup(EndpointPair.ClientB, true, pair.Now);
        pair.Run(pair.Now + TimeSpan.FromSeconds(1));

        Assert.True(Assert.Single(pair.Client.Endpoints).IsBackup);
        Assert.True(Assert.Single(client.Subflows, s => s.Role == SubflowRole.JoinActive).IsBackup);
        Assert.True(passive.PeerBackup);
        Assert.False(server.Subflows[0].PeerBackup);
        Assert.Single(Sent(pair, toServer: true, MptcpSubtype.MpPrio), o => o.MpPrio.Backup);
    }

    [Fact]
    public void Rfc8684_3_4_2_ARemovedEndpointIsWithdrawnWithRemoveAddrForItsIdAndANewOneJoins()
    {
        var pair = new EndpointPair();
        PathEndpoint b = pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        (MptcpConnection client, MptcpConnection server) = Open(pair);
        MptcpSubflow first = Assert.Single(server.Subflows, s => s.Role == SubflowRole.JoinPassive);
        Assert.Equal(b.Id, first.RemoteAddressId);

        pair.Client.RemoveEndpoint(EndpointPair.ClientB, pair.Now);
        pair.Run(pair.Now + TimeSpan.FromSeconds(1));
        RemoveAddrOption removed = Assert.Single(Sent(pair, toServer: true, MptcpSubtype.RemoveAddr)).RemoveAddr;
        Assert.Equal(1, removed.Count);
        Assert.Equal(b.Id, removed[0]);
        Assert.Contains(server.Events, e => e.Kind == MptcpEventKind.AddressRemoved && e.AddressId == b.Id);
        Assert.Equal(SubflowPhase.Closed, first.Phase);
        Assert.Empty(pair.Client.Endpoints);

        // The address back, as a new endpoint (REMOVE_ADDR freed the ID, which it may take again):
        // the freed slot takes a new join.
        PathEndpoint again = pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow, now: pair.Now);
        pair.Run(pair.Now + TimeSpan.FromSeconds(1));
        MptcpSubflow second = Assert.Single(server.Subflows, s => s.Role == SubflowRole.JoinPassive && s.Phase == SubflowPhase.Established);
        Assert.Equal(again.Id, second.RemoteAddressId);
        Assert.Equal(MptcpConnectionState.Established, client.State);
    }

    [Fact]
    public void Rfc8684_3_4_1_AnAnnouncementWithAPortGoesOutOnAPureAckInsteadOfTheDataAck()
    {
        // Found against Linux: 18 bytes of ADD_ADDR do not fit beside a 12-byte DSS and the
        // timestamps, and the subflow sent pure ACKs without end, waiting for room.
        var pair = new EndpointPair();
        pair.ServerEndpoint.AddEndpoint(EndpointPair.ServerB, EndpointFlags.Signal, port: 10012);
        Open(pair, TimeSpan.FromSeconds(2));

        string trace = string.Join("\n", pair.Trace.Select(x => $"{x.At.TotalMilliseconds} {(x.ToServer ? ">" : "<")} {SegmentEdit.Flags(x.Segment)} len={SegmentEdit.PayloadLength(x.Segment)} {string.Join(",", SegmentEdit.Options(x.Segment).Select(o => o.Subtype))}"));
        Assert.True(Sent(pair, toServer: false, MptcpSubtype.AddAddr).Any(), trace);
        AddAddrOption announce = Assert.Single(Sent(pair, toServer: false, MptcpSubtype.AddAddr), o => !o.AddAddr.Echo).AddAddr;
        Assert.Equal((ushort?)10012, announce.Port);
        Assert.True(Sent(pair, toServer: true, MptcpSubtype.AddAddr).Any(o => o.AddAddr.Echo), trace);
        Assert.Single(Sent(pair, toServer: true, MptcpSubtype.AddAddr), o => o.AddAddr.Echo && o.AddAddr.Port == 10012);
        Assert.True(pair.Trace.Count(x => !x.ToServer) < 20, $"{pair.Trace.Count(x => !x.ToServer)} segments from the server");
    }

    [Fact]
    public void Rfc8684_3_4_1_AnAnnouncementThatCanNeverFitIsGivenUpWithoutSpinning()
    {
        // IPv6 with a port and the HMAC: 30 bytes, more than a segment with timestamps has room for.
        var pair = new EndpointPair();
        pair.ServerEndpoint.AddEndpoint(IpAddressBytes.Parse("2001:db8::b"), EndpointFlags.Signal, port: 10012);
        (MptcpConnection client, _) = Open(pair, TimeSpan.FromSeconds(2));

        Assert.Empty(Sent(pair, toServer: false, MptcpSubtype.AddAddr));
        Assert.True(pair.Trace.Count(x => !x.ToServer) < 20, $"{pair.Trace.Count(x => !x.ToServer)} segments from the server");
        Assert.Equal(MptcpConnectionState.Established, client.State);
    }

    [Fact]
    public void Rfc8684_3_4_1_AnAnnouncementNeverEchoedIsGivenUpAndTheNextAddressAnnounced()
    {
        var pair = new EndpointPair(server: new MptcpOptions { AddAddrTimeout = TimeSpan.FromMilliseconds(100) });
        PathEndpoint b = pair.ServerEndpoint.AddEndpoint(EndpointPair.ServerB, EndpointFlags.Signal);
        PathEndpoint c = pair.ServerEndpoint.AddEndpoint(ServerC, EndpointFlags.Signal);

        // Every echo is lost: the server sends each ADD_ADDR the most times, then moves on (one outstanding at a time).
        pair.Filter = (toServer, s) => toServer && SegmentEdit.Options(s).Any(o => o.Subtype == MptcpSubtype.AddAddr && o.AddAddr.Echo) ? null : s;
        Open(pair, TimeSpan.FromSeconds(3));

        int max = pair.ServerEndpoint.Options.AddAddrMaxTransmissions;
        byte[] announced = [.. Sent(pair, toServer: false, MptcpSubtype.AddAddr).Where(o => !o.AddAddr.Echo).Select(o => o.AddAddr.AddressId)];
        Assert.Equal([.. Enumerable.Repeat(b.Id, max), .. Enumerable.Repeat(c.Id, max)], announced);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rfc8684_3_1_TheCFlagKeepsJoinsAwayFromTheInitialAddressButNotFromAnnouncedOnes(bool deny)
    {
        var pair = new EndpointPair(server: new MptcpOptions { DenyJoinToInitialAddress = deny });
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        pair.ServerEndpoint.AddEndpoint(EndpointPair.ServerB, EndpointFlags.Signal);
        (MptcpConnection client, MptcpConnection server) = Open(pair, TimeSpan.FromSeconds(3));

        MpCapableOption synAck = Sent(pair, toServer: false, MptcpSubtype.MpCapable).First().MpCapable;
        Assert.Equal(deny, (synAck.Flags & MpCapableFlags.NoJoinToSourceAddress) != 0);
        Assert.Equal(!deny, client.Subflows.Any(s => s.Role == SubflowRole.JoinActive && s.Tuple.RemoteAddress == EndpointPair.Server));
        Assert.Contains(client.Subflows, s => s.Role == SubflowRole.JoinActive && s.Tuple.RemoteAddress == EndpointPair.ServerB && s.Phase == SubflowPhase.Established);
        Assert.Equal(0, server.Counters.JoinsOverLimit);
    }
}
