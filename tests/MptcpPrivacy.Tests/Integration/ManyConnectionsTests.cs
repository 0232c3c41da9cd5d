using System.Security.Cryptography;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Cli.Simulate;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Packets;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Integration;

/// <summary>
/// Issue 6 point 3 on the simulator: the default scenario's client joins and announces an address,
/// many concurrent connections over the same paths each arrive byte-exact in each privacy mode,
/// also while a path goes down and back up or the client's address changes, and the same seed
/// gives the same capture.
/// </summary>
public class ManyConnectionsTests
{
    private static readonly IpAddressBytes Path1Address = InterfaceAddress.Parse("198.51.100.2/24").Address;
    private static readonly IpAddressBytes Path2Address = InterfaceAddress.Parse("203.0.113.2/24").Address;

    private static ScenarioSpec Many(PrivacyProfile profile, string path2, params string[] mobility) => new()
    {
        Paths = [PathSpec.Parse("rate=100M,rtt=20ms"), PathSpec.Parse(path2)],
        Mobility = [.. mobility.Select(MobilityEvent.Parse)],
        ClientToServerBytes = 200_000,
        ServerToClientBytes = 200_000,
        Connections = 20,
        Profile = profile,
        DurationNs = 60_000_000_000,
    };

    private static string Describe(ScenarioResult r) =>
        $"seed {r.Seed}, {r.DurationSeconds:F2} s ({r.Outcome}):\n"
        + string.Join("\n", r.Connections.Select(c => $"  #{c.Number} {c.ClientMode}/{c.ServerMode} {c.SubflowsOpened} opened {c.SubflowsEstablished} established "
            + $"up {c.Upload.BytesDelivered}/{c.Upload.BytesSent} down {c.Download.BytesDelivered}/{c.Download.BytesSent} fallback {c.Fallback}"));

    /// <summary>Every connection ran <paramref name="profile"/>'s mode at both ends and arrived whole, each with its own content.</summary>
    private static void AssertEveryConnectionByteExact(ScenarioResult r, PrivacyProfile profile)
    {
        PrivacyMode mode = ScenarioRunner.ModeOf(profile);
        Assert.True(r.Success, Describe(r));
        Assert.Equal(20, r.Connections.Count);
        Assert.All(r.Connections, c =>
        {
            Assert.True(c.Success, Describe(r));
            Assert.Equal(c.Upload.SentSha256, c.Upload.DeliveredSha256);
            Assert.Equal(c.Download.SentSha256, c.Download.DeliveredSha256);
            Assert.Equal(200_000, c.Upload.BytesDelivered);
            Assert.Equal(200_000, c.Download.BytesDelivered);
            Assert.Equal(mode, c.ClientMode);
            Assert.Equal(mode, c.ServerMode);
            Assert.Null(c.Fallback);
        });
        Assert.Equal(20, r.Connections.Select(c => c.Upload.SentSha256).Distinct().Count());
        Assert.Equal(r.Connections[0].Upload, r.Upload);
        Assert.Equal(r.Connections[0].SubflowsOpened, r.SubflowsOpened);
    }

    /// <summary>The MPTCP options the client sent from its IPv4 addresses: (source, subtype, SYN flag, the option read when it parses).</summary>
    private static List<(IpAddressBytes Source, MptcpSubtype Subtype, bool Syn, MptcpOption? Option)> ClientOptions(string capture)
    {
        var found = new List<(IpAddressBytes, MptcpSubtype, bool, MptcpOption?)>();
        using CaptureReader reader = CaptureReader.Open(capture);
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (TcpPacket.TryDecode(frame.LinkType, frame.Data, out TcpPacket packet, out _, out _) != PacketDecodeResult.Tcp)
            {
                continue;
            }

            IpAddressBytes source = IpAddressBytes.FromSpan(packet.Ip.Source);
            if (source != Path1Address && source != Path2Address)
            {
                continue;
            }

            bool syn = (packet.Tcp.Flags & TcpFlags.Syn) != 0;
            foreach (TcpOption option in packet.Tcp.ReadOptions())
            {
                if (option.Kind == TcpOptionKind.Mptcp && option.Bytes.Length >= 3)
                {
                    bool parsed = MptcpOption.TryParse(option.Bytes, out MptcpOption value, out _);
                    found.Add((source, (MptcpSubtype)(option.Bytes[2] >> 4), syn, parsed ? value : null));
                }
            }
        }

        Assert.Null(reader.Error);
        return found;
    }

    private static ScenarioResult RunDefault(PrivacyProfile profile, string capture)
    {
        using var stream = new FileStream(capture, FileMode.Create, FileAccess.Write);
        return ScenarioRunner.Run(SimulateScenario.Default with { Profile = profile }, stream);
    }

    [Fact]
    public void InStandardModeTheDefaultScenariosClientJoinsAndAnnouncesItsSecondAddress()
    {
        using var dir = new TempDirectory();
        ScenarioResult r = RunDefault(PrivacyProfile.Standard, dir.File("standard.pcapng"));
        Assert.True(r.Success, Describe(r));
        var options = ClientOptions(dir.File("standard.pcapng"));

        // RFC 8684 §3.2: the join's SYN from path 2; §3.4.1: the ADD_ADDR (not an echo) of that address, in clear.
        Assert.Contains(options, o => o.Source == Path2Address && o.Subtype == MptcpSubtype.MpJoin && o.Syn);
        Assert.Contains(options, o => o.Option is { } a && a.Subtype == MptcpSubtype.AddAddr && !a.AddAddr.Echo && a.AddAddr.Address == Path2Address);
    }

    [Theory]
    [InlineData(PrivacyProfile.Draft)]
    [InlineData(PrivacyProfile.Privacy)]
    public void InThePrivacyModesTheDefaultScenarioCompletesAndNoClientAddAddrShowsItsAddress(PrivacyProfile profile)
    {
        using var dir = new TempDirectory();
        ScenarioResult r = RunDefault(profile, dir.File("run.pcapng"));
        Assert.True(r.Success, Describe(r));
        Assert.Equal(ScenarioRunner.ModeOf(profile), Assert.Single(r.Connections).ClientMode);
        Assert.Equal(2, r.SubflowsEstablished);
        var options = ClientOptions(dir.File("run.pcapng"));
        Assert.Contains(options, o => o.Source == Path2Address && o.Syn);
        Assert.DoesNotContain(options, o => o.Option is { } a && a.Subtype == MptcpSubtype.AddAddr && a.AddAddr.Address == Path2Address);
    }

    [Theory]
    [InlineData(PrivacyProfile.Standard)]
    [InlineData(PrivacyProfile.Draft)]
    [InlineData(PrivacyProfile.Privacy)]
    public void TwentyConnectionsArriveByteExactWhileAPathGoesDownAndComesBack(PrivacyProfile profile)
    {
        ScenarioResult r = ScenarioRunner.Run(Many(profile, "rate=50M,rtt=40ms,announce,down=300ms,up=600ms"));
        AssertEveryConnectionByteExact(r, profile);
        Assert.True(r.Links.Single(l => l.Link == "path2" && l.Direction == "client->router").Statistics.DroppedLinkDown > 0, Describe(r));
    }

    [Theory]
    [InlineData(PrivacyProfile.Standard)]
    [InlineData(PrivacyProfile.Draft)]
    [InlineData(PrivacyProfile.Privacy)]
    public void TwentyConnectionsArriveByteExactWhileTheClientsAddressChanges(PrivacyProfile profile)
    {
        ScenarioResult r = ScenarioRunner.Run(Many(profile, "rate=50M,rtt=40ms,announce", "at=200ms,path=2,add=203.0.113.9/24", "at=300ms,path=2,remove=203.0.113.2"));
        AssertEveryConnectionByteExact(r, profile);
    }

    [Theory]
    [InlineData(PrivacyProfile.Standard)]
    [InlineData(PrivacyProfile.Privacy)]
    public void TheSameSeedGivesTheSameCaptureWithManyConnectionsAndAnotherSeedAnother(PrivacyProfile profile)
    {
        byte[] Capture(int seed)
        {
            using var stream = new MemoryStream();
            ScenarioSpec spec = Many(profile, "rate=50M,rtt=40ms,announce,loss=1%,down=300ms,up=600ms") with { Connections = 5, Seed = seed };
            ScenarioResult r = ScenarioRunner.Run(spec, stream);
            Assert.True(r.Success, Describe(r));
            return stream.ToArray();
        }

        byte[] first = Capture(4);
        Assert.True(first.Length > 100_000, $"{first.Length} bytes");
        Assert.Equal(SHA256.HashData(first), SHA256.HashData(Capture(4)));
        Assert.NotEqual(SHA256.HashData(first), SHA256.HashData(Capture(5)));
    }
}
