using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>Building an options area (RFC 9293 §3.2) in the layouts Linux sends.</summary>
public class TcpOptionWriterTests
{
    [Fact]
    public void LinuxSynLayout_TcpdumpV0Frame1()
    {
        // MSS, SACK-Permitted, Timestamps, NOP, Window Scale, MP_CAPABLE: frame 1 of tcpdump mptcp-v0.pcap.
        Span<byte> buffer = stackalloc byte[40];
        buffer.Fill(0xCC);
        var writer = new TcpOptionWriter(buffer);
        writer.Add(new MaximumSegmentSizeOption(1460));
        writer.Add(default(SackPermittedOption));
        writer.AddAligned(new TimestampsOption(0xffffa1b0, 0));
        writer.AddAligned(new WindowScaleOption(6));
        writer.AddRaw(Hex.Bytes("1e0c00819c9eabd1e46a33b2"));
        Assert.Equal(32, writer.Length);
        Assert.Equal("020405b40402080affffa1b00000000001030306" + "1e0c00819c9eabd1e46a33b2", Hex.Of(writer.Written));
        Assert.Equal(0xCC, buffer[32]);
    }

    [Fact]
    public void AddAligned_PutsNopsInFront_SoTheOptionEndsOnAWord()
    {
        Span<byte> buffer = stackalloc byte[40];
        var writer = new TcpOptionWriter(buffer);
        writer.AddAligned(new TimestampsOption(1, 2));
        writer.AddAligned(new SackOption(new SackBlock(3, 4)));
        writer.AddAligned(new MaximumSegmentSizeOption(1));
        Assert.Equal("0101080a0000000100000002" + "0101050a0000000300000004" + "02040001", Hex.Of(writer.Written));
    }

    [Fact]
    public void Full_IsOurBug_Throws()
    {
        byte[] buffer = new byte[4];
        Assert.Throws<ArgumentException>(() =>
        {
            var writer = new TcpOptionWriter(buffer);
            writer.Add(new MaximumSegmentSizeOption(1));
            writer.AddNop();
        });
        Assert.Throws<ArgumentException>(() => new TcpOptionWriter(buffer).Add(new TimestampsOption(1, 2)));
        Assert.Throws<ArgumentException>(() => new TcpOptionWriter(buffer).AddRaw(new byte[5]));
    }
}
