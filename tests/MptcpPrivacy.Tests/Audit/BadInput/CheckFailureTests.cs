using System.Text.Json;
using MptcpPrivacy.Cli.Audit;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Audit.BadInput;

/// <summary>
/// Wrong values inside valid packets: the check they fail is reported with its frame, the connection is
/// still rebuilt, and nothing else is flagged. A wrong TCP checksum is not the audit's business (captures
/// taken on a sender with checksum offload are full of them): the packet is used as captured.
/// </summary>
public class CheckFailureTests
{
    /// <summary>Runs the scenario with <paramref name="middle"/> (which returns the frame of interest) and audits it.</summary>
    private static (AuditOutcome Outcome, int Frame) Audit(Func<SyntheticCapture, int> middle, Action<SyntheticCapture, int>? damage = null, bool json = true)
    {
        using var dir = new TempDirectory();
        int frame = 0;
        SyntheticCapture capture = Scenario.Around(c => frame = middle(c));
        damage?.Invoke(capture, frame);
        string path = dir.File("checks.pcap");
        capture.Write(path);
        return (AuditCli.Run(json, path), frame);
    }

    private static SyntheticConnection Middle(SyntheticCapture c, bool checksums = true)
    {
        SyntheticConnection conn = c.Connection("198.51.100.20", "192.0.2.2", Scenario.ClientKey, Scenario.ServerKey, checksums: checksums);
        conn.Handshake();
        conn.Data(fromClient: true, Scenario.Payload(300, 20));
        conn.Data(fromClient: false, Scenario.Payload(300, 21));
        return conn;
    }

    /// <summary>Asserts exit 0, exactly one finding (the given one), and the three connections whole.</summary>
    private static void AssertOnlyFinding(AuditOutcome outcome, int frame, string check, string status, bool middleComplete = true)
    {
        Assert.True(outcome.ExitCode == AuditCommand.ExitOk, outcome.ToString());
        var finding = Assert.Single(outcome.Findings);
        Assert.True((finding.File, finding.Frame, finding.Check, finding.Status) == (1, frame, check, status), outcome.ToString());
        Assert.Equal(1, outcome.Count(check, status));
        Assert.Equal(1, outcome.Total(status));
        Assert.Equal(0, outcome.Total(status == "invalid" ? "unverifiable" : "invalid"));
        if (middleComplete)
        {
            Scenario.AssertComplete(outcome, Scenario.ClientKey);
        }

        Scenario.AssertBeforeAndAfterComplete(outcome);
    }

    [Fact]
    public void WrongTcpChecksum_PacketStillAudited()
    {
        (AuditOutcome outcome, int frame) = Audit(c =>
        {
            SyntheticConnection conn = Middle(c);
            int data = conn.Data(fromClient: true, Scenario.Payload(999, 22));
            conn.Join(from: "203.0.113.20");
            return data;
        }, (capture, frame) => capture[frame].CorruptTcpChecksum());

        Assert.True(outcome.ExitCode == AuditCommand.ExitOk, outcome.ToString());
        Assert.True(outcome.Total("invalid") == 0 && outcome.Total("unverifiable") == 0, outcome.ToString());
        // Its mapping was checked (and verified) like the others: 2 complete connections + 3 mappings.
        Assert.Equal((2 * Scenario.ChecksPerComplete["dss-checksum"]) + 3, outcome.Count("dss-checksum", "valid"));
        Scenario.AssertComplete(outcome, Scenario.ClientKey);
        Scenario.AssertBeforeAndAfterComplete(outcome);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WrongDssChecksum_InvalidAtItsFrame(bool onJoin)
    {
        (AuditOutcome outcome, int frame) = Audit(c =>
        {
            SyntheticConnection conn = Middle(c);
            SyntheticSubflow join = conn.Join(from: "203.0.113.20");
            int bad = conn.Data(fromClient: true, Scenario.Payload(777, 22), on: onJoin ? join : null, corruptChecksum: true);
            conn.Data(fromClient: true, Scenario.Payload(10, 23));
            return bad;
        });

        AssertOnlyFinding(outcome, frame, "dss-checksum", "invalid");
        Assert.Contains("does not match", outcome.Findings[0].Detail, StringComparison.Ordinal);
        Assert.Equal((2 * Scenario.ChecksPerComplete["dss-checksum"]) + 3, outcome.Count("dss-checksum", "valid"));
    }

    [Fact]
    public void WrongDssChecksum_TextReportNamesTheFrame()
    {
        (AuditOutcome outcome, int frame) = Audit(c =>
        {
            SyntheticConnection conn = Middle(c);
            return conn.Data(fromClient: false, Scenario.Payload(5, 22), corruptChecksum: true);
        }, json: false);

        Assert.True(outcome.ExitCode == AuditCommand.ExitOk, outcome.ToString());
        Assert.Contains($"frame {frame}: dss-checksum invalid: checksum 0x", outcome.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, 1, "join-synack-hmac", "synAck")]
    [InlineData(false, 2, "join-ack-hmac", "ack")]
    public void WrongJoinHmac_InvalidAtItsFrame_JoinStillListed(bool synAck, int packet, string check, string field)
    {
        JoinFault fault = synAck ? JoinFault.SynAckHmac : JoinFault.AckHmac;
        (AuditOutcome outcome, int frame) = Audit(c =>
        {
            SyntheticConnection conn = Middle(c);
            int syn = c.NextFrame;
            conn.Join(from: "203.0.113.20", fault: fault);
            return syn + packet;
        });

        AssertOnlyFinding(outcome, frame, check, "invalid", middleComplete: false);
        IReadOnlyList<JsonElement> subflows = AuditOutcome.SubflowsOf(outcome.ConnectionOf(Scenario.ClientKey));
        Assert.Equal(2, subflows.Count);
        Assert.Equal("203.0.113.20", subflows[1].GetProperty("src").GetString());
        JsonElement hmac = subflows[1].GetProperty("hmac");
        Assert.Equal("invalid", hmac.GetProperty(field).GetString());
        Assert.Equal("valid", hmac.GetProperty(field == "ack" ? "synAck" : "ack").GetString());
    }

    [Fact]
    public void WrongAddAddrHmac_InvalidAtItsFrame()
    {
        (AuditOutcome outcome, int frame) = Audit(c =>
        {
            SyntheticConnection conn = Middle(c);
            conn.Join(from: "203.0.113.20");
            return conn.AddAddr(fromServer: true, "192.0.2.99", addressId: 3, port: 8443, corruptHmac: true);
        });

        AssertOnlyFinding(outcome, frame, "add-addr-hmac", "invalid");
        JsonElement announcement = outcome.ConnectionOf(Scenario.ClientKey).GetProperty("events").EnumerateArray()
            .Single(e => e.GetProperty("kind").GetString() == "add-addr");
        Assert.Equal(frame, announcement.GetProperty("frame").GetProperty("frame").GetInt64());
        Assert.Equal("192.0.2.99", announcement.GetProperty("address").GetString());
        Assert.Equal("invalid", announcement.GetProperty("hmac").GetString());
    }

    [Fact]
    public void JoinWithAnUnknownToken_UnverifiableAtItsFrame_SubflowStillListed()
    {
        const uint Stranger = 0xdead_beef;
        (AuditOutcome outcome, int frame) = Audit(c =>
        {
            SyntheticConnection conn = Middle(c);
            Assert.NotEqual(Stranger, conn.ServerToken);
            int syn = c.NextFrame;
            conn.Join(from: "203.0.113.20", token: Stranger);
            return syn;
        });

        Assert.True(outcome.ExitCode == AuditCommand.ExitOk, outcome.ToString());
        var token = Assert.Single(outcome.Findings, f => f.Check == "join-token");
        Assert.Equal((1, (long)frame, "unverifiable"), (token.File, token.Frame, token.Status));
        Assert.Contains("deadbeef", token.Detail, StringComparison.Ordinal);
        Assert.Equal(0, outcome.Total("invalid"));

        JsonElement orphan = outcome.Connections.Single(c => c.GetProperty("fromJoinsOnly").GetBoolean());
        Assert.Equal("deadbeef", orphan.GetProperty("joinToken").GetString());
        JsonElement subflow = Assert.Single(AuditOutcome.SubflowsOf(orphan));
        Assert.Equal("203.0.113.20", subflow.GetProperty("src").GetString());
        Assert.Equal("join", subflow.GetProperty("role").GetString());
        Assert.Equal(frame, subflow.GetProperty("firstFrame").GetProperty("frame").GetInt64());
        Assert.Single(AuditOutcome.SubflowsOf(outcome.ConnectionOf(Scenario.ClientKey)));
        Scenario.AssertBeforeAndAfterComplete(outcome);
        Assert.Equal(4, outcome.Connections.Count);
    }

    [Fact]
    public void FirstDataOnAJoinSubflow_IsNotAnIdsnFault()
    {
        (AuditOutcome outcome, _) = Audit(c =>
        {
            SyntheticConnection conn = c.Connection("198.51.100.20", "192.0.2.2", Scenario.ClientKey, Scenario.ServerKey, checksums: true);
            conn.Handshake();
            conn.Data(fromClient: true, Scenario.Payload(300, 20));
            SyntheticSubflow join = conn.Join(from: "203.0.113.20");
            // The server's first data goes on the join (its scheduler's choice), the next on the initial subflow.
            conn.Data(fromClient: false, Scenario.Payload(900, 21), on: join);
            return conn.Data(fromClient: false, Scenario.Payload(90, 22));
        });

        Assert.True(outcome.ExitCode == AuditCommand.ExitOk, outcome.ToString());
        Assert.True(outcome.Total("invalid") == 0, outcome.ToString());
    }
}
