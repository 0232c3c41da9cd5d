using System.Text.Json;
using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Verification;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Audit;

/// <summary>
/// The captures of Linux's own MPTCP (tests/fixtures/kernel, made by
/// scripts/kernel-captures/make-captures.sh): every token, IDSN, HMAC, DSS checksum and fast-close
/// key verifies from the keys in the capture, and each scenario shows what its manifest promises.
/// </summary>
public class KernelCaptureTests
{
    public static TheoryData<string> Scenarios => new(Manifest.Load(Fixtures.Path_("kernel")).Select(c => c.File));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void EveryCheckVerifies(string file)
    {
        Manifest.Capture capture = Manifest.Load(Fixtures.Path_("kernel")).Single(c => c.File == file);
        KernelCaptureChecks.Verify(Fixtures.Path_(Path.Combine("kernel", file)), capture);
    }
}

/// <summary>The checks every kernel capture passes, committed or freshly regenerated.</summary>
internal static class KernelCaptureChecks
{
    public static void Verify(string path, Manifest.Capture capture)
    {
        AuditReport report = AuditRun.Run([path], []);
        Assert.True(report.Complete);
        Assert.Empty(report.Malformed);
        ConnectionTracker tracker = report.Global;
        CheckTally t = tracker.Checks;
        string why = $"{capture.Scenario}:\n{TallyPrinter.Describe(t)}";

        // Nothing may fail: the kernel is the reference, and the capture holds every handshake.
        foreach (CheckKind kind in Enum.GetValues<CheckKind>())
        {
            Assert.True(t.Count(kind, CheckStatus.Invalid) == 0, why);
            Assert.True(t.Count(kind, CheckStatus.Unverifiable) == 0, why);
        }

        int mptcp = tracker.Connections.Count(c => c.Subflows.Count > 0 && c.Subflows[0].Role == SubflowRole.Initial);
        Assert.True(mptcp == capture.MptcpConnections, $"{why}\n{mptcp} MPTCP connections, manifest says {capture.MptcpConnections}");
        if (capture.Fallback)
        {
            Assert.Contains(tracker.Subflows, s => s.Role == SubflowRole.Fallback);
            return;
        }

        Assert.True(t.Count(CheckKind.Idsn, CheckStatus.Valid) >= capture.MptcpConnections, why);
        int joins = capture.JoinsAttempted - capture.FailedJoins;
        if (joins > 0)
        {
            Assert.True(t.Count(CheckKind.JoinToken, CheckStatus.Valid) >= capture.JoinsAttempted, why);
            Assert.True(t.Count(CheckKind.JoinSynAckHmac, CheckStatus.Valid) >= joins, why);
            Assert.True(t.Count(CheckKind.JoinAckHmac, CheckStatus.Valid) >= joins, why);
        }

        Assert.True(tracker.Subflows.Count(s => s.Role == SubflowRole.FailedJoin) == capture.FailedJoins, why);
        if (capture.RequiredSubtypes.Contains("ADD_ADDR"))
        {
            Assert.True(t.Count(CheckKind.AddAddrHmac, CheckStatus.Valid) >= 1, why);
        }

        if (capture.RequiredSubtypes.Contains("MP_FASTCLOSE"))
        {
            Assert.True(t.Count(CheckKind.FastCloseKey, CheckStatus.Valid) >= 1, why);
        }

        if (capture.Scenario == "checksum")
        {
            Assert.True(t.Count(CheckKind.DssChecksum, CheckStatus.Valid) >= 4, why);
        }
    }
}

/// <summary>Reads tests/fixtures/kernel/manifest.json (format: docs/kernel-captures.md).</summary>
internal static class Manifest
{
    public sealed record Capture(
        string File, string Scenario, int MptcpConnections, int JoinsAttempted, int FailedJoins, bool Fallback, IReadOnlyList<string> RequiredSubtypes, bool CiOnly, string? VantageOf);

    public static List<Capture> Load(string directory)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "manifest.json")));
        return doc.RootElement.GetProperty("captures").EnumerateArray().Select(c => new Capture(
            c.GetProperty("file").GetString()!,
            c.GetProperty("scenario").GetString()!,
            c.GetProperty("mptcpConnections").GetInt32(),
            c.GetProperty("joinsAttempted").GetInt32(),
            c.GetProperty("failedJoins").GetInt32(),
            c.GetProperty("fallback").GetBoolean(),
            c.GetProperty("requiredSubtypes").EnumerateArray().Select(s => s.GetString()!).ToList(),
            c.TryGetProperty("ciOnly", out JsonElement ciOnly) && ciOnly.GetBoolean(),
            c.TryGetProperty("vantageOf", out JsonElement vantageOf) ? vantageOf.GetString() : null)).ToList();
    }
}
