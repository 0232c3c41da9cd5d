using System.Security.Cryptography;
using System.Text.Json;
using MptcpPrivacy.Cli.Simulate;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Cli;

/// <summary><c>simulate</c> end to end: the JSON document docs/simulate-json.md promises, the text summary, exit codes, captures.</summary>
public class SimulateCommandTests
{
    private static string[] Kinds(JsonElement json, string host) =>
        [.. json.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("host").GetString() == host).Select(e => e.GetProperty("kind").GetString()!)];

    [Fact]
    public void TheDefaultScenarioJoinsASecondSubflowAndDeliversBothWaysByteExact()
    {
        SimulateRunner.Result run = SimulateRunner.Run(new SimulateRequest { Json = true });
        Assert.True(run.ExitCode == SimulateCommand.ExitOk, run.ToString());
        JsonElement json = run.Json;
        Assert.True(json.GetProperty("success").GetBoolean());
        Assert.Equal("done", json.GetProperty("end").GetString());
        Assert.Equal(1, json.GetProperty("seed").GetInt32());
        Assert.Equal(2, json.GetProperty("scenario").GetProperty("paths").GetArrayLength());

        foreach ((string direction, long bytes) in new[] { ("upload", 2_000_000L), ("download", 4_000_000L) })
        {
            JsonElement d = json.GetProperty(direction);
            Assert.Equal(bytes, d.GetProperty("bytesToSend").GetInt64());
            Assert.Equal(bytes, d.GetProperty("bytesDelivered").GetInt64());
            string sent = d.GetProperty("sentSha256").GetString()!;
            Assert.Matches("^[0-9a-f]{64}$", sent);
            Assert.Equal(sent, d.GetProperty("deliveredSha256").GetString());
            Assert.True(d.GetProperty("sha256Match").GetBoolean());
            Assert.True(d.GetProperty("goodputBitsPerSecond").GetDouble() > 1e6, direction);
        }

        Assert.NotEqual(json.GetProperty("upload").GetProperty("sentSha256").GetString(), json.GetProperty("download").GetProperty("sentSha256").GetString());
        JsonElement subflows = json.GetProperty("subflows");
        Assert.Equal(2, subflows.GetProperty("opened").GetInt32());
        Assert.Equal(2, subflows.GetProperty("established").GetInt32());
        Assert.Equal(2, subflows.GetProperty("closed").GetInt32());
        Assert.Equal(["198.51.100.2", "203.0.113.2"], subflows.GetProperty("client").EnumerateArray().Select(s => s.GetProperty("local").GetString()));
        Assert.All(subflows.GetProperty("client").EnumerateArray(), s => Assert.True(s.GetProperty("bytesSent").GetInt64() > 0));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("fallback").ValueKind);
        Assert.Equal(2, Kinds(json, "client").Count(k => k == "subflow-established"));
        Assert.Equal("closed", Kinds(json, "client")[^1]);

        JsonElement[] links = [.. json.GetProperty("links").EnumerateArray()];
        Assert.Equal(["path1", "path1", "path2", "path2", "server", "server"], links.Select(l => l.GetProperty("link").GetString()));
        Assert.Equal("client", links[0].GetProperty("from").GetString());
        Assert.Equal("router", links[0].GetProperty("to").GetString());
        Assert.All(links, l => Assert.True(l.GetProperty("delivered").GetInt64() > 0));
        Assert.True(json.GetProperty("simulatorEvents").GetInt64() > 0);
    }

    [Fact]
    public void TheTextSummaryHasEverySectionAndTheVerdict()
    {
        SimulateRunner.Result run = SimulateRunner.Run(SimulateRunner.Small);
        Assert.True(run.ExitCode == SimulateCommand.ExitOk, run.ToString());
        foreach (string expected in new[] { "Paths", "Transfer", "Subflows  2 opened, 2 established", "no fallback", "Client events", "subflow-established", "Links (packets)", "ended: done", "Result    OK" })
        {
            Assert.Contains(expected, run.Output, StringComparison.Ordinal);
        }

        Assert.Equal(2, run.Output.Split('\n').Count(line => line.Contains("  match ", StringComparison.Ordinal)));

        // Every table's rows are as wide as its rule (or narrower, for trimmed trailing cells), so the columns line up.
        string[] lines = run.Output.Split('\n');
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("--", StringComparison.Ordinal))
            {
                int[] columns = [.. lines[i].Select((c, x) => (c, x)).Where(p => p.c == ' ' && p.x > 2 && lines[i][p.x - 1] == '-').Select(p => p.x)];
                Assert.All(columns, x => Assert.True(lines[i - 1].Length <= x || lines[i - 1][x] == ' ', $"header not aligned at {x}: {lines[i - 1]}"));
            }
        }
    }

    [Fact]
    public void AStripperOfAllOptionsIsReportedAsAFallback()
    {
        SimulateRequest request = SimulateRunner.Small with { Paths = ["rate=50M,rtt=20ms,strip=all", "rate=50M,rtt=40ms"], Json = true };
        SimulateRunner.Result run = SimulateRunner.Run(request);
        Assert.True(run.ExitCode == SimulateCommand.ExitOk, run.ToString());
        JsonElement json = run.Json;
        Assert.Contains("MP_CAPABLE", json.GetProperty("fallback").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, json.GetProperty("subflows").GetProperty("opened").GetInt32());
        Assert.Contains("fell-back", Kinds(json, "client"));
        Assert.Contains("FELL BACK to TCP", SimulateRunner.Run(request with { Json = false }).Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AnIncompleteTransferIsExitOneAndSaysWhy()
    {
        SimulateRunner.Result run = SimulateRunner.Run(new SimulateRequest { Duration = "100ms", Json = true });
        Assert.Equal(SimulateCommand.ExitIncomplete, run.ExitCode);
        JsonElement json = run.Json;
        Assert.False(json.GetProperty("success").GetBoolean());
        Assert.Equal("time-limit", json.GetProperty("end").GetString());
        Assert.False(json.GetProperty("upload").GetProperty("complete").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("download").GetProperty("deliveredSha256").ValueKind);
        Assert.Contains("up: ", run.Errors, StringComparison.Ordinal);
        Assert.Contains("of 2,000,000 bytes arrived", run.Errors, StringComparison.Ordinal);
        Assert.Contains("Result    FAILED", SimulateRunner.Run(new SimulateRequest { Duration = "100ms" }).Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadPathSpecIsExitTwoNamingTheOptionAndTheKey()
    {
        SimulateRunner.Result run = SimulateRunner.Run(new SimulateRequest { Paths = ["rate=100M,rtt=20ms", "rate=1M,lss=1%"] });
        Assert.Equal(SimulateCommand.ExitBadInput, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.StartsWith("simulate: --path #2 \"rate=1M,lss=1%\": unknown key \"lss\" (did you mean \"loss\"?)", run.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"paths\": [ { \"rate\": \"abc\" } ] }", ".json:1:", "$.paths[0].rate: \"abc\" is not a rate")]
    [InlineData("{\n  \"pahts\": []\n}", ".json:2:", "unknown top-level key \"pahts\" (did you mean \"paths\"?)")]
    [InlineData("{ \"seed\": 1 ", ".json:1:", "not valid JSON")]
    [InlineData("", ".json:", "")]
    [InlineData("{ \"profile\": \"secret\" }", ".json:1:", "$.profile: \"secret\" is not a privacy profile: standard, draft or privacy")]
    [InlineData("{ \"profile\": 2 }", ".json:1:", "$.profile: expected a string (\"standard\", \"draft\" or \"privacy\"), not the number 2")]
    [InlineData("{ \"connections\": 0 }", ".json:1:", "$.connections: 0 is out of range (1 to 1000)")]
    [InlineData("{ \"connections\": \"x\" }", ".json:1:", "$.connections: \"x\" is not a whole number")]
    [InlineData("{ \"paths\": [ { \"announce\": \"often\" } ] }", ".json:1:", "$.paths[0].announce: \"often\" is not a value for announce: give it bare, or yes or no")]
    public void ABadScenarioFileIsExitTwoNamingWhereAndWhat(string text, string where, string what)
    {
        using var dir = new TempDirectory();
        string file = dir.Write("scenario.json", System.Text.Encoding.UTF8.GetBytes(text));
        SimulateRunner.Result run = SimulateRunner.Run(new SimulateRequest { ScenarioFile = file });
        Assert.Equal(SimulateCommand.ExitBadInput, run.ExitCode);
        Assert.StartsWith($"simulate: {file}", run.Errors, StringComparison.Ordinal);
        Assert.Contains(where, run.Errors, StringComparison.Ordinal);
        Assert.Contains(what, run.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingScenarioFileIsExitTwo()
    {
        SimulateRunner.Result run = SimulateRunner.Run(new SimulateRequest { ScenarioFile = "/nonexistent/scenario.json" });
        Assert.Equal(SimulateCommand.ExitBadInput, run.ExitCode);
        Assert.Equal("simulate: cannot read the scenario /nonexistent/scenario.json: no such file or directory\n", run.Errors.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ACaptureThatCannotBeWrittenIsExitTwo()
    {
        SimulateRunner.Result run = SimulateRunner.Run(SimulateRunner.Small with { PcapFile = "/nonexistent/dir/out.pcapng" });
        Assert.Equal(SimulateCommand.ExitBadInput, run.ExitCode);
        Assert.StartsWith("simulate: cannot write the capture /nonexistent/dir/out.pcapng", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSameSeedGivesTheSameCaptureAndAnotherSeedAnother()
    {
        using var dir = new TempDirectory();
        byte[] Capture(string name, string seed)
        {
            SimulateRunner.Result run = SimulateRunner.Run(SimulateRunner.Small with { Paths = ["rate=50M,rtt=20ms,loss=1%", "rate=20M,rtt=40ms,reorder=1%"], Seed = seed, PcapFile = dir.File(name) });
            Assert.True(run.ExitCode == SimulateCommand.ExitOk, run.ToString());
            return File.ReadAllBytes(dir.File(name));
        }

        byte[] first = Capture("a.pcapng", "5");
        byte[] second = Capture("b.pcapng", "5");
        byte[] other = Capture("c.pcapng", "6");
        Assert.True(first.Length > 100_000, $"{first.Length} bytes");
        Assert.Equal(SHA256.HashData(first), SHA256.HashData(second));
        Assert.NotEqual(SHA256.HashData(first), SHA256.HashData(other));
    }

    [Fact]
    public void TheJsonRecordsTheScenarioAsPlayed()
    {
        using var dir = new TempDirectory();
        SimulateRequest request = SimulateRunner.Small with
        {
            Paths = ["rate=50M,rtt=20ms", "rate=20M,rtt=40ms,nat"],
            Announce = ["192.0.2.2"],
            Seed = "3",
            Checksums = true,
            PcapFile = dir.File("s.pcapng"),
            Json = true,
        };
        SimulateRunner.Result run = SimulateRunner.Run(request);
        Assert.True(run.ExitCode == SimulateCommand.ExitOk, run.ToString());
        JsonElement json = run.Json;
        JsonElement scenario = json.GetProperty("scenario");
        Assert.Equal(3, json.GetProperty("seed").GetInt32());
        Assert.Equal(dir.File("s.pcapng"), json.GetProperty("pcap").GetString());
        Assert.True(scenario.GetProperty("checksums").GetBoolean());
        Assert.Equal(300_000, scenario.GetProperty("upBytes").GetInt64());
        Assert.Equal(["192.0.2.2/32"], scenario.GetProperty("announce").EnumerateArray().Select(a => a.GetString()));
        JsonElement path2 = scenario.GetProperty("paths")[1];
        Assert.Equal("rate=20M,rtt=40ms,nat", path2.GetProperty("spec").GetString());
        Assert.Equal("203.0.113.1", path2.GetProperty("nat").GetString());
        Assert.Contains(json.GetProperty("subflows").GetProperty("server").EnumerateArray(), s => s.GetProperty("remote").GetString() == "203.0.113.1");
        Assert.Contains(json.GetProperty("events").EnumerateArray(), e => e.GetProperty("host").GetString() == "client"
            && e.GetProperty("kind").GetString() == "address-announced" && e.GetProperty("address").GetString() == "192.0.2.2");
        Assert.Equal(0, json.GetProperty("counters").GetProperty("server").GetProperty("checksumFailures").GetInt64());
        Assert.Equal(
            ["joinHmacFailures", "joinsRefusedByPath", "joinsOverLimit", "addAddrHmacFailures", "addAddrOverLimit", "dataAcksOutOfWindow", "mappingsOutOfWindow",
             "fastCloseWrongKey", "checksumFailures", "bytesReinjected", "dataLevelRetransmissions", "profileRefused", "profileKeyMismatches", "profileBadKeyShares", "firstMessageSplitFailures"],
            json.GetProperty("counters").GetProperty("client").EnumerateObject().Select(p => p.Name));
        decimal[] times = [.. json.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("time").GetDecimal())];
        Assert.Equal(times.Order(), times);
    }

    [Theory]
    [InlineData("--seed")]
    [InlineData("a.json", "b.json")]
    [InlineData("--no-such-option")]
    [InlineData("--up", "2M", "--up", "3M")]
    public void CommandLineMistakesAreExitTwo(params string[] arguments)
    {
        Assert.Equal(SimulateCommand.ExitBadInput, MptcpPrivacy.Cli.CommandLine.Run(["simulate", .. arguments]));
    }
}
