using System.Text.Json;
using MptcpPrivacy.Cli.Decode;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Cli;

/// <summary><c>decode</c> end to end: output shapes, malformed options, damaged and foreign files.</summary>
public class DecodeCommandTests
{
    [Fact]
    public void TcpdumpDssOutOfBoundsReadCaptureFailsCleanly()
    {
        // tcpdump's mptcp-dss-oobr.pcap: a DSS of length 3. Reported as a malformed option; the rest goes on.
        DecodeRunner.Result result = DecodeRunner.Run(Fixtures.Path_("tcpdump/mptcp-dss-oobr.pcap"));
        Assert.Equal(DecodeCommand.ExitOk, result.ExitCode);
        JsonElement option = Assert.Single(result.Packets).GetProperty("options")[0];
        Assert.Equal("DSS", option.GetProperty("subtype").GetString());
        Assert.Equal("BadLength", option.GetProperty("error").GetString());
        Assert.Equal("1e0320", option.GetProperty("raw").GetString());
    }

    [Fact]
    public void JsonCarriesThePacketFieldsTheIssueNames()
    {
        DecodeRunner.Result result = DecodeRunner.Run(Fixtures.Path_("kernel/join-3paths.pcap"));
        Assert.Equal(DecodeCommand.ExitOk, result.ExitCode);
        JsonElement first = result.Packets[0];
        foreach (string field in new[] { "frame", "src", "dst", "sport", "dport", "interface", "options" })
        {
            Assert.True(first.TryGetProperty(field, out _), field);
        }

        Assert.Equal("MP_CAPABLE", first.GetProperty("options")[0].GetProperty("subtype").GetString());
        Assert.Equal(2, first.GetProperty("interface").GetInt32());
        JsonElement join = result.Packets.First(p => p.GetProperty("options").EnumerateArray().Any(o => o.GetProperty("subtype").GetString() == "MP_JOIN"));
        JsonElement joinOption = join.GetProperty("options").EnumerateArray().First(o => o.GetProperty("subtype").GetString() == "MP_JOIN");
        Assert.Matches("^[0-9a-f]{8}$", joinOption.GetProperty("token").GetString()!);
        Assert.Matches("^[0-9a-f]{8}$", joinOption.GetProperty("nonce").GetString()!);
    }

    [Fact]
    public void TextOutputIsOneLinePerMptcpPacket()
    {
        DecodeRunner.Result json = DecodeRunner.Run(Fixtures.Path_("tcpdump/mptcp-v1.pcap"));
        DecodeRunner.Result text = DecodeRunner.Run(Fixtures.Path_("tcpdump/mptcp-v1.pcap"), json: false);
        string[] lines = text.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(json.Packets.Count, lines.Length);
        Assert.Contains("MP_CAPABLE version 1 flags 1 senderKey 1fdb5df328bc3def receiverKey 29a6c86981ad933c dataLength 8192", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedFileDecodesWhatCameBeforeAndNamesTheOffset()
    {
        byte[] whole = File.ReadAllBytes(Fixtures.Path_("tcpdump/mptcp-v0.pcap"));
        string path = Path.Combine(Path.GetTempPath(), $"cut-{Guid.NewGuid():n}.pcap");
        try
        {
            File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
            DecodeRunner.Result result = DecodeRunner.Run(path);
            Assert.Equal(DecodeCommand.ExitDamaged, result.ExitCode);
            Assert.Contains("byte offset", result.Errors, StringComparison.Ordinal);
            Assert.InRange(result.Packets.Count, 100, 263);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void NotACaptureOrMissingIsExitTwo()
    {
        string path = Path.Combine(Path.GetTempPath(), $"text-{Guid.NewGuid():n}.pcap");
        try
        {
            File.WriteAllText(path, "this is not a capture file\n");
            DecodeRunner.Result result = DecodeRunner.Run(path);
            Assert.Equal(DecodeCommand.ExitCannotRead, result.ExitCode);
            Assert.Contains("not a pcap or pcapng file", result.Errors, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }

        DecodeRunner.Result missing = DecodeRunner.Run("/nonexistent/nothing.pcap");
        Assert.Equal(DecodeCommand.ExitCannotRead, missing.ExitCode);
        Assert.Contains("cannot open", missing.Errors, StringComparison.Ordinal);
    }
}
