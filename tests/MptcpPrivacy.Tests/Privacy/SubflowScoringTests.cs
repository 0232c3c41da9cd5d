using MptcpPrivacy.Capture;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>
/// The blog's on-path defence: a path whose middlebox rewrites payload (caught by the DSS checksum)
/// is scored, and every connection moves off it, not only the one that caught it.
/// </summary>
public sealed class SubflowScoringTests
{
    private static readonly IpAddressBytes Path2Client = IpAddressBytes.Parse("203.0.113.2");
    private static readonly IpAddressBytes Server = IpAddressBytes.Parse("192.0.2.1");

    private static (ScenarioResult Result, List<long> Path2DataTimes, MptcpEndpoint Server) Run(bool scoring)
    {
        var spec = new ScenarioSpec
        {
            Paths = [PathSpec.Parse("rate=20M,rtt=20ms"), PathSpec.Parse("rate=20M,rtt=40ms")],
            ClientToServerBytes = 400_000,
            ServerToClientBytes = 20_000,
            Connections = 6,
            DurationNs = 60_000_000_000,
        };
        var options = new MptcpOptions { RequireChecksums = true, SubflowScoring = scoring ? new SubflowScoring() : null };
        MptcpEndpoint? server = null;
        using var capture = new MemoryStream();
        ScenarioResult r = ScenarioRunner.Run(spec, capture, options, options, configure: t =>
        {
            // A content-rewriting middlebox on the cellular path, client to server: one data segment in 60.
            t.Paths[1].Link.AddElement(new PayloadRewriter(LinkDirection.AToB, 60));
            server = ((MptcpHostNode)t.Server).Endpoint;
        });

        var times = new List<long>();
        using var reader = CaptureReader.Open(new MemoryStream(capture.ToArray()));
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (IpPacket.TryParse(frame.Data, out IpPacket ip, out _) && IpAddressBytes.FromSpan(ip.Source) == Path2Client
                && TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _) && tcp.Payload.Length > 0)
            {
                times.Add(frame.TimestampNanoseconds);
            }
        }

        return (r, times, server!);
    }

    [Fact]
    public void OnceThePathIsBlamedNoConnectionSendsDataOnItAndEveryTransferCompletes()
    {
        (ScenarioResult r, List<long> path2, MptcpEndpoint server) = Run(scoring: true);
        Assert.True(r.Success, r.Outcome.ToString());
        Assert.True(server.PathScores.GetValueOrDefault((Server, Path2Client)) >= 1, "the server never scored the rewriting path");

        // The first checksum failure makes every connection's subflow on that path a backup
        // (MP_PRIO): the client's data leaves it, for every connection, not only the one that
        // caught the rewrite. What was already in flight still arrives.
        long blamed = r.ServerEvents.Where(e => e.Kind == MptcpEventKind.PathBlamed).Select(e => e.Time.Ticks * 100).DefaultIfEmpty(long.MaxValue).Min();
        Assert.NotEqual(long.MaxValue, blamed);
        Assert.Contains(path2, t => t < blamed);
        long margin = 200_000_000;
        Assert.DoesNotContain(path2, t => t > blamed + margin);
    }

    [Fact]
    public void WithoutScoringTheOtherConnectionsKeepUsingThePath()
    {
        (ScenarioResult r, List<long> path2, MptcpEndpoint server) = Run(scoring: false);
        Assert.Empty(server.PathScores);
        (ScenarioResult scored, List<long> scoredPath2, _) = Run(scoring: true);
        Assert.True(path2.Count > scoredPath2.Count, $"{path2.Count} data segments on the path without scoring, {scoredPath2.Count} with");
    }

    [Fact]
    public void APathsScoreIsForgottenAfterTheScoringsMemory()
    {
        (ScenarioResult r, _, MptcpEndpoint server) = Run(scoring: true);
        TimeSpan lastBlame = r.ServerEvents.Where(e => e.Kind == MptcpEventKind.PathBlamed).Max(e => e.Time);
        int score = server.PathScores[(Server, Path2Client)];
        Assert.True(score >= 1);
        TimeSpan memory = new SubflowScoring().Memory;

        // Still held just before the memory runs out (whatever the path earned, a shunned path stays shunned); gone after it.
        Assert.Equal(score, server.PathScore(Server, Path2Client, lastBlame + memory - TimeSpan.FromSeconds(1)));
        Assert.Equal(score >= new SubflowScoring().ResetAt, server.IsShunned(Server, Path2Client, lastBlame + memory - TimeSpan.FromSeconds(1)));
        Assert.Equal(0, server.PathScore(Server, Path2Client, lastBlame + memory));
        Assert.False(server.IsShunned(Server, Path2Client, lastBlame + memory));
    }
}
