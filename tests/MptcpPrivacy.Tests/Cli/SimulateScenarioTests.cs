using MptcpPrivacy.Cli.Simulate;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;

namespace MptcpPrivacy.Tests.Cli;

/// <summary>
/// How <c>simulate</c> builds its scenario: the default, options over it, options over a file
/// (one-value options replace, <c>--path</c> replaces the list, <c>--mobility</c> and
/// <c>--announce</c> add), and errors that name the option or the file entry.
/// </summary>
public class SimulateScenarioTests
{
    private const string File = """
        {
          "description": "from a file",
          "seed": 7,
          "duration": "30s",
          "client-to-server": "1M",
          "paths": [ "rate=10M,rtt=100ms", "rate=20M,rtt=60ms" ],
          "mobility": [ "at=1s,path=2,interface=down" ],
          "announce": [ "192.0.2.2" ]
        }
        """;

    [Fact]
    public void NoFileAndNoOptionsIsTheTwoPathDefault()
    {
        ScenarioSpec spec = SimulateScenario.Build(new SimulateRequest(), fileText: null);
        Assert.Equal(SimulateScenario.Default, spec);
        Assert.Equal(["rate=100M,rtt=20ms", "rate=50M,rtt=40ms,announce"], spec.Paths.Select(p => p.ToString()));
        Assert.Equal(2_000_000, spec.ClientToServerBytes);
        Assert.Equal(4_000_000, spec.ServerToClientBytes);
    }

    [Fact]
    public void OptionsGiveTheScenarioTheScenarioReaderGives()
    {
        var request = new SimulateRequest
        {
            Paths = ["rate=100M,rtt=20ms,loss=1%,nat,strip=join,down=5s", "name=lte,rate=20M,rtt=60ms"],
            Mobility = ["at=3s,path=2,add=203.0.113.9/24"],
            Announce = ["192.0.2.2"],
            Up = "10MiB",
            Down = "1M",
            Seed = "42",
            Duration = "30s",
        };

        ScenarioSpec expected = ScenarioSpec.FromArguments(
        [
            "--path", "rate=100M,rtt=20ms,loss=1%,nat,strip=join,down=5s", "--path", "name=lte,rate=20M,rtt=60ms",
            "--mobility", "at=3s,path=2,add=203.0.113.9/24", "--announce", "192.0.2.2",
            "--client-to-server", "10MiB", "--server-to-client", "1M", "--seed", "42", "--duration", "30s",
        ]);
        Assert.Equal(expected with { Description = "default, changed by options" }, SimulateScenario.Build(request, fileText: null));
    }

    [Fact]
    public void OnlySeedAndDurationKeepTheDefaultsDescription()
    {
        ScenarioSpec spec = SimulateScenario.Build(new SimulateRequest { Seed = "9", Duration = "5s" }, fileText: null);
        Assert.Equal(SimulateScenario.Default with { Seed = 9, DurationNs = 5_000_000_000 }, spec);
    }

    [Fact]
    public void OptionsOverAFileReplaceValuesAndPathsAndAddEvents()
    {
        var request = new SimulateRequest
        {
            ScenarioFile = "s.json",
            Paths = ["rate=5M,rtt=10ms", "rate=6M,rtt=12ms", "rate=7M,rtt=14ms"],
            Mobility = ["at=2s,path=3,interface=down"],
            Announce = ["192.0.2.3"],
            Down = "64KiB",
        };

        ScenarioSpec spec = SimulateScenario.Build(request, File);
        Assert.Equal("from a file", spec.Description);
        Assert.Equal(7, spec.Seed);
        Assert.Equal(30_000_000_000, spec.DurationNs);
        Assert.Equal(1_000_000, spec.ClientToServerBytes);
        Assert.Equal(65_536, spec.ServerToClientBytes);
        Assert.Equal(["rate=5M,rtt=10ms", "rate=6M,rtt=12ms", "rate=7M,rtt=14ms"], spec.Paths.Select(p => p.ToString()));
        Assert.Equal(["at=1s,path=2,interface=down", "at=2s,path=3,interface=down"], spec.Mobility.Select(m => m.ToString()));
        Assert.Equal(["192.0.2.2/32", "192.0.2.3/32"], spec.ServerAnnouncedAddresses.Select(a => a.ToString()));
    }

    [Fact]
    public void WithoutPathOptionsTheFilesPathsStay()
    {
        ScenarioSpec spec = SimulateScenario.Build(new SimulateRequest { ScenarioFile = "s.json", Seed = "3" }, File);
        Assert.Equal(ScenarioSpec.FromJson(File) with { Seed = 3 }, spec);
    }

    [Theory]
    [InlineData("--path #2 \"rate=1M,lss=1%\": unknown key \"lss\" (did you mean \"loss\"?)", "rate=1M,rtt=20ms", "rate=1M,lss=1%")]
    [InlineData("--path #1 \"mtu=1000\": mtu: 1000 is below IPv6's minimum MTU", "mtu=1000")]
    public void ABadPathNamesTheOptionAndTheProblem(string message, params string[] paths)
    {
        var e = Assert.Throws<ScenarioFormatException>(() => SimulateScenario.Build(new SimulateRequest { Paths = paths }, fileText: null));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--up", "--up: ")]
    [InlineData("--down", "--down: ")]
    [InlineData("--seed", "--seed: ")]
    [InlineData("--duration", "--duration: ")]
    public void ABadValueNamesItsOption(string option, string prefix)
    {
        SimulateRequest request = option switch
        {
            "--up" => new() { Up = "lots" },
            "--down" => new() { Down = "-1" },
            "--seed" => new() { Seed = "x" },
            _ => new() { Duration = "5 parsecs" },
        };
        var e = Assert.Throws<ScenarioFormatException>(() => SimulateScenario.Build(request, fileText: null));
        Assert.StartsWith(prefix, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AZeroDurationNamesTheOption()
    {
        var e = Assert.Throws<ScenarioFormatException>(() => SimulateScenario.Build(new SimulateRequest { Duration = "0" }, fileText: null));
        Assert.Equal("--duration: must be longer than 0", e.Message);
    }

    [Fact]
    public void AnAnnouncedAddressOnAPathsPrefixNamesTheOption()
    {
        var e = Assert.Throws<ScenarioFormatException>(() => SimulateScenario.Build(new SimulateRequest { Announce = ["192.0.2.9", "198.51.100.9/24"] }, fileText: null));
        Assert.StartsWith("--announce #2 \"198.51.100.9/24\": 198.51.100.0/24 is also path 1's prefix", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMobilityOptionForAMissingPathNamesTheOption()
    {
        var e = Assert.Throws<ScenarioFormatException>(() => SimulateScenario.Build(new SimulateRequest { Mobility = ["at=1s,path=3,interface=down"] }, fileText: null));
        Assert.Equal("--mobility #1 \"at=1s,path=3,interface=down\": path: there is no path 3; the scenario has 2", e.Message);
    }

    [Fact]
    public void AFileEntryThatNoLongerFitsThePathOptionsNamesTheFileEntry()
    {
        var e = Assert.Throws<ScenarioFormatException>(() => SimulateScenario.Build(new SimulateRequest { ScenarioFile = "s.json", Paths = ["rate=1M"] }, File));
        Assert.Equal("s.json: $.mobility[0].path: there is no path 2; the scenario has 1 (--path replaced the scenario's paths)", e.Message);
    }

    [Fact]
    public void ABadFileNamesLineColumnAndKey()
    {
        var e = Assert.Throws<ScenarioFormatException>(() => SimulateScenario.Build(new SimulateRequest { ScenarioFile = "bad.json" }, "{\n  \"paths\": [ { \"loss\": \"abc\" } ]\n}"));
        Assert.StartsWith("bad.json:2:", e.Message, StringComparison.Ordinal);
        Assert.Contains("$.paths[0].loss: \"abc\" is not a percentage", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultIsAValidScenarioWithTwoIpv4Paths()
    {
        SimulateScenario.Default.Validate();
        Assert.All(SimulateScenario.Default.Paths.Select((p, i) => p.ResolveIpv4(i + 1)), a => Assert.True(a is InterfaceAddress { Address.IsV4: true }));
    }
}
