using MptcpPrivacy.Capture;
using MptcpPrivacy.Cli.Audit;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Tests.Audit.BadInput;

/// <summary>
/// Packets cut by the capture's snap length. With the headers whole only the data is missing: the
/// connection is rebuilt and the mapping of the cut data is unverifiable, not invalid. With a header
/// cut the packet is malformed: a warning names its frame and offset, the file is not damaged, and
/// the rest of it is audited.
/// </summary>
public class SnapLengthTests
{
    /// <summary>The scenario with a middle connection whose first client data packet (returned) is the one cut.</summary>
    private static (SyntheticCapture Capture, int Frame) Build(LinkType linkType)
    {
        int frame = 0;
        SyntheticCapture capture = Scenario.Around(c =>
        {
            SyntheticConnection conn = c.Connection("198.51.100.20", "192.0.2.2", Scenario.ClientKey, Scenario.ServerKey, checksums: true);
            conn.Handshake();
            frame = conn.Data(fromClient: true, Scenario.Payload(1000, 20));
            conn.Data(fromClient: true, Scenario.Payload(400, 21));
            conn.Data(fromClient: false, Scenario.Payload(800, 22));
            SyntheticSubflow join = conn.Join(from: "203.0.113.20");
            conn.Data(fromClient: true, Scenario.Payload(50, 23), on: join);
        }, linkType);
        return (capture, frame);
    }

    [Theory]
    [InlineData(CaptureFormat.Pcap)]
    [InlineData(CaptureFormat.Pcapng)]
    public void PayloadCut_MappingUnverifiableAtItsFrame_ConnectionRebuilt(CaptureFormat format)
    {
        using var dir = new TempDirectory();
        (SyntheticCapture capture, int frame) = Build(LinkType.LinuxSll2);
        SyntheticPacket cut = capture[frame];
        cut.CapturedLength = cut.PayloadOffset + 100;
        string path = dir.File("snap." + format.ToString().ToLowerInvariant());
        capture.Write(path, format);

        AuditOutcome outcome = AuditCli.Json(path);

        Assert.True(outcome.ExitCode == AuditCommand.ExitOk, outcome.ToString());
        Assert.Equal(0, outcome.Json.GetProperty("malformedPackets").GetInt64());
        var finding = Assert.Single(outcome.Findings);
        Assert.Equal((1, (long)frame, "dss-checksum", "unverifiable"), (finding.File, finding.Frame, finding.Check, finding.Status));
        Assert.Equal(0, outcome.Total("invalid"));
        // The middle connection's three other mappings still verify.
        Assert.Equal((2 * Scenario.ChecksPerComplete["dss-checksum"]) + 3, outcome.Count("dss-checksum", "valid"));
        Scenario.AssertComplete(outcome, Scenario.ClientKey);
        Scenario.AssertBeforeAndAfterComplete(outcome);
    }

    public static TheoryData<string, CaptureFormat> HeaderCuts => new()
    {
        { "ip", CaptureFormat.Pcap },
        { "tcp", CaptureFormat.Pcap },
        { "options", CaptureFormat.Pcap },
        { "options", CaptureFormat.Pcapng },
    };

    [Theory]
    [MemberData(nameof(HeaderCuts))]
    public void HeaderCut_WarnsWithFrameAndOffset_RestAudited(string where, CaptureFormat format)
    {
        using var dir = new TempDirectory();
        (SyntheticCapture capture, int frame) = Build(LinkType.Raw);
        SyntheticPacket cut = capture[frame];
        (cut.CapturedLength, string layer) = where switch
        {
            "ip" => (cut.IpOffset + 12, "Network"),
            "tcp" => (cut.TcpOffset + 13, "Transport"),
            _ => (cut.OptionsOffset + 6, "Transport"),
        };
        string path = dir.File("snap." + format.ToString().ToLowerInvariant());
        SyntheticFile file = capture.Write(path, format);

        AuditOutcome outcome = AuditCli.Json(path);

        Assert.True(outcome.ExitCode == AuditCommand.ExitOk, outcome.ToString());
        string message = $"frame {frame} (byte offset {file.OffsetOf(frame)}): {layer} header: Truncated";
        Assert.Contains($"audit: warning: malformed packet: {message}", outcome.Errors, StringComparison.Ordinal);
        Assert.Equal(1, outcome.Json.GetProperty("malformedPackets").GetInt64());
        Assert.Equal(message, outcome.Json.GetProperty("malformed")[0].GetString());
        Assert.Equal(capture.Packets.Count - 1, outcome.Json.GetProperty("tcpPackets").GetInt64());
        // The lost packet took its mapping along: nothing else goes wrong, but for the IDSN of the side
        // whose first data it carried, which can then only be called unverifiable.
        Assert.True(outcome.Total("invalid") == 0, outcome.ToString());
        Assert.True(outcome.Total("unverifiable") == outcome.Count("idsn", "unverifiable") && outcome.Count("idsn", "unverifiable") <= 1, outcome.ToString());
        Scenario.AssertComplete(outcome, Scenario.ClientKey);
        Scenario.AssertBeforeAndAfterComplete(outcome);
    }
}
