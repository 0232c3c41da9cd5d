using MptcpPrivacy.Privacy;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Stack.Mptcp;

/// <summary>
/// The MPTCP connection layer between two endpoints wired back to back: the RFC 8684 handshakes,
/// data in both directions, joins, signalling, close, fallback and the refusal of forged input.
/// </summary>
public class MptcpConnectionTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(120);

    private sealed class Transfer
    {
        public required EndpointPair Pair { get; init; }

        public required MptcpConnection Client { get; init; }

        public MptcpConnection? Server { get; set; }

        public required BulkTransfer ClientApp { get; init; }

        public required BulkTransfer ServerApp { get; init; }

        public void Run(TimeSpan until) => Pair.Run(until, () =>
        {
            if (Server is null && Pair.ServerEndpoint.TryAccept(out MptcpConnection accepted))
            {
                Server = accepted;
                ServerApp.Attach(accepted);
            }

            ClientApp.Run(Pair.Now);
            ServerApp.Run(Pair.Now);
        });
    }

    private static Transfer Start(EndpointPair pair, long up, long down)
    {
        MptcpConnection client = pair.Client.Connect(TimeSpan.Zero, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
        var clientApp = new BulkTransfer(up, 11);
        clientApp.Attach(client);
        return new Transfer { Pair = pair, Client = client, ClientApp = clientApp, ServerApp = new BulkTransfer(down, 22) };
    }

    private static void AssertDelivered(Transfer t)
    {
        Assert.NotNull(t.Server);
        Assert.True(t.ClientApp.Done, $"client not done: wrote {t.ClientApp.BytesWritten}, read {t.ClientApp.BytesRead}\n{Describe(t.Client)}\n{Describe(t.Server!)}");
        Assert.True(t.ServerApp.Done, $"server not done: wrote {t.ServerApp.BytesWritten}, read {t.ServerApp.BytesRead}\n{Describe(t.Client)}\n{Describe(t.Server!)}");
        Assert.Equal(t.ClientApp.SentDigest, t.ServerApp.ReceivedDigest);
        Assert.Equal(t.ServerApp.SentDigest, t.ClientApp.ReceivedDigest);
        Assert.Equal(t.ClientApp.BytesToSend, t.ServerApp.BytesRead);
        Assert.Equal(t.ServerApp.BytesToSend, t.ClientApp.BytesRead);
    }

    private static string Describe(MptcpConnection c) =>
        $"{(c.IsClient ? "client" : "server")} {c.State} fallback={c.IsFallback} una={c.DataUnacknowledged} unacked={c.Unacknowledged} readable={c.Readable} peerFinished={c.PeerFinished} reinjected={c.Counters.BytesReinjected}\n"
        + string.Join("\n", c.Subflows.Select(s => $"  {s.Role} {s.Tuple} {s.Phase} tcp={s.Tcp.State}/{s.Tcp.CloseReason} sent={s.BytesScheduled} stale={s.IsStale} backoff={s.Tcp.RetransmissionTimeout.BackoffCount} cwnd={s.Tcp.CongestionControl.CongestionWindow} queued={s.Queued}"))
        + "\n" + string.Join("\n", c.Events.Select(e => $"  {e.Time.TotalMilliseconds}ms {e.Kind} {e.Subflow} {e.Detail}"));

    [Fact]
    public void Rfc8684_3_1_MpCapableHandshakeExchangesKeysAndTheFirstDataCarriesThem()
    {
        var pair = new EndpointPair();
        Transfer t = Start(pair, 5000, 3000);
        t.Run(Long);
        AssertDelivered(t);

        var (syn, synAck, ack) = (pair.Trace[0], pair.Trace[1], pair.Trace[2]);
        MpCapableOption s = Assert.Single(SegmentEdit.Options(syn.Segment)).MpCapable;
        Assert.Equal(MpCapableOption.SynLength, s.Length);
        MpCapableOption sa = Assert.Single(SegmentEdit.Options(synAck.Segment)).MpCapable;
        Assert.Equal(t.Server!.LocalKey.Key, sa.SenderKey);
        MpCapableOption a = Assert.Single(SegmentEdit.Options(ack.Segment)).MpCapable;
        Assert.Equal((t.Client.LocalKey.Key, t.Server.LocalKey.Key), (a.SenderKey, a.ReceiverKey));
        Assert.Equal(t.Server.LocalKey.Key, t.Client.RemoteKey);
        Assert.Equal(t.Client.LocalKey.Key, t.Server.RemoteKey);
        Assert.Equal(MptcpKeys.Token(t.Server.LocalKey.Key, MptcpVersion.V1), t.Client.RemoteToken);

        // The client's first data segment: MP_CAPABLE with the data-level length (RFC 8684 §3.1).
        var firstData = pair.Trace.First(x => x.ToServer && SegmentEdit.PayloadLength(x.Segment) > 0);
        MpCapableOption withData = Assert.Single(SegmentEdit.Options(firstData.Segment)).MpCapable;
        Assert.True(withData.HasDataLevelLength);
        Assert.Equal(SegmentEdit.PayloadLength(firstData.Segment), withData.DataLevelLength);

        // Later data carries DSS mappings with 64-bit DSNs starting at IDSN + 1.
        var serverData = pair.Trace.First(x => !x.ToServer && SegmentEdit.PayloadLength(x.Segment) > 0);
        DssOption dss = Assert.Single(SegmentEdit.Options(serverData.Segment)).Dss;
        Assert.True(dss.HasMapping);
        Assert.Equal(t.Server.LocalKey.Idsn + 1, dss.DataSequenceNumber);
        Assert.Equal(1u, dss.SubflowSequenceNumber);
        Assert.False(t.Client.IsFallback);
        Assert.Equal(MptcpConnectionState.Closed, t.Client.State);
        Assert.Equal(MptcpConnectionState.Closed, t.Server.State);
    }

    [Fact]
    public void Rfc8684_3_3_1_ChecksumsAreUsedWhenEitherSideAsks()
    {
        var pair = new EndpointPair(server: new MptcpOptions { RequireChecksums = true });
        Transfer t = Start(pair, 20_000, 20_000);
        t.Run(Long);
        AssertDelivered(t);
        Assert.True(t.Client.Checksums);
        Assert.True(t.Server!.Checksums);
        var data = pair.Trace.Where(x => SegmentEdit.PayloadLength(x.Segment) > 0 && SegmentEdit.Options(x.Segment).Any(o => o.Subtype == MptcpSubtype.Dss)).ToList();
        Assert.NotEmpty(data);
        Assert.All(data, x => Assert.True(SegmentEdit.Options(x.Segment).Single(o => o.Subtype == MptcpSubtype.Dss).Dss.HasChecksum));
    }

    [Fact]
    public void Rfc8684_3_7_ACorruptedPayloadOnTheOnlySubflowGivesMpFailTheInfiniteMappingAndAByteExactFallback()
    {
        var pair = new EndpointPair(client: new MptcpOptions { RequireChecksums = true });
        bool corrupted = false;
        pair.Filter = (toServer, segment) =>
        {
            if (!corrupted && toServer && SegmentEdit.PayloadLength(segment) > 100 && SegmentEdit.Options(segment).Any(o => o.Subtype == MptcpSubtype.Dss))
            {
                // A middlebox rewrites a byte of payload (and fixes the TCP checksum, which this wire does not check).
                corrupted = true;
                segment = (byte[])segment.Clone();
                segment[^10] ^= 0xff;
            }

            return segment;
        };
        Transfer t = Start(pair, 200_000, 50_000);
        t.Run(Long);
        Assert.True(corrupted);
        Assert.Equal(1, t.Server!.Counters.ChecksumFailures);

        // The receiver said MP_FAIL; the sender answered with the infinite mapping (a DSS with a
        // data-level length of 0) and both fell back; the corrupted bytes never reached the application.
        Assert.Contains(pair.Trace, x => !x.ToServer && SegmentEdit.Options(x.Segment).Any(o => o.Subtype == MptcpSubtype.MpFail));
        Assert.Contains(pair.Trace, x => x.ToServer && SegmentEdit.Options(x.Segment).Any(o => o.Subtype == MptcpSubtype.Dss && o.Dss.HasMapping && o.Dss.DataLevelLength == 0));
        Assert.True(t.Client.IsFallback, Describe(t.Client));
        Assert.True(t.Server.IsFallback, Describe(t.Server) + "\n" + string.Join("\n", pair.Trace.Where(x => x.ToServer).Select(x => $"{x.At.TotalMilliseconds} {SegmentEdit.PayloadLength(x.Segment)} {string.Join(",", SegmentEdit.Options(x.Segment))}")));
        AssertDelivered(t);
    }

    [Theory]
    [InlineData(PrivacyMode.Standard)]
    [InlineData(PrivacyMode.Profile)]
    public void Rfc8684_3_7_MpFailOnALoneJoinFallsBackOnThatJoinWithTheDsnInItsOwnOffsetSpace(PrivacyMode mode)
    {
        // The connection falls back onto the subflow that is left, a join here, not the initial
        // one. The profile offsets each join's DSNs so that two subflows' mappings cannot be lined
        // up (docs/design/privacy-profile.md); MP_FAIL and the infinite mapping carry a DSN too and
        // must not give the connection's data sequence space away on the join.
        var options = new MptcpOptions { RequireChecksums = true, Privacy = new PrivacyOptions { Mode = mode } };
        var pair = new EndpointPair(client: options, server: options);
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        Transfer t = Start(pair, 3_000_000, 20_000);
        t.Run(TimeSpan.FromMilliseconds(400));
        MptcpSubflow join = Assert.Single(t.Client.Subflows, sf => sf.Tuple.LocalAddress == EndpointPair.ClientB);
        Assert.Equal(mode == PrivacyMode.Profile, join.PrivacyState.SendDsnOffset != 0);

        // The initial address goes: the join is the lone subflow. Then a middlebox rewrites a byte of its payload.
        pair.Client.RemoveEndpoint(EndpointPair.ClientA, pair.Now);
        bool corrupted = false;
        pair.Filter = (toServer, segment) =>
        {
            if (!corrupted && toServer && SegmentEdit.PayloadLength(segment) > 100 && SourcePort(segment) == join.Tuple.LocalPort)
            {
                corrupted = true;
                segment = (byte[])segment.Clone();
                segment[^10] ^= 0xff;
            }

            return segment;
        };
        t.Run(Long);
        Assert.True(corrupted);

        var wireDsns = pair.Trace.Where(x => x.ToServer && SourcePort(x.Segment) == join.Tuple.LocalPort)
            .SelectMany(x => SegmentEdit.Options(x.Segment)).Where(o => o.Subtype == MptcpSubtype.Dss && o.Dss.HasMapping && o.Dss.DataLevelLength > 0)
            .Select(o => o.Dss.DataSequenceNumber).ToList();
        ulong failDsn = pair.Trace.Where(x => !x.ToServer).SelectMany(x => SegmentEdit.Options(x.Segment)).First(o => o.Subtype == MptcpSubtype.MpFail).MpFail.DataSequenceNumber;
        Assert.Contains(wireDsns, dsn => dsn - failDsn < 1_000_000 || failDsn - dsn < 1_000_000);
        Assert.True(t.Client.IsFallback, Describe(t.Client));
        AssertDelivered(t);

        static ushort SourcePort(byte[] segment) => TcpHeader.TryParse(segment, out TcpHeader tcp, out _) ? tcp.SourcePort : (ushort)0;
    }

    [Fact]
    public void Rfc8684_3_2_JoinFromASecondAddressCarriesData()
    {
        var pair = new EndpointPair();
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);

        // The first path loses every data segment after the handshake: only the join can carry the data.
        Transfer? t = null;
        pair.Filter = (toServer, s) => SegmentEdit.PayloadLength(s) > 0 && pair.Now > TimeSpan.FromMilliseconds(150) && IsFirstPath(s) ? null : s;
        t = Start(pair, 2_000_000, 2_000_000);
        t.Run(Long);
        AssertDelivered(t);

        MptcpSubflow join = Assert.Single(t.Client.Subflows, s => s.Role == SubflowRole.JoinActive);
        Assert.Equal(EndpointPair.ClientB, join.Tuple.LocalAddress);
        Assert.True(join.BytesScheduled > 1_000_000, "the joined subflow carried little data");
        MptcpSubflow passive = Assert.Single(t.Server!.Subflows, s => s.Role == SubflowRole.JoinPassive);
        Assert.True(passive.BytesScheduled > 1_000_000);
        Assert.True(t.Client.Counters.BytesReinjected > 0);

        bool IsFirstPath(byte[] segment)
        {
            Assert.True(TcpHeader.TryParse(segment, out TcpHeader tcp, out _));
            ushort clientPort = t!.Client.Subflows[0].Tuple.LocalPort;
            return tcp.SourcePort == clientPort || tcp.DestinationPort == clientPort;
        }
        Assert.Contains(t.Client.Events, e => e.Kind == MptcpEventKind.SubflowEstablished && e.Subflow == join.Tuple);

        var joinSyn = pair.Trace.Select(x => SegmentEdit.Options(x.Segment)).First(o => o.Any(m => m.Subtype == MptcpSubtype.MpJoin));
        Assert.Equal(t.Client.RemoteToken, joinSyn.Single().MpJoin.ReceiverToken);
    }

    [Fact]
    public void Rfc8684_3_7_AStrippedMpCapableFallsBackToPlainTcp()
    {
        var pair = new EndpointPair { Filter = (_, s) => SegmentEdit.StripMptcp(s, _ => true) };
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        Transfer t = Start(pair, 300_000, 200_000);
        t.Run(Long);
        AssertDelivered(t);
        Assert.True(t.Client.IsFallback);
        Assert.True(t.Server!.IsFallback);
        Assert.Contains(t.Client.Events, e => e.Kind == MptcpEventKind.FellBack);
        Assert.Single(t.Client.Subflows);

        // Only the client's SYN offered MP_CAPABLE; after the fallback no segment carries an MPTCP option.
        Assert.NotEmpty(SegmentEdit.Options(pair.Trace[0].Segment));
        Assert.All(pair.Trace.Skip(1), x => Assert.Empty(SegmentEdit.Options(x.Segment)));
    }

    [Fact]
    public void Rfc8684_3_2_AStrippedJoinFailsTheSubflowNotTheConnection()
    {
        var pair = new EndpointPair
        {
            Filter = (_, s) => SegmentEdit.StripMptcp(s, o => o.Subtype == MptcpSubtype.MpJoin && o.MpJoin.Form == MpJoinForm.Syn),
        };
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        Transfer t = Start(pair, 300_000, 300_000);
        t.Run(Long);
        AssertDelivered(t);
        Assert.False(t.Client.IsFallback);
        MptcpSubflow join = Assert.Single(t.Client.Subflows, s => s.Role == SubflowRole.JoinActive);
        Assert.Equal(SubflowPhase.Closed, join.Phase);
        Assert.Equal(0, join.BytesScheduled);
        Assert.Equal(1, t.Client.Counters.JoinsRefusedByPath);

        // The server's half-open plain connection for the stripped join was reset and forgotten.
        Assert.Equal(1, pair.ServerEndpoint.HalfOpenDiscarded);

        // The SYN/ACK without MP_JOIN was refused with a reset carrying MP_TCPRST "middlebox interference".
        Assert.Contains(pair.Trace, x => x.ToServer && SegmentEdit.Flags(x.Segment).HasFlag(TcpFlags.Rst)
            && SegmentEdit.Options(x.Segment).Any(o => o.Subtype == MptcpSubtype.MpTcpRst && o.MpTcpRst.Reason == (byte)MpTcpRstReason.MiddleboxInterference));
    }

    [Fact]
    public void Rfc8684_3_2_ForgedJoinSynsWithRandomTokensAreRefusedAndLeaveNoState()
    {
        var pair = new EndpointPair();
        Transfer t = Start(pair, 10_000, 10_000);
        t.Run(TimeSpan.FromSeconds(1));
        Assert.NotNull(t.Server);
        int subflowsBefore = t.Server!.Subflows.Count;
        var random = new Random(7);
        Span<byte> options = stackalloc byte[12];
        for (int i = 0; i < 100_000; i++)
        {
            uint token = (uint)random.NextInt64(0, 1L << 32);
            if (token == t.Server.LocalKey.Token)
            {
                continue;
            }

            int n = MpJoinOption.Syn(token, (uint)random.Next(), 1, false).Encode(options);
            byte[] syn = new byte[TcpHeaderFields.HeaderLength(n)];
            new TcpHeaderFields { SourcePort = (ushort)random.Next(1024, 65535), DestinationPort = EndpointPair.Port, SequenceNumber = (uint)random.Next(), Flags = TcpFlags.Syn, Window = 65535 }
                .Encode(syn, options[..n]);
            pair.Inject(true, EndpointPair.ClientB, EndpointPair.Server, syn);
        }

        Assert.True(pair.ServerEndpoint.JoinsUnknownToken >= 99_990);
        Assert.Equal(subflowsBefore, t.Server.Subflows.Count);
        Assert.Single(pair.ServerEndpoint.Connections);
        t.Run(Long);
        AssertDelivered(t);
    }

    [Fact]
    public void Rfc8684_3_4_1_AddAddrWithAWrongHmacIsIgnoredAndARightOneIsEchoedAndJoined()
    {
        var pair = new EndpointPair(server: new MptcpOptions { AddAddrTimeout = TimeSpan.FromMilliseconds(100) });
        pair.ServerEndpoint.AddEndpoint(EndpointPair.ServerB, EndpointFlags.Signal);
        Assert.Equal(TimeSpan.FromMilliseconds(100), pair.ServerEndpoint.Options.AddAddrTimeout);
        bool forged = false;
        pair.Filter = (toServer, s) =>
        {
            if (!toServer && !forged && SegmentEdit.Options(s).Any(o => o.Subtype == MptcpSubtype.AddAddr && !o.AddAddr.Echo))
            {
                // Send first a copy whose HMAC is wrong.
                forged = true;
                byte[] bad = (byte[])s.Clone();
                int at = bad.AsSpan().IndexOf(EndpointPair.ServerB.ToIPAddress().GetAddressBytes());
                bad[at + 4 + 3] ^= 0x55;
                return bad;
            }

            return s;
        };
        Transfer t = Start(pair, 500_000, 500_000);
        t.Run(Long);
        AssertDelivered(t);
        Assert.True(forged);
        Assert.Equal(1, t.Client.Counters.AddAddrHmacFailures);
        Assert.Contains(t.Client.Events, e => e.Kind == MptcpEventKind.AddressAnnounced && e.Address == EndpointPair.ServerB);
        Assert.Contains(t.Client.Subflows, s => s.Tuple.RemoteAddress == EndpointPair.ServerB && s.BytesScheduled > 0);
        Assert.Contains(pair.Trace, x => x.ToServer && SegmentEdit.Options(x.Segment).Any(o => o.Subtype == MptcpSubtype.AddAddr && o.AddAddr.Echo));
    }

    [Fact]
    public void Rfc8684_3_5_FastCloseResetsThePeer()
    {
        var pair = new EndpointPair();
        Transfer t = Start(pair, 5_000_000, 0);
        t.Run(TimeSpan.FromMilliseconds(500));
        Assert.NotNull(t.Server);
        t.Client.Abort(pair.Now);
        t.Run(pair.Now + TimeSpan.FromSeconds(5));
        Assert.Equal(MptcpConnectionState.Closed, t.Server!.State);
        Assert.Contains(t.Server.Events, e => e.Kind == MptcpEventKind.Closed && e.Detail!.Contains("FASTCLOSE"));
        Assert.Contains(pair.Trace, x => x.ToServer && SegmentEdit.Options(x.Segment).Any(o => o.Subtype == MptcpSubtype.MpFastClose && o.MpFastClose.ReceiverKey == t.Server.LocalKey.Key));
    }

    [Fact]
    public void Rfc8684_3_5_AFastCloseResetAnsweredWithAChallengeAckIsRepeatedWithMpFastCloseAtTheExactSequence()
    {
        // Found against Linux: a peer enforcing RFC 5961 answers a reset that is in its window but
        // not exact with a challenge ACK; our answer to that must still carry MP_FASTCLOSE.
        var pair = new EndpointPair();
        Transfer t = Start(pair, 5_000_000, 0);
        t.Run(TimeSpan.FromMilliseconds(500));
        Assert.NotNull(t.Server);
        bool droppedAbortReset = false;
        pair.Filter = (toServer, s) =>
        {
            if (toServer && !droppedAbortReset && (SegmentEdit.Flags(s) & TcpFlags.Rst) != 0)
            {
                droppedAbortReset = true;
                return null;
            }

            return s;
        };
        t.Client.Abort(pair.Now);
        t.Run(pair.Now + TimeSpan.FromSeconds(5));

        Assert.True(droppedAbortReset);
        Assert.Equal(MptcpConnectionState.Closed, t.Server!.State);
        Assert.Contains(t.Server.Events, e => e.Kind == MptcpEventKind.Closed && e.Detail!.Contains("FASTCLOSE"));
    }

    [Fact]
    public void Rfc8684_3_1_DataAfterAJoinIsEstablishedNeverRidesTheImplicitMappingOfTheMpCapableAck()
    {
        // Found against Linux, which sends no DSS before data of its own: our join was established
        // while the initial subflow still waited for the peer's first DSS, the first bytes went on
        // the join, and the initial subflow's first segment then carried MP_CAPABLE with a
        // data-level length, whose DSN is implicitly IDSN + 1 (RFC 8684 §3.1). The peer took those
        // bytes as a duplicate of the join's, and the range they really held never arrived.
        var pair = new EndpointPair();
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        bool quietPeer = true;
        pair.Filter = (toServer, segment) =>
            toServer || !quietPeer ? segment : SegmentEdit.StripMptcp(segment, o => o.Subtype == MptcpSubtype.Dss);
        MptcpConnection client = pair.Client.Connect(TimeSpan.Zero, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
        MptcpConnection? server = null;
        pair.Run(TimeSpan.FromSeconds(1), () =>
        {
            if (server is null && pair.ServerEndpoint.TryAccept(out MptcpConnection accepted))
            {
                server = accepted;
            }
        });
        Assert.NotNull(server);
        Assert.Contains(client.Subflows, s => s.Role == SubflowRole.JoinActive && s.Phase == SubflowPhase.Established);

        quietPeer = false;
        int traced = pair.Trace.Count;
        byte[] data = [.. Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7 + (i >> 8)))];
        Assert.Equal(data.Length, client.Write(data));
        client.Close();
        var received = new List<byte>();
        byte[] chunk = new byte[4096];
        pair.Run(pair.Now + TimeSpan.FromSeconds(10), () =>
        {
            for (int n; (n = server!.Read(chunk)) > 0;)
            {
                received.AddRange(chunk.AsSpan(0, n));
            }
        });

        Assert.Equal(data.Length, received.Count);
        Assert.True(data.AsSpan().SequenceEqual(received.ToArray()));
        Assert.DoesNotContain(pair.Trace.Skip(traced).Where(x => x.ToServer && SegmentEdit.PayloadLength(x.Segment) > 0).SelectMany(x => SegmentEdit.Options(x.Segment)), o => o.Subtype == MptcpSubtype.MpCapable);
    }

    [Fact]
    public void Rfc8684_3_3_6_DataTheReceiverDroppedAfterItsSubflowAcknowledgedItIsSentAgain()
    {
        // Found against Linux: a receiver may drop bytes at the data level that TCP already
        // acknowledged (Linux does for data past the MPTCP window it last sent, MPTcpExtNoDSSInWindow),
        // relying on the sender's data-level retransmission; here one segment is relabelled as a
        // duplicate of the one before, so TCP acknowledges its bytes and the data level drops them.
        var pair = new EndpointPair();
        int dataSegments = 0;
        pair.Filter = (toServer, segment) =>
            toServer && SegmentEdit.PayloadLength(segment) > 0 && ++dataSegments == 3
                ? SegmentEdit.RewriteDss(segment, d => d.HasMapping ? d with { DataSequenceNumber = d.DataSequenceNumber - d.DataLevelLength } : d)
                : segment;
        MptcpConnection client = pair.Client.Connect(TimeSpan.Zero, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
        byte[] data = [.. Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7 + (i >> 8)))];
        Assert.Equal(data.Length, client.Write(data));
        client.Close();
        MptcpConnection? server = null;
        var received = new List<byte>();
        byte[] chunk = new byte[4096];
        pair.Run(TimeSpan.FromSeconds(30), () =>
        {
            if (server is null && pair.ServerEndpoint.TryAccept(out MptcpConnection accepted))
            {
                server = accepted;
            }

            for (int n; server is not null && (n = server.Read(chunk)) > 0;)
            {
                received.AddRange(chunk.AsSpan(0, n));
            }
        });

        Assert.True(dataSegments > 3);
        Assert.Equal(data.Length, received.Count);
        Assert.True(data.AsSpan().SequenceEqual(received.ToArray()));
        Assert.True(client.Counters.DataLevelRetransmissions > 0);
    }

    [Fact]
    public void CloseBeforeTheHandshakeEndsSendsTheQueuedDataAndThenTheDataFin()
    {
        // Like shutdown(SHUT_WR) after a non-blocking connect: found against Linux, where the
        // interop client wrote everything and closed before the SYN/ACK came back.
        var pair = new EndpointPair();
        MptcpConnection client = pair.Client.Connect(TimeSpan.Zero, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
        byte[] data = [.. Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7))];
        Assert.Equal(data.Length, client.Write(data));
        client.Close();
        Assert.Equal(MptcpConnectionState.Connecting, client.State);

        MptcpConnection? server = null;
        var received = new List<byte>();
        byte[] chunk = new byte[4096];
        pair.Run(TimeSpan.FromSeconds(5), () =>
        {
            if (server is null && pair.ServerEndpoint.TryAccept(out MptcpConnection accepted))
            {
                server = accepted;
            }

            for (int n; server is not null && (n = server.Read(chunk)) > 0;)
            {
                received.AddRange(chunk.AsSpan(0, n));
            }
        });

        Assert.NotNull(server);
        Assert.Equal(data, received);
        Assert.True(server!.PeerFinished);
        Assert.False(client.IsFallback);
    }

    [Fact]
    public void Rfc8684_3_3_8_ABackupSubflowCarriesNothingWhileARegularOneWorks()
    {
        var pair = new EndpointPair();
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        MptcpConnection client = pair.Client.Connect(TimeSpan.Zero, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
        var t = new Transfer { Pair = pair, Client = client, ClientApp = new BulkTransfer(0, 1), ServerApp = new BulkTransfer(1_000_000, 5) };
        pair.Run(TimeSpan.FromSeconds(1), () => { if (t.Server is null && pair.ServerEndpoint.TryAccept(out MptcpConnection c)) { t.Server = c; } });
        MptcpSubflow join = Assert.Single(t.Client.Subflows, s => s.Role == SubflowRole.JoinActive);
        Assert.True(join.Phase == SubflowPhase.Established, string.Join("\n", t.Client.Events.Concat(t.Server!.Events)) + join.Tcp.State + join.Tcp.CloseReason);
        t.Client.SetBackup(join, true, pair.Now);
        t.Run(pair.Now + TimeSpan.FromSeconds(1));
        MptcpSubflow passive = Assert.Single(t.Server!.Subflows, s => s.Role == SubflowRole.JoinPassive);
        Assert.True(passive.PeerBackup);

        // Now data from the server: all of it on the regular subflow.
        t.ClientApp.Attach(client);
        t.ServerApp.Attach(t.Server);
        t.Run(pair.Now + TimeSpan.FromSeconds(30));
        AssertDelivered(t);
        Assert.Equal(0, passive.BytesScheduled);
    }

    [Fact]
    public void Rfc5961_ForgedResetsAndOutOfWindowDssChangeNothing()
    {
        var pair = new EndpointPair();
        Transfer t = Start(pair, 1_000_000, 1_000_000);
        t.Run(TimeSpan.FromMilliseconds(300));
        MptcpConnection server = t.Server!;
        MptcpSubflow sf = server.Subflows[0];
        var random = new Random(3);
        Span<byte> options = stackalloc byte[40];
        for (int i = 0; i < 1000; i++)
        {
            // A RST with a guessed sequence number (not RCV.NXT): at most a challenge ACK.
            uint seq = sf.Tcp.ReceiveNext.Value + (uint)random.Next(1, int.MaxValue);
            byte[] rst = new byte[TcpHeader.MinimumLength];
            new TcpHeaderFields { SourcePort = sf.Tuple.RemotePort, DestinationPort = sf.Tuple.LocalPort, SequenceNumber = seq, Flags = TcpFlags.Rst }.Encode(rst);
            pair.Inject(true, sf.Tuple.RemoteAddress, sf.Tuple.LocalAddress, rst);

            // An in-window segment whose DSS acknowledges data never sent and maps data far outside the window.
            var dss = new DssOption
            {
                Flags = DssFlags.DataAckPresent | DssFlags.DataAckIs8Octets | DssFlags.MappingPresent | DssFlags.DsnIs8Octets,
                DataAck = server.DataUnacknowledged.Value + (ulong)random.NextInt64(1L << 40, 1L << 50),
                DataSequenceNumber = (ulong)random.NextInt64(),
                SubflowSequenceNumber = (uint)random.Next(),
                DataLevelLength = 100,
            };
            int n = dss.Encode(options);
            byte[] forged = new byte[TcpHeaderFields.HeaderLength(n)];
            new TcpHeaderFields
            {
                SourcePort = sf.Tuple.RemotePort,
                DestinationPort = sf.Tuple.LocalPort,
                SequenceNumber = sf.Tcp.ReceiveNext.Value + 1_000_000_000,
                AcknowledgmentNumber = sf.Tcp.SendUnacknowledged.Value,
                Flags = TcpFlags.Ack,
                Window = 100,
            }.Encode(forged, options[..n]);
            pair.Inject(true, sf.Tuple.RemoteAddress, sf.Tuple.LocalAddress, forged);
        }

        // And one whose TCP sequence number is right: its DSS is still refused at the data level.
        var inWindow = new DssOption { Flags = DssFlags.DataAckPresent | DssFlags.DataAckIs8Octets, DataAck = server.DataUnacknowledged.Value + (1UL << 45) };
        int m = inWindow.Encode(options);
        byte[] good = new byte[TcpHeaderFields.HeaderLength(m)];
        new TcpHeaderFields { SourcePort = sf.Tuple.RemotePort, DestinationPort = sf.Tuple.LocalPort, SequenceNumber = sf.Tcp.ReceiveNext.Value, AcknowledgmentNumber = sf.Tcp.SendUnacknowledged.Value, Flags = TcpFlags.Ack, Window = 1000 }
            .Encode(good, options[..m]);
        pair.Inject(true, sf.Tuple.RemoteAddress, sf.Tuple.LocalAddress, good);
        Assert.True(server.Counters.DataAcksOutOfWindow >= 1);

        // ADD_ADDRs at the right TCP sequence number but with HMACs the forger had to guess.
        for (int i = 0; i < 10_000; i++)
        {
            var add = AddAddrOption.Announce((byte)random.Next(1, 255), IpAddressBytes.Parse("203.0.113.99"), null, (ulong)random.NextInt64());
            int k = add.EncodedLength;
            add.Encode(options);
            byte[] forged = new byte[TcpHeaderFields.HeaderLength(k)];
            new TcpHeaderFields { SourcePort = sf.Tuple.RemotePort, DestinationPort = sf.Tuple.LocalPort, SequenceNumber = sf.Tcp.ReceiveNext.Value, AcknowledgmentNumber = sf.Tcp.SendUnacknowledged.Value, Flags = TcpFlags.Ack, Window = 1000 }
                .Encode(forged, options[..k]);
            pair.Inject(true, sf.Tuple.RemoteAddress, sf.Tuple.LocalAddress, forged);
        }

        Assert.Equal(10_000, server.Counters.AddAddrHmacFailures);
        Assert.DoesNotContain(server.Events, e => e.Kind == MptcpEventKind.AddressAnnounced);
        Assert.Single(server.Subflows);

        Assert.Equal(TcpState.Established, sf.Tcp.State);
        t.Run(Long);
        AssertDelivered(t);
    }
}
