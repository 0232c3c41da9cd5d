using MptcpPrivacy.Privacy;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.Privacy;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>The privacy modes run by the stack at both ends on the simulator (issue 6).</summary>
public sealed class PrivacyModesOnTheStackTests
{
    private static ScenarioSpec TwoPaths(string path2 = "rate=20M,rtt=40ms", int seed = 1) => new()
    {
        Paths = [PathSpec.Parse("rate=20M,rtt=20ms"), PathSpec.Parse(path2)],
        ClientToServerBytes = 1_000_000,
        ServerToClientBytes = 1_000_000,
        Seed = seed,
        DurationNs = 60_000_000_000,
    };

    private static MptcpOptions Mode(PrivacyMode mode, bool required = false) => new() { Privacy = new PrivacyOptions { Mode = mode, Required = required } };

    private static string Describe(ScenarioResult r) =>
        $"up {r.Upload.BytesDelivered}/{r.Upload.BytesSent} down {r.Download.BytesDelivered}/{r.Download.BytesSent} ({r.Outcome}) fallback {r.Fallback}\n"
        + string.Join("\n", r.ClientEvents.Select(e => $"  client {e.Time.TotalMilliseconds} ms {e.Kind} {e.Subflow} {e.Detail}"))
        + "\n" + string.Join("\n", r.ServerEvents.Select(e => $"  server {e.Time.TotalMilliseconds} ms {e.Kind} {e.Subflow} {e.Detail}"));

    [Theory]
    [InlineData(PrivacyMode.Standard)]
    [InlineData(PrivacyMode.Draft)]
    [InlineData(PrivacyMode.Profile)]
    public void EachModeCarriesDataOverTwoSubflows(PrivacyMode mode)
    {
        ScenarioResult r = ScenarioRunner.Run(TwoPaths(), client: Mode(mode), server: Mode(mode));
        Assert.True(r.Success, Describe(r));
        Assert.Equal(r.Upload.SentSha256, r.Upload.DeliveredSha256);
        Assert.Equal(r.Download.SentSha256, r.Download.DeliveredSha256);
        Assert.Equal(2, r.SubflowsEstablished);
        Assert.Equal(mode, r.ClientConnection!.PrivacyMode);
        Assert.Equal(mode, r.ServerConnection!.PrivacyMode);
    }
}
