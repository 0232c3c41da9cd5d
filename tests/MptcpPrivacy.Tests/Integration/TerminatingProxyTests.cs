using MptcpPrivacy.Capture;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Scenarios.Proxy;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Integration;

/// <summary>
/// The blog's third middlebox on the simulator, a proxy that terminates MPTCP: the user's MPTCP
/// connections end at the proxy, whose plain TCP connections from one address carry every byte to
/// the origin and back, byte-exact; each end of stream and each reset passes through; an origin
/// that stops reading stalls the user within the stacks' buffers; bad packets never crash it.
/// </summary>
public class TerminatingProxyTests
{
    private static ScenarioSpec Spec(PrivacyProfile profile, long up, long down, int connections = 3, int seed = 1) => new()
    {
        Paths = [PathSpec.Parse("rate=50M,rtt=20ms,name=wifi"), PathSpec.Parse("rate=20M,rtt=60ms,name=cellular")],
        ClientToServerBytes = up,
        ServerToClientBytes = down,
        Connections = connections,
        Profile = profile,
        Seed = seed,
        DurationNs = 30_000_000_000,
    };

    private static string Describe(ProxyScenarioResult r) =>
        $"{r.DurationSeconds:F2} s ({r.Outcome}), proxy opened {r.Proxy.RelaysOpened} finished {r.Proxy.RelaysFinished}:\n"
        + string.Join("\n", r.Connections.Select(c => $"  #{c.Number} {c.ClientMode}/{c.ServerMode} {c.SubflowsEstablished} subflows "
            + $"up {c.Upload.BytesDelivered}/{c.Upload.BytesSent} down {c.Download.BytesDelivered}/{c.Download.BytesSent} fallback {c.Fallback}"))
        + "\n" + string.Join("\n", r.Relays.Select(x => $"  relay to origin {x.BytesToOrigin} to user {x.BytesToUser} fins {x.UserFinForwarded}/{x.OriginFinForwarded} reset {x.ResetFrom}"));

    [Theory]
    [InlineData(PrivacyProfile.Standard, 150_000, 400_000)]
    [InlineData(PrivacyProfile.Draft, 400_000, 150_000)]
    [InlineData(PrivacyProfile.Privacy, 150_000, 400_000)]
    [InlineData(PrivacyProfile.Standard, 0, 300_000)]
    [InlineData(PrivacyProfile.Privacy, 300_000, 0)]
    public void RelaysEveryByteBothWaysByteExactAndPassesEachEndOfStreamOn(PrivacyProfile profile, long up, long down)
    {
        ProxyScenarioResult r = ProxyScenarioRunner.Run(Spec(profile, up, down), check: ContentCheck.Pattern);

        Assert.True(r.Success, Describe(r));
        PrivacyMode mode = ScenarioRunner.ModeOf(profile);
        Assert.All(r.Connections, c =>
        {
            Assert.Equal(up, c.Upload.BytesDelivered);
            Assert.Equal(down, c.Download.BytesDelivered);
            Assert.Equal(mode, c.ClientMode);
            Assert.Equal(mode, c.ServerMode);
            Assert.Null(c.Fallback);
        });

        // The user's side is multipath MPTCP ending at the proxy; the origin's side plain TCP from one address.
        Assert.All(r.UserConnections, u => Assert.False(u.IsFallback));
        Assert.Contains(r.UserConnections, u => u.Subflows.Count(s => s.Tuple.LocalAddress != u.Subflows[0].Tuple.LocalAddress) > 0);
        Assert.Equal(3, r.OriginConnections.Count);
        Assert.All(r.OriginConnections, o =>
        {
            Assert.True(o.IsFallback, "the origin's connection ran MPTCP");
            Assert.Equal(ProxyScenarioRunner.ProxyBackAddress.Address, Assert.Single(o.Subflows).Tuple.RemoteAddress);
            Assert.True(o.PeerFinished, "the user's end of stream never reached the origin");
        });
        Assert.All(r.Relays, x =>
        {
            Assert.Equal(up, x.BytesToOrigin);
            Assert.Equal(down, x.BytesToUser);
            Assert.True(x.UserFinForwarded && x.OriginFinForwarded, Describe(r));
            Assert.Null(x.ResetFrom);
            Assert.True(x.Finished, Describe(r));
        });
        Assert.Equal(3, r.Proxy.RelaysFinished);
        Assert.Empty(r.Proxy.Relays);
    }

    // Buffers small enough that a transfer of a megabyte is still under way at 300 ms.
    private static readonly MptcpOptions Small = new() { ReceiveBufferSize = 64 * 1024, SendBufferSize = 64 * 1024, Subflow = new() { ReceiveBufferSize = 64 * 1024, SendBufferSize = 64 * 1024 } };

    private static MptcpOptions SmallIn(PrivacyProfile profile) => Small with { Privacy = ScenarioRunner.OptionsFor(Spec(profile, 0, 0)).Privacy };

    [Fact]
    public void AResetAtTheOriginAbortsTheUsersConnection()
    {
        ProxyScenarioResult r = ProxyScenarioRunner.Run(Spec(PrivacyProfile.Privacy, 10_000, 3_000_000, connections: 1),
            client: SmallIn(PrivacyProfile.Privacy), proxy: SmallIn(PrivacyProfile.Privacy), plain: Small with { Enabled = false }, configure: n =>
            n.Topology.Simulator.Schedule(300_000_000, now => n.Origin.Endpoint.Connections[0].Abort(MptcpHostNode.ToTime(now))));

        Assert.False(r.Success, Describe(r));
        ProxyRelay relay = Assert.Single(r.Relays);
        Assert.Equal(ProxySide.Origin, relay.ResetFrom);
        MptcpConnection user = Assert.Single(r.UserConnections);
        Assert.Equal(MptcpConnectionState.Closed, user.State);
        Assert.Contains(user.Events, e => e.Kind == MptcpEventKind.Closed && e.Detail == "MP_FASTCLOSE received");
        Assert.False(user.PeerFinished, "the user saw a clean end of stream from a reset origin");
        Assert.InRange(relay.BytesToUser, 1, 2_999_999);
    }

    [Fact]
    public void AResetByTheUserAbortsTheOriginsConnection()
    {
        ProxyScenarioResult r = ProxyScenarioRunner.Run(Spec(PrivacyProfile.Privacy, 3_000_000, 10_000, connections: 1),
            client: SmallIn(PrivacyProfile.Privacy), proxy: SmallIn(PrivacyProfile.Privacy), plain: Small with { Enabled = false }, configure: n =>
            n.Topology.Simulator.Schedule(300_000_000, now => n.Client.Endpoint.Connections[0].Abort(MptcpHostNode.ToTime(now))));

        Assert.False(r.Success, Describe(r));
        ProxyRelay relay = Assert.Single(r.Relays);
        Assert.Equal(ProxySide.User, relay.ResetFrom);
        MptcpConnection origin = Assert.Single(r.OriginConnections);
        Assert.Equal(MptcpConnectionState.Closed, origin.State);
        Assert.False(origin.PeerFinished, "the origin saw a clean end of stream from a reset user");
        Assert.InRange(relay.BytesToOrigin, 1, 2_999_999);
    }

    [Fact]
    public void AnOriginThatStopsReadingStallsTheUserWithinTheStacksBuffers()
    {
        // Small buffers everywhere, so the stall is reached quickly; an origin that accepts and never reads.
        const int Buffer = 64 * 1024;
        MptcpOptions mptcp = Small;
        MptcpOptions plain = mptcp with { Enabled = false };
        ProxyRelay? relay = null;
        ProxyScenarioResult r = ProxyScenarioRunner.Run(Spec(PrivacyProfile.Standard, 5_000_000, 0, connections: 1) with { DurationNs = 3_000_000_000 }, client: mptcp, proxy: mptcp, plain: plain,
            configure: n =>
            {
                n.Proxy.RelayOpened += x => relay = x;
                n.Origin.Application = _ =>
                {
                    while (n.Origin.Endpoint.TryAccept(out MptcpConnection _))
                    {
                    }
                };
            });

        Assert.NotNull(relay);
        Assert.False(r.Success);

        // What left the user is at most what the proxy's front holds unread, what the relay moved,
        // and the user's own send buffer; what the relay moved at most the back's buffers and the origin's.
        long backside = Buffer + Buffer + (2 * Buffer);
        Assert.InRange(relay.BytesToOrigin, 1, backside);
        Assert.InRange(relay.Front.Readable, 0, Buffer);
        MptcpConnection user = Assert.Single(r.UserConnections);
        Assert.True(user.Unacknowledged > 0, "the user's upload was not held back");
        Assert.Equal(MptcpConnectionState.Established, relay.Front.State);
    }

    [Fact]
    public void AConnectionClosingWithAKeyShareDueDoesNotAskForAPollAtOnceForEver()
    {
        // Seed 7: the proxy's front connection closes with the profile's key-share timer due and no
        // subflow left to carry the pure ACK it asks for. The stack asked for a poll at once, for
        // ever; the simulator now stops such a node with a SimulationFaultException (which this run
        // would throw), and the share waits for a subflow instead.
        ProxyScenarioResult r = ProxyScenarioRunner.Run(Spec(PrivacyProfile.Privacy, 20_000, 20_000, connections: 1, seed: 7), maxEvents: 5_000_000);

        Assert.True(r.Success, Describe(r));
        Assert.NotEqual(RunOutcome.EventLimit, r.Outcome);
        Assert.True(Assert.Single(r.Relays).Finished, Describe(r));
    }

    [Fact]
    public void MutatedRealPacketsOnEveryInterfaceNeverCrashTheProxy()
    {
        // Real packets of both sides, from a run with another seed (other ports and keys than the run they are thrown at).
        using var userSide = new MemoryStream();
        using var originSide = new MemoryStream();
        Assert.True(ProxyScenarioRunner.Run(Spec(PrivacyProfile.Privacy, 50_000, 50_000, connections: 1, seed: 3), userSide, originSide).Success);
        List<byte[]> packets = [.. Frames(userSide.ToArray()), .. Frames(originSide.ToArray())];
        Assert.NotEmpty(packets);

        const int Seed = 20260;
        var random = new Random(Seed);
        TerminatingProxyNode? proxy = null;
        ProxyScenarioResult r = ProxyScenarioRunner.Run(Spec(PrivacyProfile.Privacy, 200_000, 200_000, connections: 2), configure: n =>
        {
            proxy = n.Proxy;
            n.Topology.Simulator.Schedule(100_000_000, now =>
            {
                for (int i = 0; i < 3000; i++)
                {
                    byte[] packet = Mutate(packets[random.Next(packets.Count)], random);
                    n.Proxy.OnPacket(now, i % 3 == 2 ? 7 : i % 2, packet);
                }

                n.Topology.Simulator.Wake(n.Proxy);
            });
        });

        Assert.True(r.Success, $"seed {Seed}: " + Describe(r));
        Assert.True(proxy!.PacketsOnUnknownInterface > 0);
    }

    private static IEnumerable<byte[]> Frames(byte[] capture)
    {
        var frames = new List<byte[]>();
        using CaptureReader reader = CaptureReader.Open(new MemoryStream(capture));
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            frames.Add(frame.Data.ToArray());
        }

        return frames;
    }

    // Changes one to four bytes past the IP header (or cuts the packet short), then makes the TCP
    // checksum right again half of the time, so the mutation reaches the stacks' parsers.
    private static byte[] Mutate(byte[] original, Random random)
    {
        byte[] packet = (byte[])original.Clone();
        if (random.Next(8) == 0)
        {
            return packet[..random.Next(packet.Length)];
        }

        if (!IpPacket.TryParse(packet, out IpPacket ip, out _))
        {
            return packet;
        }

        int header = packet.Length - ip.Payload.Length;
        for (int n = random.Next(1, 5); n > 0 && packet.Length > header; n--)
        {
            packet[header + random.Next(packet.Length - header)] = (byte)random.Next(256);
        }

        if (random.Next(2) == 0)
        {
            byte[] source = ip.Source.ToArray(), destination = ip.Destination.ToArray();
            TransportChecksum.WriteTransport(IpProtocol.Tcp, source, destination, packet.AsSpan(header));
        }

        return packet;
    }
}
