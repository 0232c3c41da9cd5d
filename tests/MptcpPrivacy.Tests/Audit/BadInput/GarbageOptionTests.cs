using MptcpPrivacy.Cli.Audit;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Audit.BadInput;

/// <summary>
/// Garbage MPTCP options in the middle of a valid connection (bad lengths, unassigned subtypes 9 to 14,
/// an option running past the options area): the audit rebuilds the connection and verifies all the
/// rest as if they were not there, and says which frames held them.
/// </summary>
public class GarbageOptionTests
{
    /// <summary>Options areas of garbage, each sent in a packet of its own (RFC 8684 §3 header, then nonsense).</summary>
    public static IReadOnlyList<byte[]> Garbage =>
    [
        // Length 2 (below the subtype byte), DSS of length 3, MP_CAPABLE of length 7, MP_JOIN of length 13.
        [30, 2, 30, 3, 0x20, 30, 7, 0x01, 0x81, 0, 0, 0, 30, 13, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        // Unassigned subtypes 0x9 to 0xe (RFC 8684 §7.2).
        [30, 4, 0x90, 0, 30, 4, 0xA1, 1, 30, 4, 0xB2, 2, 30, 4, 0xC3, 3, 30, 4, 0xD4, 4, 30, 4, 0xE5, 5],
        // ADD_ADDR of length 11, REMOVE_ADDR with no address ID, DSS whose flags need more than its length 8.
        [30, 11, 0x30, 1, 192, 0, 2, 9, 0, 0, 0, 30, 3, 0x40, 30, 8, 0x20, 0x05, 0, 0, 0, 1],
        // An option longer than the options area that holds it: the option walk stops there.
        [30, 38, 0x20, 0x01, 0, 0, 0, 1],
        // MP_FASTCLOSE and MP_TCPRST and MP_PRIO with wrong lengths.
        [30, 5, 0x70, 0, 1, 30, 5, 0x80, 0, 1, 30, 5, 0x50, 1, 1],
    ];

    /// <summary>Builds the scenario; returns the frames that carry garbage.</summary>
    private static (SyntheticCapture Capture, List<int> Frames) Build()
    {
        var frames = new List<int>();
        SyntheticCapture capture = Scenario.Around(c =>
        {
            SyntheticConnection conn = c.Connection("198.51.100.20", "192.0.2.2", Scenario.ClientKey, Scenario.ServerKey, checksums: true);
            conn.Handshake();
            conn.Data(fromClient: true, Scenario.Payload(300, 20));
            bool fromInitiator = true;
            foreach (byte[] garbage in Garbage)
            {
                frames.Add(conn.Initial.Send(fromInitiator, TcpFlags.Ack, garbage));
                fromInitiator = !fromInitiator;
            }

            // Garbage in front of a valid DSS must not hide it.
            frames.Add(conn.Data(fromClient: false, Scenario.Payload(500, 21), optionsBefore: [30, 4, 0xE0, 0]));
            SyntheticSubflow join = conn.Join(from: "203.0.113.20");
            conn.Data(fromClient: true, Scenario.Payload(200, 22), on: join);
            conn.Data(fromClient: false, Scenario.Payload(700, 23), on: join);
            conn.AddAddr(fromServer: true, "192.0.2.200", addressId: 7);
        });
        return (capture, frames);
    }

    [Fact]
    public void GarbageOptions_ConnectionRebuiltAndEverythingElseVerifies()
    {
        using var dir = new TempDirectory();
        (SyntheticCapture capture, _) = Build();
        string path = dir.File("garbage.pcap");
        capture.Write(path);

        AuditOutcome outcome = AuditCli.Json(path);

        Assert.True(outcome.ExitCode == AuditCommand.ExitOk, outcome.ToString());
        Assert.True(outcome.Total("invalid") == 0 && outcome.Total("unverifiable") == 0, outcome.ToString());
        foreach ((string check, long count) in Scenario.ChecksPerComplete)
        {
            Assert.True(outcome.Count(check, "valid") == 3 * count, $"{check}: {outcome.Count(check, "valid")} valid, not {3 * count}\n{outcome}");
        }

        Scenario.AssertComplete(outcome, Scenario.ClientKey);
        Scenario.AssertBeforeAndAfterComplete(outcome);
        Assert.Equal(3, outcome.Connections.Count);
        Assert.Equal(capture.Packets.Count, outcome.Json.GetProperty("tcpPackets").GetInt64());
    }

    [Fact]
    public void GarbageOptions_EachFrameIsNamed()
    {
        using var dir = new TempDirectory();
        (SyntheticCapture capture, List<int> frames) = Build();
        string path = dir.File("garbage.pcap");
        SyntheticFile file = capture.Write(path);

        AuditOutcome outcome = AuditCli.Json(path);

        Assert.True(outcome.ExitCode == AuditCommand.ExitOk, outcome.ToString());
        foreach (int frame in frames)
        {
            Assert.True(outcome.Errors.Contains($"frame {frame} ", StringComparison.Ordinal), $"frame {frame} (byte offset {file.OffsetOf(frame)}) holds a garbage option, but no message names it\n{outcome}");
        }
    }
}
