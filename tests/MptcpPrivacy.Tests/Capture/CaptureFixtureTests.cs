using MptcpPrivacy.Capture;
using static MptcpPrivacy.Tests.Capture.CaptureTestFiles;
using Link = MptcpPrivacy.Wire.Link;

using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Tests.Capture;

/// <summary>Reads captures written by tcpdump and Wireshark tools; every expected value comes from tshark / capinfos.</summary>
public class CaptureFixtureTests
{
    [Theory]
    // file, link type, snap length, frames, first frame time (ns), its length, last frame offset, its length, IPv4 frames
    [InlineData("mptcp-aa-echo.pcap", LinkType.LinuxSll, 65535, 2, 1601550140_402400000L, 92, 132L, 88, 2)]
    [InlineData("mptcp-aa-v1.pcap", LinkType.Ethernet, 262144, 24, 1582742655_949492000L, 90, 2526L, 78, 24)]
    [InlineData("mptcp-dss-oobr.pcap", LinkType.Ethernet, 73, 1, 1415590328_002213000L, 74, 24L, 74, 1)]
    [InlineData("mptcp-fclose.pcap", LinkType.Ethernet, 65535, 11, 1361806842_767916000L, 42, 926L, 74, 9)]
    [InlineData("mptcp-tcprst.pcap", LinkType.Raw, 262144, 2, 1620829639_175792000L, 44, 84L, 44, 2)]
    [InlineData("mptcp-v0.pcap", LinkType.Ethernet, 65535, 264, 1361796995_701161000L, 86, 39304L, 74, 264)]
    [InlineData("mptcp-v1.pcap", LinkType.LinuxSll, 65535, 20, 1578930666_676845000L, 80, 22492L, 80, 20)]
    public void Tcpdump_test_captures_read_completely(string file, LinkType linkType, int snapLength, int frames, long firstTime, int firstLength, long lastOffset, int lastLength, int ipv4Frames)
    {
        var bytes = File.ReadAllBytes(Fixture("tcpdump", file));
        var result = ReadAll(bytes);

        Assert.Null(result.Error);
        Assert.Equal(CaptureFormat.Pcap, result.Format);
        var captureInterface = Assert.Single(result.Interfaces);
        Assert.Equal(linkType, captureInterface.LinkType);
        Assert.Equal(snapLength, captureInterface.SnapLength);
        Assert.Equal(1_000_000UL, captureInterface.TicksPerSecond);
        Assert.Equal(-1, captureInterface.FcsLength);
        Assert.Equal(frames, result.Frames.Count);
        Assert.Equal(Enumerable.Range(1, frames).Select(n => (long)n), result.Frames.Select(f => f.Number));

        var first = result.Frames[0];
        Assert.Equal(24, first.ByteOffset);
        Assert.Equal(firstTime, first.TimestampNanoseconds);
        Assert.Equal(firstLength, first.Data.Length);
        Assert.Equal(firstLength, first.OriginalLength);
        var last = result.Frames[^1];
        Assert.Equal(lastOffset, last.ByteOffset);
        Assert.Equal(lastLength, last.Data.Length);
        Assert.Equal(bytes.Length, last.ByteOffset + 16 + last.Data.Length);

        // Records follow one another with no gaps, and every frame's bytes are the file's bytes.
        for (var i = 0; i < result.Frames.Count; i++)
        {
            var frame = result.Frames[i];
            Assert.Equal(0, frame.InterfaceId);
            Assert.Equal(linkType, frame.LinkType);
            Assert.Equal(bytes.AsSpan((int)frame.ByteOffset + 16, frame.Data.Length).ToArray(), frame.Data);
            if (i > 0)
            {
                var previous = result.Frames[i - 1];
                Assert.Equal(previous.ByteOffset + 16 + previous.Data.Length, frame.ByteOffset);
            }
        }

        // The link layer sees as many IPv4 packets as tshark does.
        var ipv4 = result.Frames.Count(f =>
            Link.LinkFrame.TryParse((Link.LinkType)f.LinkType, f.Data, out var linkFrame, out _) && linkFrame.NetworkProtocol == Link.NetworkProtocol.Ipv4);
        Assert.Equal(ipv4Frames, ipv4);
    }

    [Fact]
    public void Dss_oobr_is_damaged_in_its_mptcp_option_not_in_its_framing()
    {
        // The file's snap length is 73 but its one record holds 74 bytes; libpcap and tshark accept
        // that, and so do we. The out-of-bounds DSS option inside is for the MPTCP parser to meet.
        var result = ReadAll(File.ReadAllBytes(Fixture("tcpdump", "mptcp-dss-oobr.pcap")));
        Assert.Null(result.Error);
        var frame = Assert.Single(result.Frames);
        Assert.Equal(73, result.Interfaces[0].SnapLength);
        Assert.Equal(74, frame.Data.Length);
        Assert.Equal(74, frame.OriginalLength);
    }

    [Fact]
    public void Dumpcap_pcapng_with_options_and_a_statistics_block()
    {
        var result = ReadAll(File.ReadAllBytes(Fixture("capture", "dumpcap-lo-udp.pcapng")));
        Assert.Null(result.Error);
        Assert.Equal(CaptureFormat.Pcapng, result.Format);
        var captureInterface = Assert.Single(result.Interfaces);
        Assert.Equal(new CaptureInterface(LinkType.Ethernet, 262144, "lo", 1_000_000_000UL, 0, -1), captureInterface);

        Assert.Equal(2, result.Frames.Count);
        Assert.Equal(new[] { 1795337311_394619978L, 1795337311_394751699L }, result.Frames.Select(f => f.TimestampNanoseconds));
        Assert.Equal(new[] { 0x108L, 0x16CL }, result.Frames.Select(f => f.ByteOffset));
        Assert.All(result.Frames, f => Assert.Equal(65, f.Data.Length));
        Assert.All(result.Frames, f => Assert.Equal(65, f.OriginalLength));
        Assert.EndsWith("mptcp-privacy fixture 0", System.Text.Encoding.ASCII.GetString(result.Frames[0].Data));
        Assert.EndsWith("mptcp-privacy fixture 1", System.Text.Encoding.ASCII.GetString(result.Frames[1].Data));
    }

    [Fact]
    public void Mergecap_pcapng_with_two_link_types()
    {
        var result = ReadAll(File.ReadAllBytes(Fixture("capture", "merged-raw-sll.pcapng")));
        Assert.Null(result.Error);
        Assert.Equal(new[] { LinkType.Raw, LinkType.LinuxSll }, result.Interfaces.Select(i => i.LinkType));
        Assert.Equal(new[] { 262144, 65535 }, result.Interfaces.Select(i => i.SnapLength));
        Assert.All(result.Interfaces, i => Assert.Equal(1_000_000UL, i.TicksPerSecond));
        Assert.Equal(new[] { 1, 1, 0, 0 }, result.Frames.Select(f => f.InterfaceId));
        Assert.Equal(new[] { LinkType.LinuxSll, LinkType.LinuxSll, LinkType.Raw, LinkType.Raw }, result.Frames.Select(f => f.LinkType));
        Assert.Equal(new[] { 1601550140_402400000L, 1601550140_602589000L, 1620829639_175792000L, 1620829639_175964000L }, result.Frames.Select(f => f.TimestampNanoseconds));
        Assert.Equal(new[] { 92, 88, 44, 44 }, result.Frames.Select(f => f.Data.Length));

        // The same packets as in the source pcap files, byte for byte.
        var echo = ReadAll(File.ReadAllBytes(Fixture("tcpdump", "mptcp-aa-echo.pcap")));
        var rst = ReadAll(File.ReadAllBytes(Fixture("tcpdump", "mptcp-tcprst.pcap")));
        Assert.Equal(echo.Frames.Concat(rst.Frames).Select(f => f.Data), result.Frames.Select(f => f.Data));
    }

    [Theory]
    [InlineData("tcprst-nsec.pcap", CaptureFormat.Pcap, 1_000_000_000UL, 24L, 84L)]
    [InlineData("tcprst-modified.pcap", CaptureFormat.Pcap, 1_000_000UL, 24L, 92L)]
    [InlineData("tcprst-nsec.pcapng", CaptureFormat.Pcapng, 1_000_000_000UL, 0x8CL, 0xD8L)]
    public void Format_variants_of_one_capture_give_the_same_packets(string file, CaptureFormat format, ulong ticksPerSecond, long firstOffset, long secondOffset)
    {
        var original = ReadAll(File.ReadAllBytes(Fixture("tcpdump", "mptcp-tcprst.pcap")));
        var result = ReadAll(File.ReadAllBytes(Fixture("capture", file)));
        Assert.Null(result.Error);
        Assert.Equal(format, result.Format);
        Assert.Equal(ticksPerSecond, Assert.Single(result.Interfaces).TicksPerSecond);
        Assert.Equal(new[] { firstOffset, secondOffset }, result.Frames.Select(f => f.ByteOffset));
        Assert.Equal(original.Frames.Select(f => (f.TimestampNanoseconds, f.OriginalLength, f.LinkType, Convert.ToHexString(f.Data))),
            result.Frames.Select(f => (f.TimestampNanoseconds, f.OriginalLength, f.LinkType, Convert.ToHexString(f.Data))));
    }

    [Fact]
    public void Open_by_path_reads_the_same_as_by_stream()
    {
        var path = Fixture("tcpdump", "mptcp-fclose.pcap");
        using var reader = CaptureReader.Open(path);
        var count = 0;
        while (reader.TryReadNext(out _))
        {
            count++;
        }

        Assert.Null(reader.Error);
        Assert.Equal(11, count);
        Assert.Throws<FileNotFoundException>(() => CaptureReader.Open(Fixture("tcpdump", "no-such-file.pcap")));
    }
}
