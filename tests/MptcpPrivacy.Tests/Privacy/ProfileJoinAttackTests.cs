using MptcpPrivacy.Privacy;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Tests.Stack.Mptcp;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>
/// Issue 6's last acceptance test: forged joins with random tokens and replays of captured joins
/// from another address are refused by a host running the profile, and a forged join costs one
/// lookup in the host's token table whatever the number of live connections.
/// </summary>
public sealed class ProfileJoinAttackTests
{
    private static readonly IpAddressBytes Attacker = IpAddressBytes.Parse("203.0.113.99");

    private static MptcpOptions Profile() => new()
    {
        Privacy = new PrivacyOptions { Mode = PrivacyMode.Profile },
        PathManagerLimits = new PathManagerLimits(subflows: 2, addAddrAccepted: 2),
    };

    /// <summary>Connects <paramref name="connections"/> profile connections, each with a join from the client's second address.</summary>
    private static (EndpointPair Pair, List<MptcpConnection> Clients) Connected(int connections)
    {
        var pair = new EndpointPair(Profile(), Profile());
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        var clients = new List<MptcpConnection>();
        for (int i = 0; i < connections; i++)
        {
            clients.Add(pair.Client.Connect(pair.Now, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port));
        }

        pair.Run(TimeSpan.FromSeconds(3));
        Assert.All(clients, c =>
        {
            Assert.Equal(PrivacyMode.Profile, c.PrivacyMode);
            Assert.Equal(2, c.Events.Count(e => e.Kind == MptcpEventKind.SubflowEstablished));
        });
        return (pair, clients);
    }

    private static byte[] JoinSyn(ushort sourcePort, uint tokenField, uint nonceField)
    {
        Span<byte> option = stackalloc byte[12];
        int length = MpJoinOption.Syn(tokenField, nonceField, addressId: 2, backup: false).Encode(option);
        var fields = new TcpHeaderFields { SourcePort = sourcePort, DestinationPort = EndpointPair.Port, SequenceNumber = 1, Flags = TcpFlags.Syn, Window = 65535 };
        byte[] segment = new byte[TcpHeader.MinimumLength + length];
        int written = fields.Encode(segment, option[..length]);
        return segment[..written];
    }

    private static long ServerSubflows(EndpointPair pair) => pair.ServerEndpoint.Connections.Sum(c => c.Subflows.Count);

    [Fact]
    public void A_hundred_thousand_forged_joins_are_refused_with_one_table_lookup_each()
    {
        (EndpointPair pair, _) = Connected(20);
        MptcpEndpoint server = pair.ServerEndpoint;
        int live = server.ProfileTokens.LiveTokens;
        Assert.Equal(20 * server.Options.Privacy.JoinTokens.WindowSize, live);
        long unknownBefore = server.JoinsUnknownToken, subflowsBefore = ServerSubflows(pair);

        var random = new Random(42);
        const int Forged = 100_000;
        byte[] buffer = new byte[2048];
        for (int i = 0; i < Forged; i++)
        {
            byte[] syn = JoinSyn((ushort)random.Next(1024, 65536), (uint)random.NextInt64(0, 1L << 32), (uint)random.NextInt64(0, 1L << 32));
            // From anywhere but the genuine subflows' own four-tuples (those would reach their subflow).
            var source = IpAddressBytes.Parse($"203.0.113.{random.Next(3, 255)}");
            pair.Inject(toServer: true, source, EndpointPair.Server, syn);
            if (i % 50 == 49)
            {
                // The resets go out (and are dropped here): the reply queue stays small.
                while (server.PollTransmit(pair.Now, buffer, out _) > 0)
                {
                }
            }
        }

        Assert.Equal(Forged, server.JoinsUnknownToken - unknownBefore);
        Assert.Equal(subflowsBefore, ServerSubflows(pair));
        Assert.Equal(live, server.ProfileTokens.LiveTokens);
        Assert.Equal(0, server.ProfileTokens.HalfOpen);
    }

    [Fact]
    public void A_captured_join_replayed_from_another_address_is_refused()
    {
        (EndpointPair pair, List<MptcpConnection> clients) = Connected(1);
        MptcpEndpoint server = pair.ServerEndpoint;
        byte[] syn = pair.Trace.First(x => x.ToServer && SegmentEdit.Options(x.Segment).Any(o => o.Subtype == MptcpSubtype.MpJoin && o.MpJoin.Form == MpJoinForm.Syn)).Segment;
        byte[] thirdAck = pair.Trace.First(x => x.ToServer && SegmentEdit.Options(x.Segment).Any(o => o.Subtype == MptcpSubtype.MpJoin && o.MpJoin.Form == MpJoinForm.Ack)).Segment;
        long unknownBefore = server.JoinsUnknownToken, refusedBefore = server.SegmentsRefused, subflowsBefore = ServerSubflows(pair);

        // The token was spent by the genuine join: the copy finds nothing, from any address.
        pair.Inject(toServer: true, Attacker, EndpointPair.Server, syn);
        byte[] otherPort = (byte[])syn.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(otherPort, 40001);
        pair.Inject(toServer: true, EndpointPair.ClientB, EndpointPair.Server, otherPort);
        Assert.Equal(2, server.JoinsUnknownToken - unknownBefore);

        // Its third ACK, replayed, belongs to no subflow.
        pair.Inject(toServer: true, Attacker, EndpointPair.Server, thirdAck);
        Assert.True(server.SegmentsRefused - refusedBefore >= 3);
        Assert.Equal(subflowsBefore, ServerSubflows(pair));

        // The genuine connection still works: its next join takes the next token.
        Assert.Equal(PrivacyMode.Profile, clients[0].PrivacyMode);
        Assert.NotEqual(MptcpConnectionState.Closed, clients[0].State);
    }

    [Fact]
    public void A_join_replayed_while_the_genuine_one_is_half_open_cannot_complete()
    {
        var pair = new EndpointPair(Profile(), Profile());
        pair.Client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        MptcpConnection client = pair.Client.Connect(pair.Now, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);

        // Hold the genuine join's third ACK back once, and copy its SYN to an attacker's address.
        byte[]? capturedSyn = null, capturedAck = null;
        pair.Filter = (toServer, segment) =>
        {
            List<MptcpOption> options = SegmentEdit.Options(segment);
            if (toServer && options.Any(o => o.Subtype == MptcpSubtype.MpJoin && o.MpJoin.Form == MpJoinForm.Syn))
            {
                capturedSyn ??= segment;
            }

            if (toServer && capturedAck is null && options.Any(o => o.Subtype == MptcpSubtype.MpJoin && o.MpJoin.Form == MpJoinForm.Ack))
            {
                capturedAck = segment;
                return null;
            }

            return segment;
        };
        pair.Run(TimeSpan.FromMilliseconds(200));
        Assert.NotNull(capturedSyn);
        Assert.NotNull(capturedAck);

        MptcpConnection server = Assert.Single(pair.ServerEndpoint.Connections);
        long failuresBefore = server.Counters.JoinHmacFailures;

        // The replayed SYN from elsewhere gets a half-open reservation and a SYN/ACK with a new
        // R-B, which an attacker on that path reads; it answers with the genuine third ACK made to
        // fit that SYN/ACK's sequence numbers. The HMAC inside covers the genuine R-B: refused.
        int traced = pair.Trace.Count;
        pair.Inject(toServer: true, Attacker, EndpointPair.Server, capturedSyn!);
        Span<byte> buffer = stackalloc byte[2048];
        int n = pair.ServerEndpoint.PollTransmit(pair.Now, buffer, out FourTuple toAttacker);
        Assert.True(n > 0);
        Assert.Equal(Attacker, toAttacker.RemoteAddress);
        Assert.True(TcpHeader.TryParse(buffer[..n], out TcpHeader synAck, out _));
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Flags & (TcpFlags.Syn | TcpFlags.Ack));
        byte[] forged = (byte[])capturedAck!.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(forged.AsSpan(8), unchecked(synAck.SequenceNumber + 1));
        pair.Inject(toServer: true, Attacker, EndpointPair.Server, forged);
        Assert.Equal(failuresBefore + 1, server.Counters.JoinHmacFailures);

        // The genuine join then completes with its repeated third ACK.
        pair.Run(TimeSpan.FromSeconds(3));
        Assert.DoesNotContain(server.Subflows, s => s.Tuple.RemoteAddress == Attacker && s.Phase == SubflowPhase.Established);
        Assert.Equal(2, client.Events.Count(e => e.Kind == MptcpEventKind.SubflowEstablished));
        Assert.Equal(0, pair.ServerEndpoint.ProfileTokens.HalfOpen);
    }

    [Fact]
    public void A_forged_tokens_lookup_reads_as_many_entries_at_200_000_connections_as_at_100()
    {
        // The work a forged SYN costs is the entries the index reads for it; it depends on the
        // table's load factor, never on how many connections are live. (The draft's resolver, by
        // contrast, tries every live key: its work is the number of connections.)
        static double MeanEntriesRead(int connections)
        {
            var table = new JoinTokenTable<object>(JoinTokenLimits.Default);
            var random = new Random(connections);
            byte[] key = new byte[32];
            for (int i = 0; i < connections; i++)
            {
                random.NextBytes(key);
                table.Register(new object(), key);
            }

            long read = 0;
            const int Forged = 100_000;
            for (int i = 0; i < Forged; i++)
            {
                ulong token = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
                Assert.Equal(JoinLookupResult.UnknownToken, table.TryReserve(token, out _));
                read += table.Index.EntriesRead(token);
            }

            return (double)read / Forged;
        }

        double small = MeanEntriesRead(100), large = MeanEntriesRead(200_000);
        Assert.InRange(small, 1, 9);
        Assert.InRange(large, 1, 9);
        Assert.True(large / small < 3, $"{small:F2} entries per forged lookup at 100 connections, {large:F2} at 200,000");
    }
}
