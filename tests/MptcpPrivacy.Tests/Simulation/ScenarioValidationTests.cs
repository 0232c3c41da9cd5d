using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>What only the whole scenario shows: clashing names, addresses and prefixes, and mobility events that make no sense at their time.</summary>
public class ScenarioValidationTests
{
    private static ScenarioSpec Paths(params string[] paths) => new() { Paths = [.. paths.Select(PathSpec.Parse)] };

    private static void AssertInvalid(ScenarioSpec spec, string location, string detail)
    {
        var error = Assert.Throws<ScenarioFormatException>(spec.Validate);
        Assert.Equal(location, error.Location);
        Assert.Contains(detail, error.Detail);
        Assert.Equal($"{location}: {error.Detail}", error.Message);
    }

    [Fact]
    public void The_defaults_and_the_example_are_valid()
    {
        new ScenarioSpec().Validate();
        Paths("", "", "").Validate();
        Paths("", "", "", "").Validate();
        ScenarioSpec.FromJson(ScenarioFileTests.Example).Validate();
    }

    public static TheoryData<string[], string, string> BadPathSets => new()
    {
        { [], "paths", "a scenario needs at least one path" },
        { [.. Enumerable.Repeat("", 17)], "paths", "17 paths are more than the 16 a scenario may have" },
        { ["name=wifi", "name=WIFI"], "paths[1].name", "\"WIFI\" is also the name of path 1" },
        { ["name=server"], "paths[0].name", "\"server\" names the server's link" },
        { ["", "name=path1"], "paths[1].name", "\"path1\" is also the name of path 1" },
        { ["v4=none,v6=none"], "paths[0]", "path 1 has no address (v4=none and v6=none)" },
        { ["", "", "", "v6=none"], "paths[3]", "path 4 has no default IPv4 address (paths 1 to 3 have one) and v6=none; give v4=ADDRESS/LENGTH" },
        { ["mtu=1279"], "paths[0].mtu", "1279 is below IPv6's minimum MTU of 1280 and path 1 has an IPv6 address" },
        { ["nat,v4=none"], "paths[0].nat", "a NAT needs an IPv4 address on path 1, which has none" },
        { ["nat=198.51.100.2"], "paths[0].nat", "the NAT's public address 198.51.100.2 is the client's own address" },
        { ["", "v4=198.51.100.3/24"], "paths[1]", "198.51.100.0/24 is also path 1's prefix; the router could not tell where to send it" },
        { ["", "v4=198.51.100.2/25"], "paths[1]", "198.51.100.2 is already path 1's address" },
        { ["", "v6=2001:db8:1::9/64"], "paths[1]", "2001:db8:1::/64 is also path 1's prefix" },
        { ["v4=192.0.2.1/32"], "paths[0]", "192.0.2.1 is already the server's address" },
        { ["v4=192.0.2.5/25"], "paths[0]", "192.0.2.0/25 is also the server's prefix" },
        { ["nat", "v4=198.51.100.1/32"], "paths[1]", "198.51.100.1 is already path 1's NAT's address" },
    };

    [Theory]
    [MemberData(nameof(BadPathSets))]
    public void Paths_that_clash_or_cannot_work_are_refused_with_their_place(string[] paths, string location, string detail) =>
        AssertInvalid(Paths(paths), location, detail);

    [Fact]
    public void A_small_MTU_is_fine_on_a_path_without_IPv6()
    {
        Paths("mtu=576,v6=none").Validate();
        Paths("mtu=68,v6=none").Validate();
    }

    public static TheoryData<string[], string, string> BadMobility => new()
    {
        { ["at=1s,path=3,interface=down"], "mobility[0].path", "there is no path 3; the scenario has 2" },
        { ["at=1s,path=2,add=203.0.113.2/24"], "mobility[0].add", "path 2 already has 203.0.113.2 at 1s" },
        { ["at=1s,path=2,add=198.51.100.77/24"], "mobility[0].add", "198.51.100.0/24 is also path 1's prefix" },
        { ["at=1s,path=2,add=198.51.100.2/32"], "mobility[0].add", "198.51.100.2 is already path 1's address" },
        { ["at=1s,path=2,add=192.0.2.2"], "mobility[0].add", "192.0.2.2 is already the server's address" },
        { ["at=1s,path=1,remove=203.0.113.2"], "mobility[0].remove", "path 1 has no address 203.0.113.2 at 1s" },
        { ["at=1s,path=1,remove=198.51.100.2", "at=2s,path=1,remove=198.51.100.2"], "mobility[1].remove", "path 1 has no address 198.51.100.2 at 2s" },

        // Checked in time order, not list order.
        { ["at=5s,path=2,remove=203.0.113.9", "at=6s,path=2,add=203.0.113.9/24"], "mobility[0].remove", "path 2 has no address 203.0.113.9 at 5s" },
    };

    [Theory]
    [MemberData(nameof(BadMobility))]
    public void Mobility_events_that_make_no_sense_at_their_time_are_refused(string[] events, string location, string detail)
    {
        var spec = Paths("", "") with
        {
            Mobility = [.. events.Select(MobilityEvent.Parse)],
            ServerAnnouncedAddresses = [InterfaceAddress.Parse("192.0.2.2")],
        };
        AssertInvalid(spec, location, detail);
    }

    [Fact]
    public void Mobility_events_are_checked_in_time_order_and_an_address_may_come_back()
    {
        var spec = Paths("", "") with
        {
            Mobility =
            [
                MobilityEvent.Parse("at=6s,path=2,remove=203.0.113.9"),
                MobilityEvent.Parse("at=3s,path=2,add=203.0.113.9/24"),
                MobilityEvent.Parse("at=7s,path=2,add=203.0.113.9/24"),
                MobilityEvent.Parse("at=8s,path=1,remove=198.51.100.2"),
                MobilityEvent.Parse("at=9s,path=1,add=198.51.100.2/24"),
                MobilityEvent.Parse("at=9s,path=1,interface=down"),
                MobilityEvent.Parse("at=9s,path=1,interface=down"),
            ],
        };
        spec.Validate();
    }

    [Fact]
    public void Values_out_of_range_in_a_scenario_built_in_code_are_refused_with_the_key()
    {
        var path = new PathSpec();
        AssertInvalid(new ScenarioSpec { Paths = [path with { Loss = new BernoulliLoss(1.5) }] }, "paths[0].loss", "1.5 is not a probability from 0 to 1 (0% to 100%)");
        AssertInvalid(new ScenarioSpec { Paths = [path with { Loss = new GilbertElliottLoss(0.1, double.NaN) }] }, "paths[0].loss", "NaN is not a probability");
        AssertInvalid(new ScenarioSpec { Paths = [path with { ReorderProbability = -0.1 }] }, "paths[0].reorder", "is not a probability");
        AssertInvalid(new ScenarioSpec { Paths = [path with { DuplicateProbability = 2 }] }, "paths[0].dup", "is not a probability");
        AssertInvalid(new ScenarioSpec { Paths = [path with { DelayNs = -1 }] }, "paths[0].delay", "cannot be negative");
        AssertInvalid(new ScenarioSpec { Paths = [path with { RateBitsPerSecond = -1 }] }, "paths[0].rate", "cannot be negative");
        AssertInvalid(new ScenarioSpec { Paths = [path with { JitterNs = -1 }] }, "paths[0].jitter", "cannot be negative");
        AssertInvalid(new ScenarioSpec { Paths = [path with { Mtu = 67 }] }, "paths[0].mtu", "67 is out of range (68 to 65535)");
        AssertInvalid(new ScenarioSpec { Paths = [path with { QueuePackets = -1 }] }, "paths[0].queue", "-1 is out of range");
        AssertInvalid(new ScenarioSpec { Paths = [path with { Name = "a,b" }] }, "paths[0].name", "\"a,b\" is not a name");
        AssertInvalid(new ScenarioSpec { Paths = [path with { LinkChanges = [new(5, false), new(3, true)] }] }, "paths[0].up", "link changes must be in time order, one at a time");
        AssertInvalid(new ScenarioSpec { Paths = [path with { LinkChanges = [new(-5, false)] }] }, "paths[0].down", "cannot be negative");
        AssertInvalid(new ScenarioSpec { Paths = [path with { Ipv4 = PathAddress.Given(InterfaceAddress.Parse("2001:db8:5::1/64")) }] }, "paths[0].v4", "is not an IPv4 address");
        AssertInvalid(new ScenarioSpec { Paths = [path with { Ipv6 = PathAddress.Given(InterfaceAddress.Parse("198.51.100.2/24")) }] }, "paths[0].v6", "is not an IPv6 address");
        AssertInvalid(new ScenarioSpec { Paths = [path with { Nat = true, NatPublicAddress = IpAddressBytes.Parse("2001:db8::5") }] }, "paths[0].nat", "is IPv6; the NAT is IPv4 only");
        AssertInvalid(new ScenarioSpec { ClientToServerBytes = -1 }, "client-to-server", "cannot be negative");
        AssertInvalid(new ScenarioSpec { ServerToClientBytes = -1 }, "server-to-client", "cannot be negative");
        AssertInvalid(new ScenarioSpec { DurationNs = 0 }, "duration", "must be longer than 0");
        AssertInvalid(new ScenarioSpec { ServerAnnouncedAddresses = [default] }, "announce[0]", "has no address");
        AssertInvalid(new ScenarioSpec { ServerAnnouncedAddresses = [InterfaceAddress.Parse("2001:db8::1")] }, "announce[0]", "the server already has 2001:db8::1");
        AssertInvalid(new ScenarioSpec { Mobility = [new MobilityEvent(-1, 1, MobilityAction.InterfaceDown)] }, "mobility[0].at", "cannot be negative");
        AssertInvalid(new ScenarioSpec { Mobility = [new MobilityEvent(1, 1, MobilityAction.AddAddress)] }, "mobility[0].add", "has no address");
    }
}
