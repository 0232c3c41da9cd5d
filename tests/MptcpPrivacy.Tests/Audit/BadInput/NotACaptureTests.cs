using System.Text;
using System.Text.Json;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Cli.Audit;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Audit.BadInput;

/// <summary>Files that are not captures at all, and files that cannot be opened: exit code 2 with a message naming the file.</summary>
public class NotACaptureTests
{
    public static TheoryData<string, string> Contents => new()
    {
        { "random", "not a pcap or pcapng file: magic number 0x" },
        { "empty", "the file is empty" },
        { "text", "not a pcap or pcapng file: magic number 0x64616548" },
        { "three-bytes", "the file is 3 bytes long, too short for a capture file header" },
        { "pcap-header-cut", "pcap file header cut short: the file has 10 of its 24 bytes" },
        { "pcapng-header-cut", "file ends 10 bytes into a section header block" },
    };

    private static byte[] Content(string kind)
    {
        SyntheticCapture capture = SyntheticCaptureTests.Build(MptcpPrivacy.Wire.Link.LinkType.Raw);
        switch (kind)
        {
            case "random":
                var bytes = new byte[4096];
                new Random(1234).NextBytes(bytes);
                return bytes;
            case "empty":
                return [];
            case "text":
                return Encoding.UTF8.GetBytes("Header line of a CSV file,not a capture\n1,2\n");
            case "three-bytes":
                return capture.Build(CaptureFormat.Pcap).Bytes[..3];
            case "pcap-header-cut":
                return capture.Build(CaptureFormat.Pcap).Bytes[..10];
            default:
                return capture.Build(CaptureFormat.Pcapng).Bytes[..10];
        }
    }

    [Theory]
    [MemberData(nameof(Contents))]
    public void NotACapture_ExitsTwoAndSaysWhy(string kind, string why)
    {
        using var dir = new TempDirectory();
        string path = dir.Write(kind + ".pcap", Content(kind));

        AuditOutcome outcome = AuditCli.Json(path);

        Assert.True(outcome.ExitCode == AuditCommand.ExitCannotRun, outcome.ToString());
        Assert.Contains($"{path}: byte offset 0 (frame 1): {why}", outcome.Errors, StringComparison.Ordinal);
        JsonElement file = outcome.Files.Single();
        Assert.Equal(0, file.GetProperty("frames").GetInt64());
        Assert.Equal(0, file.GetProperty("error").GetProperty("byteOffset").GetInt64());
        Assert.Empty(outcome.Connections);
    }

    [Fact]
    public void TextReportOfANonCaptureAlsoExitsTwo()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("notes.txt", Encoding.UTF8.GetBytes("just some notes\n"));

        AuditOutcome outcome = AuditCli.Run(json: false, path);

        Assert.True(outcome.ExitCode == AuditCommand.ExitCannotRun, outcome.ToString());
        Assert.Contains($"{path}: byte offset 0 (frame 1): not a pcap or pcapng file", outcome.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_ExitsTwoAndNamesIt()
    {
        using var dir = new TempDirectory();
        string missing = dir.File("no-such-capture.pcap");

        AuditOutcome outcome = AuditCli.Json(missing);

        Assert.True(outcome.ExitCode == AuditCommand.ExitCannotRun, outcome.ToString());
        Assert.Contains("audit: cannot open", outcome.Errors, StringComparison.Ordinal);
        Assert.Contains(missing, outcome.Errors, StringComparison.Ordinal);
        Assert.Equal("", outcome.Output);
    }

    [Fact]
    public void MissingFileNextToAGoodOne_ExitsTwo()
    {
        using var dir = new TempDirectory();
        string good = dir.File("good.pcap");
        SyntheticCaptureTests.Build(MptcpPrivacy.Wire.Link.LinkType.Raw).Write(good);
        string missing = dir.File("missing.pcap");

        AuditOutcome outcome = AuditCli.Json(good, missing);

        Assert.True(outcome.ExitCode == AuditCommand.ExitCannotRun, outcome.ToString());
        Assert.Contains(missing, outcome.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public void DirectoryInsteadOfAFile_ExitsTwoAndNamesIt()
    {
        using var dir = new TempDirectory();

        AuditOutcome outcome = AuditCli.Json(dir.Path);

        Assert.True(outcome.ExitCode == AuditCommand.ExitCannotRun, outcome.ToString());
        Assert.Contains(dir.Path, outcome.Errors, StringComparison.Ordinal);
    }
}
