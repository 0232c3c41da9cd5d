using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Mptcp;
using static MptcpPrivacy.Tests.Wire.Mptcp.OptionBytes;

namespace MptcpPrivacy.Tests.Wire.Mptcp;

/// <summary>RFC 8684 §3.3. Vectors: mptcp-vectors.md §3.1, §3.3, §3.6.</summary>
public class DssOptionTests
{
    [Fact]
    public void Rfc8684_3_3_Ack32Dsn32Checksum_TcpdumpV0()
    {
        const string hex = "1e142005d52abecad1b9749000000001 0029 082f";
        DssOption o = Parse(hex, MptcpSubtype.Dss).Dss;
        Assert.Equal(DssFlags.DataAckPresent | DssFlags.MappingPresent, o.Flags);
        Assert.True(o.HasDataAck);
        Assert.False(o.DataAckIs64Bit);
        Assert.Equal(0xd52abecaUL, o.DataAck);
        Assert.Equal(0xd1b97490UL, o.DataSequenceNumber);
        Assert.Equal(1u, o.SubflowSequenceNumber);
        Assert.Equal(41, o.DataLevelLength);
        Assert.True(o.HasChecksum);
        Assert.Equal(0x082f, o.Checksum);
        AssertWritesBackAndRefusesTruncation(hex);
        AssertOtherLengthsRefused(hex, 18);
    }

    [Fact]
    public void Rfc8684_3_3_DataFinOnly_TcpdumpV0()
    {
        const string hex = "1e142015d1b99601d52ad2cb0000000000010a51";
        DssOption o = Parse(hex, MptcpSubtype.Dss).Dss;
        Assert.True(o.DataFin);
        Assert.Equal(0u, o.SubflowSequenceNumber);
        Assert.Equal(1, o.DataLevelLength);
        Assert.Equal(0x0a51, o.Checksum);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc8684_3_3_Ack64Dsn64NoChecksum_TcpdumpV1()
    {
        const string hex = "1e1a200fc8072fb90edab04ea28e87fddd1d30f2000000012000";
        DssOption o = Parse(hex, MptcpSubtype.Dss).Dss;
        Assert.True(o.DataAckIs64Bit);
        Assert.True(o.DsnIs64Bit);
        Assert.False(o.HasChecksum);
        Assert.Equal(0xc8072fb90edab04eUL, o.DataAck);
        Assert.Equal(0xa28e87fddd1d30f2UL, o.DataSequenceNumber);
        Assert.Equal(8192, o.DataLevelLength);
        AssertWritesBackAndRefusesTruncation(hex);
        AssertOtherLengthsRefused(hex, 28);
    }

    [Fact]
    public void Rfc8684_3_3_PureAck64_TcpdumpV1()
    {
        const string hex = "1e0c2003c8072fb90edab04e";
        DssOption o = Parse(hex, MptcpSubtype.Dss).Dss;
        Assert.False(o.HasMapping);
        Assert.Equal(0xc8072fb90edab04eUL, o.DataAck);
        Assert.Equal(12, DssOption.LengthFor(o.Flags, false));
        AssertWritesBackAndRefusesTruncation(hex);
        AssertOtherLengthsRefused(hex);
    }

    [Fact]
    public void Rfc8684_3_3_DataFin64_TcpdumpV1()
    {
        const string hex = "1e1a201fa28e87fddd1d50f2c8072fb90edad86a000000000001";
        DssOption o = Parse(hex, MptcpSubtype.Dss).Dss;
        Assert.True(o.DataFin);
        Assert.Equal(0xc8072fb90edad86aUL, o.DataSequenceNumber);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc8684_3_3_Ack32Dsn64WithChecksum_Linux618()
    {
        const string hex = "1e18200d1b14ed5867f5bfea422d70f000000001000f54c1";
        DssOption o = Parse(hex, MptcpSubtype.Dss).Dss;
        Assert.Equal(DssFlags.DataAckPresent | DssFlags.MappingPresent | DssFlags.DsnIs8Octets, o.Flags);
        Assert.Equal(0x1b14ed58UL, o.DataAck);
        Assert.Equal(0x67f5bfea422d70f0UL, o.DataSequenceNumber);
        Assert.Equal(0x54c1, o.Checksum);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc8684_3_3_EmptyDss_FlagsOnly()
    {
        // No Data ACK, no mapping: legal (length 4); a and m without A and M are kept as read.
        AssertWritesBackAndRefusesTruncation("1e04200a");
        DssOption o = Parse("1e04200a", MptcpSubtype.Dss).Dss;
        Assert.False(o.HasDataAck);
        Assert.False(o.HasMapping);
    }

    [Fact]
    public void ChecksumWithoutMappingIsBadLength()
    {
        Assert.False(MptcpOption.TryParse(Hex("1e0a20010000000100aa"), out _, out WireError error));
        Assert.Equal(WireError.BadLength, error);
    }

    [Fact]
    public void ReservedBitsAreKeptAsRead()
    {
        const string hex = "1e0c2fe3c8072fb90edab04e";
        Assert.Equal(0x7f, Parse(hex, MptcpSubtype.Dss).Dss.Reserved);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void EncodingA32BitFieldTooLargeIsOurBug()
    {
        var o = new DssOption { Flags = DssFlags.DataAckPresent, DataAck = 1UL << 40 };
        Assert.Throws<InvalidOperationException>(() => o.Encode(new byte[40]));
    }
}
