using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Mptcp;
using static MptcpPrivacy.Tests.Wire.Mptcp.OptionBytes;

namespace MptcpPrivacy.Tests.Wire.Mptcp;

/// <summary>RFC 8684 §3.1. Vectors: mptcp-vectors.md §3.1 (tcpdump mptcp-v0.pcap), §3.3 (mptcp-v1.pcap), §3.6 (Linux 6.18).</summary>
public class MpCapableOptionTests
{
    [Fact]
    public void Rfc8684_3_1_V1Syn_TcpdumpV1()
    {
        MpCapableOption o = Parse("1e040101", MptcpSubtype.MpCapable).MpCapable;
        Assert.Equal(1, o.Version);
        Assert.Equal(MpCapableFlags.HmacSha256, o.Flags);
        Assert.False(o.HasSenderKey);
        Assert.False(o.HasReceiverKey);
        AssertWritesBackAndRefusesTruncation("1e040101");
        AssertOtherLengthsRefused("1e040101", 12, 20, 22, 24);
    }

    [Fact]
    public void Rfc8684_3_1_V1SynWithChecksumFlag_Linux()
    {
        MpCapableOption o = Parse("1e040181", MptcpSubtype.MpCapable).MpCapable;
        Assert.Equal(MpCapableFlags.ChecksumRequired | MpCapableFlags.HmacSha256, o.Flags);
    }

    [Fact]
    public void Rfc8684_3_1_V1SynAck_TcpdumpV1()
    {
        const string hex = "1e0c010129a6c86981ad933c";
        MpCapableOption o = Parse(hex, MptcpSubtype.MpCapable).MpCapable;
        Assert.Equal(1, o.Version);
        Assert.True(o.HasSenderKey);
        Assert.False(o.HasReceiverKey);
        Assert.Equal(0x29a6c86981ad933cUL, o.SenderKey);
        Assert.Equal(MpCapableOption.SynAck(MpCapableFlags.HmacSha256, 0x29a6c86981ad933c), o);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc8684_3_1_V1ThirdAck_TcpdumpV1()
    {
        const string hex = "1e1401011fdb5df328bc3def29a6c86981ad933c";
        MpCapableOption o = Parse(hex, MptcpSubtype.MpCapable).MpCapable;
        Assert.Equal(0x1fdb5df328bc3defUL, o.SenderKey);
        Assert.Equal(0x29a6c86981ad933cUL, o.ReceiverKey);
        Assert.False(o.HasDataLevelLength);
        Assert.Equal(MpCapableOption.Ack(MpCapableFlags.HmacSha256, 0x1fdb5df328bc3def, 0x29a6c86981ad933c), o);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc8684_3_1_V1AckWithData_TcpdumpV1()
    {
        const string hex = "1e1601011fdb5df328bc3def29a6c86981ad933c2000";
        MpCapableOption o = Parse(hex, MptcpSubtype.MpCapable).MpCapable;
        Assert.True(o.HasDataLevelLength);
        Assert.False(o.HasChecksum);
        Assert.Equal(8192, o.DataLevelLength);
        Assert.Equal(MpCapableOption.AckWithData(MpCapableFlags.HmacSha256, 0x1fdb5df328bc3def, 0x29a6c86981ad933c, 8192, null), o);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc8684_3_1_V1AckWithDataAndChecksum_Layout()
    {
        // Layout literal (RFC 8684 §3.1 figure): keys, DLL 15, checksum 0x54c1.
        const string hex = "1e180181e31b40559375d185cde5b266e90a4e72000f54c1";
        MpCapableOption o = Parse(hex, MptcpSubtype.MpCapable).MpCapable;
        Assert.True(o.HasChecksum);
        Assert.Equal(15, o.DataLevelLength);
        Assert.Equal(0x54c1, o.Checksum);
        Assert.Equal(MpCapableOption.AckWithData(MpCapableFlags.ChecksumRequired | MpCapableFlags.HmacSha256, 0xe31b40559375d185, 0xcde5b266e90a4e72, 15, 0x54c1), o);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc6824_3_1_V0Syn_TcpdumpV0()
    {
        const string hex = "1e0c00819c9eabd1e46a33b2";
        MpCapableOption o = Parse(hex, MptcpSubtype.MpCapable).MpCapable;
        Assert.Equal(0, o.Version);
        Assert.Equal(MpCapableFlags.ChecksumRequired | MpCapableFlags.HmacSha256, o.Flags);
        Assert.Equal(0x9c9eabd1e46a33b2UL, o.SenderKey);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void UnknownVersionAndFlagsAreKeptAsRead()
    {
        // Version 15 and every flag: the codec reads and writes; deciding to fall back is the stack's job.
        const string hex = "1e040fff";
        MpCapableOption o = Parse(hex, MptcpSubtype.MpCapable).MpCapable;
        Assert.Equal(15, o.Version);
        Assert.Equal((MpCapableFlags)0xff, o.Flags);
        AssertWritesBackAndRefusesTruncation(hex);
    }
}
