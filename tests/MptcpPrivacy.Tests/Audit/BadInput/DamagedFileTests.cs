using System.Buffers.Binary;
using System.Text.Json;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Cli.Audit;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Tests.Audit.BadInput;

/// <summary>
/// A capture damaged at the container level (cut short, a corrupt block or record length): exit code 1,
/// a message on the error writer naming the file, the byte offset and the frame, and a report of
/// everything before the damage.
/// </summary>
public class DamagedFileTests
{
    /// <summary>
    /// The standard scenario with a third connection in the middle; returns the capture and the frame
    /// the tests damage: the first data packet of the middle connection, right after its handshake.
    /// </summary>
    private static (SyntheticCapture Capture, int Frame) Build(LinkType linkType = LinkType.Raw)
    {
        int frame = 0;
        SyntheticCapture capture = Scenario.Around(c =>
        {
            frame = c.NextFrame + 3;
            Scenario.Complete(c, "198.51.100.20", "203.0.113.20", "192.0.2.2", Scenario.ClientKey, Scenario.ServerKey);
        }, linkType);
        return (capture, frame);
    }

    /// <summary>
    /// Asserts exit code 1, the message (file, offset, frame, <paramref name="why"/>), and that frames
    /// 1 to <paramref name="frame"/> - 1 were audited: the first connection whole, the middle one up to
    /// its handshake, the last one absent.
    /// </summary>
    private static void AssertDamagedAt(AuditOutcome outcome, string path, long offset, int frame, string why)
    {
        Assert.True(outcome.ExitCode == AuditCommand.ExitDamaged, outcome.ToString());
        Assert.Contains($"{path}: byte offset {offset} (frame {frame}): ", outcome.Errors, StringComparison.Ordinal);
        Assert.Contains(why, outcome.Errors, StringComparison.Ordinal);
        Assert.Contains($"the {frame - 1} frames before it were audited", outcome.Errors, StringComparison.Ordinal);

        JsonElement file = outcome.Files.Single();
        Assert.Equal(frame - 1, file.GetProperty("frames").GetInt64());
        JsonElement error = file.GetProperty("error");
        Assert.Equal(offset, error.GetProperty("byteOffset").GetInt64());
        Assert.Equal(frame, error.GetProperty("frame").GetInt64());
        Assert.Contains(why, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(frame - 1, outcome.Json.GetProperty("tcpPackets").GetInt64());

        Scenario.AssertComplete(outcome, Scenario.BeforeClientKey);
        Assert.Single(AuditOutcome.SubflowsOf(outcome.ConnectionOf(Scenario.ClientKey)));
        Assert.Equal(2, outcome.Connections.Count);
        // Damage is not a finding: nothing before it fails a check.
        Assert.True(outcome.Total("invalid") == 0 && outcome.Total("unverifiable") == 0, outcome.ToString());
    }

    [Theory]
    [InlineData(5, "file ends 5 bytes into a 16-byte record header")]
    [InlineData(16 + 10, "file ends after 10 of the record's ")]
    public void PcapCutInsideARecord(int into, string why)
    {
        using var dir = new TempDirectory();
        (SyntheticCapture capture, int frame) = Build();
        SyntheticFile file = capture.Build(CaptureFormat.Pcap);
        long offset = file.OffsetOf(frame);
        string path = dir.Write("cut.pcap", file.Bytes[..(int)(offset + into)]);

        AssertDamagedAt(AuditCli.Json(path), path, offset, frame, why);
    }

    [Theory]
    [InlineData(4, "file ends 4 bytes into a block header")]
    [InlineData(40, "enhanced packet block of length ")]
    public void PcapngCutInsideABlock(int into, string why)
    {
        using var dir = new TempDirectory();
        (SyntheticCapture capture, int frame) = Build(LinkType.LinuxSll2);
        SyntheticFile file = capture.Build(CaptureFormat.Pcapng);
        long offset = file.OffsetOf(frame);
        string path = dir.Write("cut.pcapng", file.Bytes[..(int)(offset + into)]);

        AuditOutcome outcome = AuditCli.Json(path);
        AssertDamagedAt(outcome, path, offset, frame, why);
        if (into > 8)
        {
            Assert.Contains("runs past the end of the file", outcome.Errors, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(+4, "trailing block length")]
    [InlineData(-1, "is not a multiple of 4")]
    [InlineData(12, "is shorter than the 32 bytes")]
    [InlineData(0x7FFF_FFF0, "is over the 16777216-byte limit")]
    public void PcapngCorruptBlockLength(int change, string why)
    {
        using var dir = new TempDirectory();
        (SyntheticCapture capture, int frame) = Build(LinkType.LinuxSll2);
        SyntheticFile file = capture.Build(CaptureFormat.Pcapng);
        int offset = (int)file.OffsetOf(frame);
        Span<byte> length = file.Bytes.AsSpan(offset + 4, 4);
        int declared = BinaryPrimitives.ReadInt32LittleEndian(length);
        // Small changes are relative to the length; large values replace it.
        BinaryPrimitives.WriteInt32LittleEndian(length, Math.Abs(change) <= 4 ? declared + change : change);
        string path = dir.Write("block.pcapng", file.Bytes);

        AssertDamagedAt(AuditCli.Json(path), path, offset, frame, why);
    }

    [Fact]
    public void PcapngCorruptTrailingBlockLength()
    {
        using var dir = new TempDirectory();
        (SyntheticCapture capture, int frame) = Build(LinkType.LinuxSll2);
        SyntheticFile file = capture.Build(CaptureFormat.Pcapng);
        int offset = (int)file.OffsetOf(frame);
        int declared = BinaryPrimitives.ReadInt32LittleEndian(file.Bytes.AsSpan(offset + 4));
        BinaryPrimitives.WriteInt32LittleEndian(file.Bytes.AsSpan(offset + declared - 4), declared + 8);
        string path = dir.Write("trailer.pcapng", file.Bytes);

        AssertDamagedAt(AuditCli.Json(path), path, offset, frame, $"trailing block length {declared + 8} of the enhanced packet block differs from the leading {declared}");
    }

    [Theory]
    [InlineData(uint.MaxValue)]
    [InlineData(16 * 1024 * 1024 + 1u)]
    [InlineData(262_145u)]
    public void PcapRecordLengthBeyondAnySaneSize(uint capturedLength)
    {
        using var dir = new TempDirectory();
        (SyntheticCapture capture, int frame) = Build();
        SyntheticFile file = capture.Build(CaptureFormat.Pcap);
        int offset = (int)file.OffsetOf(frame);
        BinaryPrimitives.WriteUInt32LittleEndian(file.Bytes.AsSpan(offset + 8), capturedLength);
        string path = dir.Write("huge.pcap", file.Bytes);

        AssertDamagedAt(AuditCli.Json(path), path, offset, frame, $"captured length {capturedLength} is larger than the snap length");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OneDamagedFileAndOneFineFile_TheFineOneIsFullyAudited(bool damagedFirst)
    {
        using var dir = new TempDirectory();
        (SyntheticCapture damaged, int frame) = Build();
        SyntheticFile damagedFile = damaged.Build(CaptureFormat.Pcap);
        long offset = damagedFile.OffsetOf(frame);
        string damagedPath = dir.Write("damaged.pcap", damagedFile.Bytes[..(int)(offset + 7)]);
        SyntheticCapture fine = SyntheticCaptureTests.Build(LinkType.LinuxSll2);
        string finePath = dir.File("fine.pcapng");
        fine.Write(finePath, CaptureFormat.Pcapng);
        string[] paths = damagedFirst ? [damagedPath, finePath] : [finePath, damagedPath];

        AuditOutcome outcome = AuditCli.Json(paths);

        Assert.True(outcome.ExitCode == AuditCommand.ExitDamaged, outcome.ToString());
        Assert.Contains($"{damagedPath}: byte offset {offset} (frame {frame}): file ends 7 bytes into a 16-byte record header", outcome.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain(finePath, outcome.Errors, StringComparison.Ordinal);
        JsonElement fineEntry = outcome.Files[damagedFirst ? 1 : 0];
        Assert.Equal(finePath, fineEntry.GetProperty("path").GetString());
        Assert.Equal(fine.Packets.Count, fineEntry.GetProperty("frames").GetInt64());
        Assert.False(fineEntry.TryGetProperty("error", out _));
        Assert.True(outcome.Files[damagedFirst ? 0 : 1].TryGetProperty("error", out _));

        // Every connection of the fine file, whole; the damaged file up to its damage.
        Assert.Equal(3, AuditOutcome.SubflowsOf(outcome.ConnectionOf(SyntheticCaptureTests.KeyA1)).Count);
        Assert.Equal(2, AuditOutcome.SubflowsOf(outcome.ConnectionOf(SyntheticCaptureTests.KeyB1)).Count);
        Assert.Equal(2, AuditOutcome.SubflowsOf(outcome.ConnectionOf(SyntheticCaptureTests.KeyC1)).Count);
        Scenario.AssertComplete(outcome, Scenario.BeforeClientKey);
        Assert.Single(AuditOutcome.SubflowsOf(outcome.ConnectionOf(Scenario.ClientKey)));
        Assert.Equal(5, outcome.Connections.Count);
        Assert.Equal(fine.Packets.Count + frame - 1, outcome.Json.GetProperty("tcpPackets").GetInt64());
        Assert.True(outcome.Total("invalid") == 0 && outcome.Total("unverifiable") == 0, outcome.ToString());
        Assert.Equal(4 + Scenario.ChecksPerComplete["join-token"], outcome.Count("join-token", "valid"));
    }
}
