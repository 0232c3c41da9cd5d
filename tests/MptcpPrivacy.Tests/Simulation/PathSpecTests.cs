using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>The --path and --mobility text forms: every key, round trips, and errors that name the bad key.</summary>
public class PathSpecTests
{
    [Fact]
    public void The_example_from_the_issue_reads_into_every_field()
    {
        PathSpec path = PathSpec.Parse("rate=100M,rtt=20ms,loss=1%,reorder=0.5%,dup=0.2%,nat,strip=join,down=5s");
        Assert.Equal(100_000_000, path.RateBitsPerSecond);
        Assert.Equal(10_000_000, path.DelayNs);
        Assert.Equal(new BernoulliLoss(0.01), path.Loss);
        Assert.Equal(0.005, path.ReorderProbability);
        Assert.Equal(0.002, path.DuplicateProbability);
        Assert.True(path.Nat);
        Assert.Null(path.NatPublicAddress);
        Assert.Equal(StripMode.Join, path.Strip);
        Assert.Equal([new LinkStateChange(5_000_000_000, Up: false)], path.LinkChanges);
        Assert.Equal("rate=100M,rtt=20ms,loss=1%,reorder=0.5%,dup=0.2%,nat,strip=join,down=5s", path.ToString());
    }

    [Fact]
    public void Every_key_reads()
    {
        PathSpec path = PathSpec.Parse(
            "name=lte, rate=1.5G, delay=7ms, jitter=2ms, loss=ge:1%:10%:0.5%:90%, reorder=1%, reorder-delay=3ms, dup=2%, " +
            "mtu=1400, queue=50, nat=198.51.100.77, strip=all, up=9s, down=4s, v4=198.51.100.9/24, v6=none");
        Assert.Equal("lte", path.Name);
        Assert.Equal(1_500_000_000, path.RateBitsPerSecond);
        Assert.Equal(7_000_000, path.DelayNs);
        Assert.Equal(2_000_000, path.JitterNs);
        Assert.Equal(new GilbertElliottLoss(0.01, 0.1, 0.005, 0.9), path.Loss);
        Assert.Equal(3_000_000, path.ReorderDelayNs);
        Assert.Equal(1400, path.Mtu);
        Assert.Equal(50, path.QueuePackets);
        Assert.Equal(IpAddressBytes.Parse("198.51.100.77"), path.NatPublicAddress);
        Assert.Equal(StripMode.All, path.Strip);

        // Link changes are kept in time order whatever order they were written in.
        Assert.Equal([new LinkStateChange(4_000_000_000, false), new LinkStateChange(9_000_000_000, true)], path.LinkChanges);
        Assert.Equal(PathAddress.Given(InterfaceAddress.Parse("198.51.100.9/24")), path.Ipv4);
        Assert.Equal(PathAddress.None, path.Ipv6);
        Assert.Equal(new PathSpec(), PathSpec.Parse(""));
        Assert.Equal(new PathSpec { Nat = false }, PathSpec.Parse("nat=no"));
        Assert.Equal(PathSpec.Parse("nat"), PathSpec.Parse("NAT=yes"));
        Assert.Null(PathSpec.Parse("loss=0%").Loss);
        Assert.Equal(new GilbertElliottLoss(0.01, 0.1), PathSpec.Parse("loss=ge:1%:10%").Loss);
        Assert.True(PathSpec.Parse("backup").Backup);
        Assert.False(PathSpec.Parse("backup=no").Backup);
    }

    public static TheoryData<string> RoundTrips => new()
    {
        "rate=100M,rtt=20ms",
        "rate=20M,rtt=60ms,announce,backup",
        "name=wifi,rate=unlimited,rtt=0s,jitter=1500us,loss=ge:1%:10%,reorder=0.25%,reorder-delay=2ms,dup=0.1%,mtu=1280,queue=0,nat,strip=syn,down=1s,up=2s,down=3s",
        "rate=10M,rtt=2ns,loss=ge:1%:10%:2%,v4=none,v6=2001:db8:9::5/64",
        "rate=64k,rtt=600ms,loss=ge:1%:10%:0%:50%,nat=203.0.113.200,strip=all,v4=203.0.113.4/24",
        "rate=1234,rtt=2ns,loss=100%",
    };

    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void Writing_a_path_gives_text_that_reads_back_to_an_equal_path(string text)
    {
        PathSpec path = PathSpec.Parse(text);
        Assert.Equal(text, path.ToString());
        Assert.Equal(path, PathSpec.Parse(path.ToString()));
    }

    [Fact]
    public void Random_paths_round_trip_through_their_text()
    {
        var random = new Random(2718);
        for (int i = 0; i < 2_000; i++)
        {
            var path = new PathSpec
            {
                Name = random.Next(3) == 0 ? $"p-{i}" : null,
                RateBitsPerSecond = random.NextInt64(0, 10_000_000_000),
                DelayNs = random.NextInt64(0, 1_000_000_000),
                JitterNs = random.NextInt64(0, 10_000_000),
                Loss = random.Next(3) switch
                {
                    0 => null,
                    1 => new BernoulliLoss(random.Next(2) == 0 ? random.NextDouble() : random.Next(1, 10_001) / 10_000.0 / 100),
                    _ => new GilbertElliottLoss(random.Next(0, 101) / 100.0, random.Next(0, 101) / 100.0, random.Next(0, 11) / 100.0, random.Next(50, 101) / 100.0),
                },
                ReorderProbability = random.NextDouble() * 0.1,
                DuplicateProbability = random.Next(0, 1001) / 100_000.0,
                Mtu = random.Next(PathSpec.MinimumMtu, 65536),
                QueuePackets = random.Next(0, 10_000),
                Nat = random.Next(2) == 0,
                Strip = (StripMode)random.Next(4),
                LinkChanges = [new LinkStateChange(random.NextInt64(0, 1_000_000), false), new LinkStateChange(2_000_000 + random.NextInt64(0, 1_000_000), true)],
                Ipv4 = random.Next(3) switch { 0 => PathAddress.Default, 1 => PathAddress.None, _ => PathAddress.Given(InterfaceAddress.Parse($"198.51.100.{random.Next(1, 255)}/{random.Next(8, 33)}")) },
            };
            Assert.True(path.Equals(PathSpec.Parse(path.ToString())), $"seed 2718 case {i}: {path}");
        }
    }

    [Fact]
    public void The_path_becomes_link_impairments_and_a_stripper_mode()
    {
        PathSpec path = PathSpec.Parse("rate=50M,rtt=30ms,jitter=1ms,loss=2%,reorder=1%,reorder-delay=4ms,dup=0.5%,mtu=1400,queue=25");
        Assert.Equal(
            new LinkConfig
            {
                RateBitsPerSecond = 50_000_000,
                DelayNs = 15_000_000,
                JitterNs = 1_000_000,
                Loss = new BernoulliLoss(0.02),
                ReorderProbability = 0.01,
                ReorderDelayNs = 4_000_000,
                DuplicateProbability = 0.005,
                Mtu = 1400,
                QueuePackets = 25,
            },
            path.ToLinkConfig());
        Assert.Null(path.ToOptionStripMode());
        Assert.Equal(OptionStripMode.AllSegments, PathSpec.Parse("strip=all").ToOptionStripMode());
        Assert.Equal(OptionStripMode.SynOnly, PathSpec.Parse("strip=syn").ToOptionStripMode());
        Assert.Equal(OptionStripMode.MpJoinSynOnly, PathSpec.Parse("strip=JOIN").ToOptionStripMode());
    }

    [Theory]
    [InlineData(1, "198.51.100.2/24", "2001:db8:1::2/64", "198.51.100.1")]
    [InlineData(2, "203.0.113.2/24", "2001:db8:2::2/64", "203.0.113.1")]
    [InlineData(3, "192.0.2.130/25", "2001:db8:3::2/64", "192.0.2.129")]
    [InlineData(4, null, "2001:db8:4::2/64", null)]
    [InlineData(12, null, "2001:db8:c::2/64", null)]
    public void Default_addresses_and_NAT_addresses_follow_the_path_number(int number, string? v4, string v6, string? nat)
    {
        PathSpec path = PathSpec.Parse("nat");
        Assert.Equal(v4, path.ResolveIpv4(number)?.ToString());
        Assert.Equal(v6, path.ResolveIpv6(number)?.ToString());
        Assert.Equal(nat, path.ResolveNatAddress(number)?.ToString());
        Assert.Equal(v4 is null ? 1 : 2, path.ResolveAddresses(number).Count);
        Assert.Null(new PathSpec().ResolveNatAddress(number));
        Assert.Equal($"path{number}", path.ResolveName(number));
    }

    public static TheoryData<string, string> BadPaths => new()
    {
        { "rate=100M,lss=1%", "path \"rate=100M,lss=1%\": unknown key \"lss\" (did you mean \"loss\"?); known: name, rate, rtt, delay" },
        { "Rtt=20ms,ratee=5M", "unknown key \"ratee\" (did you mean \"rate\"?)" },
        { "bandwidth=5M", "unknown key \"bandwidth\"; known:" },
        { "rate=fast", "path \"rate=fast\": rate: \"fast\" is not a rate in bit/s" },
        { "rtt=20", "rtt: \"20\" needs a unit: ns, us, ms or s (as in 20ms)" },
        { "rtt=3ns", "rtt: \"3ns\" is an odd number of nanoseconds" },
        { "rtt=20ms,delay=10ms", "delay: give rtt or delay, not both" },
        { "delay=10ms,rtt=20ms", "rtt: give rtt or delay, not both" },
        { "loss=1", "loss: \"1\" needs a % sign" },
        { "loss=150%", "loss: \"150%\" is more than 100%" },
        { "loss=ge:1%", "loss: \"ge:1%\" is not a Gilbert-Elliott loss: write ge:P:R" },
        { "loss=ge:1%:10%:1%:1%:1%", "is not a Gilbert-Elliott loss" },
        { "loss=ge:1%:x", "loss: \"x\" is not a percentage" },
        { "reorder=2", "reorder: \"2\" needs a % sign" },
        { "dup=-1%", "dup: \"-1%\" is not a percentage" },
        { "mtu=67", "mtu: 67 is out of range (68 to 65535)" },
        { "mtu=1500.5", "mtu: \"1500.5\" is not a whole number" },
        { "queue=-1", "queue: -1 is out of range (0 to 1000000)" },
        { "jitter=x", "jitter: \"x\" is not a duration" },
        { "reorder-delay=1", "reorder-delay: \"1\" needs a unit" },
        { "nat=maybe", "nat: \"maybe\" is not an IPv4 address (four dotted decimals) or an IPv6 address; nat takes yes, no, or the NAT's public IPv4 address" },
        { "nat=2001:db8::9", "nat: \"2001:db8::9\" is IPv6; the NAT is IPv4 only (NAT44)" },
        { "strip=some", "strip: \"some\" is not a strip mode: none, all, syn or join" },
        { "down=5s,up=5s", "up: the link cannot go down and up at the same time (5s)" },
        { "down=5s,down=5000ms", "down: down at 5s is given twice" },
        { "v4=2001:db8::1/64", "v4: \"2001:db8::1/64\" is not an IPv4 address" },
        { "v6=198.51.100.2/24", "v6: \"198.51.100.2/24\" is not an IPv6 address" },
        { "v4=198.51.100.2/33", "v4: \"198.51.100.2/33\" has a bad prefix length" },
        { "name=a b", "name: \"a b\" is not a name: use 1 to 32 letters" },
        { "name=", "name: \"\" is not a name" },
        { "rate", "rate: needs a value (only nat, announce and backup may stand alone)" },
        { "loss=1%,loss=2%", "loss: given twice" },
        { "rate=1M,,rtt=2ms", "item 2 is empty (two commas in a row?)" },
        { "rate=1M,", "ends with a comma" },
        { "=5", "\"=5\" has no key before the =" },
    };

    [Theory]
    [MemberData(nameof(BadPaths))]
    public void Bad_path_text_names_the_key_and_what_is_wrong(string text, string expected)
    {
        var error = Assert.Throws<ScenarioFormatException>(() => PathSpec.Parse(text));
        Assert.Contains(expected, error.Message);
        Assert.Equal($"path \"{text}\"", error.Location);
        Assert.StartsWith($"path \"{text}\": ", error.Message);
    }

    [Theory]
    [InlineData("at=3s,path=2,add=203.0.113.9/24", 3_000_000_000L, 2, MobilityAction.AddAddress, "203.0.113.9/24")]
    [InlineData("path=1, at=6s, remove=198.51.100.2", 6_000_000_000L, 1, MobilityAction.RemoveAddress, "198.51.100.2/32")]
    [InlineData("at=6s,path=1,remove=198.51.100.2/24", 6_000_000_000L, 1, MobilityAction.RemoveAddress, "198.51.100.2/32")]
    [InlineData("at=7s,path=16,interface=down", 7_000_000_000L, 16, MobilityAction.InterfaceDown, null)]
    [InlineData("AT=8s,path=3,interface=UP", 8_000_000_000L, 3, MobilityAction.InterfaceUp, null)]
    [InlineData("at=0,path=2,add=2001:db8:2::99/64", 0L, 2, MobilityAction.AddAddress, "2001:db8:2::99/64")]
    public void Mobility_events_read_and_write_back(string text, long at, int path, MobilityAction action, string? address)
    {
        MobilityEvent e = MobilityEvent.Parse(text);
        Assert.Equal((at, path, action), (e.AtNs, e.PathNumber, e.Action));
        if (address is not null)
        {
            Assert.Equal(address, e.Address.ToString());
        }

        Assert.Equal(e, MobilityEvent.Parse(e.ToString()));
    }

    [Theory]
    [InlineData("path=2,add=203.0.113.9/24", "needs at= (when it happens, as in at=3s)")]
    [InlineData("at=3s,add=203.0.113.9/24", "needs path= (the path number, from 1)")]
    [InlineData("at=3s,path=2", "needs one of add=ADDRESS, remove=ADDRESS, interface=down or interface=up")]
    [InlineData("at=3s,path=2,add=203.0.113.9,remove=203.0.113.2", "remove: an event does one thing: give one of add, remove or interface")]
    [InlineData("at=3s,path=0,interface=down", "path: 0 is out of range (1 to 16)")]
    [InlineData("at=3s,path=17,interface=down", "path: 17 is out of range (1 to 16)")]
    [InlineData("at=3s,path=1,interface=sideways", "interface: \"sideways\" is not an interface state: up or down")]
    [InlineData("at=3s,path=1,add=203.0.113", "add: \"203.0.113\" is not an IPv4 address")]
    [InlineData("at=3s,path=1,add", "add: needs a value")]
    [InlineData("at=3s,at=4s,path=1,interface=up", "at: given twice")]
    [InlineData("when=3s,path=1,interface=up", "unknown key \"when\"; known: at, path, add, remove, interface")]
    [InlineData("at=3s,path=1,remvoe=203.0.113.9", "unknown key \"remvoe\" (did you mean \"remove\"?)")]
    public void Bad_mobility_text_says_what_is_wrong(string text, string expected)
    {
        var error = Assert.Throws<ScenarioFormatException>(() => MobilityEvent.Parse(text));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith($"mobility event \"{text}\": ", error.Message);
    }
}
