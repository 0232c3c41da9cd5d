using System.Text.Json;
using MptcpPrivacy.Cli.Simulate;
using MptcpPrivacy.Simulation.Scenarios;

namespace MptcpPrivacy.Tests.Cli;

/// <summary>
/// <c>simulate --profile</c> and <c>--connections</c>, their scenario-file keys (<c>profile</c>,
/// <c>connections</c>) and the path key <c>announce</c>: reading, bad values (exit 2, naming the
/// option or key), and what the summaries show (issue 6).
/// </summary>
public class SimulateProfileTests
{
    [Theory]
    [InlineData(null, PrivacyProfile.Standard)]
    [InlineData("standard", PrivacyProfile.Standard)]
    [InlineData("draft", PrivacyProfile.Draft)]
    [InlineData("privacy", PrivacyProfile.Privacy)]
    [InlineData("Privacy", PrivacyProfile.Privacy)]
    public void TheProfileOptionSetsTheScenariosProfile(string? option, PrivacyProfile expected)
    {
        ScenarioSpec spec = SimulateScenario.Build(new SimulateRequest { Profile = option }, fileText: null);
        Assert.Equal(expected, spec.Profile);
        Assert.Equal(SimulateScenario.Default.Description, spec.Description);
    }

    [Theory]
    [InlineData("profile")]
    [InlineData("rfc8684")]
    [InlineData("")]
    public void ABadProfileIsExitTwoNamingTheOption(string value)
    {
        SimulateRunner.Result run = SimulateRunner.Run(new SimulateRequest { Profile = value });
        Assert.Equal(SimulateCommand.ExitBadInput, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.Equal($"simulate: --profile: \"{value}\" is not a privacy profile: standard, draft or privacy\n", run.Errors.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("0", "0 is out of range (1 to 1000)")]
    [InlineData("1001", "1001 is out of range (1 to 1000)")]
    [InlineData("many", "\"many\" is not a whole number")]
    public void ABadConnectionCountIsExitTwoNamingTheOption(string value, string problem)
    {
        SimulateRunner.Result run = SimulateRunner.Run(new SimulateRequest { Connections = value });
        Assert.Equal(SimulateCommand.ExitBadInput, run.ExitCode);
        Assert.Equal($"simulate: --connections: {problem}\n", run.Errors.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("--profile")]
    [InlineData("--connections")]
    [InlineData("--profile", "draft", "--profile", "privacy")]
    public void CommandLineMistakesAreExitTwo(params string[] arguments)
    {
        Assert.Equal(SimulateCommand.ExitBadInput, MptcpPrivacy.Cli.CommandLine.Run(["simulate", .. arguments]));
    }

    [Fact]
    public void TheFileKeysAndTheOptionsGiveTheSameScenarioAndTheFileReadsBack()
    {
        const string file = """
            { "profile": "draft", "connections": 3, "paths": [ "rate=10M,rtt=20ms", { "rate": "5M", "announce": true } ] }
            """;
        ScenarioSpec fromFile = ScenarioSpec.FromJson(file);
        ScenarioSpec fromOptions = ScenarioSpec.FromArguments(["--profile", "draft", "--connections=3", "--path", "rate=10M,rtt=20ms", "--path", "rate=5M,announce"]);
        Assert.Equal(fromOptions, fromFile);
        Assert.Equal(PrivacyProfile.Draft, fromFile.Profile);
        Assert.Equal(3, fromFile.Connections);
        Assert.True(fromFile.Paths[1].Announce);
        Assert.Equal("rate=5M,rtt=20ms,announce", fromFile.Paths[1].ToString());
        Assert.Equal(fromFile, ScenarioSpec.FromJson(fromFile.ToJson()));
        Assert.NotEqual(fromFile, fromFile with { Profile = PrivacyProfile.Privacy });
        Assert.NotEqual(fromFile, fromFile with { Connections = 4 });
        Assert.False(PathSpec.Parse("rate=5M,announce=no").Announce);
    }

    [Fact]
    public void OptionsOverAFileReplaceItsProfileAndConnections()
    {
        const string file = """{ "profile": "draft", "connections": 3 }""";
        ScenarioSpec spec = SimulateScenario.Build(new SimulateRequest { ScenarioFile = "s.json", Profile = "privacy", Connections = "5" }, file);
        Assert.Equal(PrivacyProfile.Privacy, spec.Profile);
        Assert.Equal(5, spec.Connections);
        Assert.Equal(PrivacyProfile.Draft, SimulateScenario.Build(new SimulateRequest { ScenarioFile = "s.json" }, file).Profile);
    }

    [Theory]
    [InlineData("standard", "standard")]
    [InlineData("draft", "draft")]
    [InlineData("privacy", "privacy")]
    public void TheDefaultScenarioCompletesByteExactInEachModeAndTheJsonSaysWhichRan(string profile, string mode)
    {
        SimulateRunner.Result run = SimulateRunner.Run(new SimulateRequest { Profile = profile, Json = true });
        Assert.True(run.ExitCode == SimulateCommand.ExitOk, run.ToString());
        JsonElement json = run.Json;
        Assert.Equal(profile, json.GetProperty("scenario").GetProperty("profile").GetString());
        Assert.Equal(1, json.GetProperty("scenario").GetProperty("connections").GetInt32());
        Assert.Equal("rate=50M,rtt=40ms,announce", json.GetProperty("scenario").GetProperty("paths")[1].GetProperty("spec").GetString());
        foreach (string direction in new[] { "upload", "download" })
        {
            Assert.True(json.GetProperty(direction).GetProperty("sha256Match").GetBoolean(), direction);
        }

        JsonElement connection = Assert.Single(json.GetProperty("connections").EnumerateArray());
        Assert.Equal(1, connection.GetProperty("number").GetInt32());
        Assert.Equal(mode, connection.GetProperty("mode").GetString());
        Assert.Equal(mode, connection.GetProperty("serverMode").GetString());
        Assert.True(connection.GetProperty("success").GetBoolean());
        Assert.Equal(2, connection.GetProperty("subflows").GetProperty("established").GetInt32());
        Assert.Equal(json.GetProperty("upload").GetProperty("deliveredSha256").GetString(), connection.GetProperty("upload").GetProperty("deliveredSha256").GetString());
    }

    [Fact]
    public void TheTextSummaryShowsTheProfileAndEachConnectionsMode()
    {
        SimulateRunner.Result run = SimulateRunner.Run(SimulateRunner.Small with { Profile = "draft", Connections = "3" });
        Assert.True(run.ExitCode == SimulateCommand.ExitOk, run.ToString());
        Assert.Contains("privacy draft, 3 connections", run.Output, StringComparison.Ordinal);
        Assert.Contains("Connections  3 of 3 complete and byte-exact", run.Output, StringComparison.Ordinal);
        Assert.Equal(3, run.Output.Split('\n').Count(line => line.Contains("draft/draft", StringComparison.Ordinal) && line.TrimEnd().EndsWith("OK", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheJsonListsEveryConnectionWithItsOwnContent()
    {
        SimulateRunner.Result run = SimulateRunner.Run(SimulateRunner.Small with { Connections = "4", Json = true });
        Assert.True(run.ExitCode == SimulateCommand.ExitOk, run.ToString());
        JsonElement[] connections = [.. run.Json.GetProperty("connections").EnumerateArray()];
        Assert.Equal([1, 2, 3, 4], connections.Select(c => c.GetProperty("number").GetInt32()));
        Assert.All(connections, c => Assert.True(c.GetProperty("success").GetBoolean()));
        Assert.All(connections, c => Assert.Equal(300_000, c.GetProperty("download").GetProperty("bytesDelivered").GetInt64()));
        string[] uploads = [.. connections.Select(c => c.GetProperty("upload").GetProperty("sentSha256").GetString()!)];
        Assert.Equal(4, uploads.Distinct().Count());
    }
}
