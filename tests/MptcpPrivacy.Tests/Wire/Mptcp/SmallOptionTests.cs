using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Mptcp;
using static MptcpPrivacy.Tests.Wire.Mptcp.OptionBytes;

namespace MptcpPrivacy.Tests.Wire.Mptcp;

/// <summary>REMOVE_ADDR, MP_PRIO, MP_FAIL, MP_FASTCLOSE, MP_TCPRST and subtype 0xf.</summary>
public class SmallOptionTests
{
    [Fact]
    public void Rfc8684_3_4_2_RemoveAddrSingle_TcpdumpV0AndLinux()
    {
        RemoveAddrOption o = Parse("1e044006", MptcpSubtype.RemoveAddr).RemoveAddr;
        Assert.Equal(1, o.Count);
        Assert.Equal(6, o[0]);
        Assert.Equal(new RemoveAddrOption([6]), o);
        AssertWritesBackAndRefusesTruncation("1e044006");
        AssertWritesBackAndRefusesTruncation("1e044000");
    }

    [Fact]
    public void Rfc8684_3_4_2_RemoveAddrList_Layout()
    {
        const string hex = "1e074001020304";
        RemoveAddrOption o = Parse(hex, MptcpSubtype.RemoveAddr).RemoveAddr;
        Assert.Equal(4, o.Count);
        byte[] ids = new byte[4];
        o.CopyAddressIdsTo(ids);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, ids);
        Assert.Throws<ArgumentOutOfRangeException>(() => o[4]);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc8684_3_4_2_RemoveAddrLongestList()
    {
        string hex = "1e2840" + string.Concat(Enumerable.Range(1, 37).Select(i => i.ToString("x2")));
        RemoveAddrOption o = Parse(hex, MptcpSubtype.RemoveAddr).RemoveAddr;
        Assert.Equal(37, o.Count);
        Assert.Equal(37, o[36]);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc8684_3_4_2_RemoveAddrWithoutIdIsBadLength()
    {
        Assert.False(MptcpOption.TryParse(Hex("1e0340"), out _, out WireError error));
        Assert.Equal(WireError.BadLength, error);
    }

    [Fact]
    public void Rfc8684_3_3_8_MpPrioBackup_Linux618()
    {
        MpPrioOption o = Parse("1e0351", MptcpSubtype.MpPrio).MpPrio;
        Assert.True(o.Backup);
        Assert.False(o.HasAddressId);
        AssertWritesBackAndRefusesTruncation("1e0351");
        AssertOtherLengthsRefused("1e0351", 4);
    }

    [Fact]
    public void Rfc6824_3_3_8_MpPrioWithAddressId_Layout()
    {
        MpPrioOption o = Parse("1e045003", MptcpSubtype.MpPrio).MpPrio;
        Assert.False(o.Backup);
        Assert.True(o.HasAddressId);
        Assert.Equal(3, o.AddressId);
        AssertWritesBackAndRefusesTruncation("1e045003");
    }

    [Fact]
    public void Rfc8684_3_7_MpFail_Layout()
    {
        const string hex = "1e0c600067f5bfea422d70f0";
        MpFailOption o = Parse(hex, MptcpSubtype.MpFail).MpFail;
        Assert.Equal(0x67f5bfea422d70f0UL, o.DataSequenceNumber);
        Assert.Equal(new MpFailOption(0x67f5bfea422d70f0), o);
        AssertWritesBackAndRefusesTruncation(hex);
        AssertOtherLengthsRefused(hex);
    }

    [Fact]
    public void Rfc8684_3_5_MpFastClose_TcpdumpFclose()
    {
        const string hex = "1e0c7000d005b1ab34bad344";
        MpFastCloseOption o = Parse(hex, MptcpSubtype.MpFastClose).MpFastClose;
        Assert.Equal(0xd005b1ab34bad344UL, o.ReceiverKey);
        AssertWritesBackAndRefusesTruncation(hex);
        AssertOtherLengthsRefused(hex);
    }

    [Theory]
    [InlineData("1e048000", MpTcpRstFlags.None, 0)]
    [InlineData("1e048101", MpTcpRstFlags.Transient, 1)]
    [InlineData("1e048f06", MpTcpRstFlags.U | MpTcpRstFlags.V | MpTcpRstFlags.W | MpTcpRstFlags.Transient, 6)]
    public void Rfc8684_3_6_MpTcpRst_TcpdumpTcprst(string hex, MpTcpRstFlags flags, byte reason)
    {
        MpTcpRstOption o = Parse(hex, MptcpSubtype.MpTcpRst).MpTcpRst;
        Assert.Equal(flags, o.Flags);
        Assert.Equal(reason, o.Reason);
        AssertWritesBackAndRefusesTruncation(hex);
        AssertOtherLengthsRefused(hex);
    }

    [Fact]
    public void Rfc8684_3_6_ReasonNames()
    {
        Assert.Equal("middlebox interference", MpTcpRstOption.Describe(6));
        Assert.Equal("unknown (200)", MpTcpRstOption.Describe(200));
    }

    [Fact]
    public void Rfc8684_7_2_Experimental_KeptRaw()
    {
        const string hex = "1e08f5deadbeef01";
        MpExperimentalOption o = Parse(hex, MptcpSubtype.MpExperimental).MpExperimental;
        Assert.Equal(5, o.LowNibble);
        Assert.Equal(5, o.DataLength);
        Assert.Equal(new MpExperimentalOption(5, Hex("deadbeef01")), o);
        AssertWritesBackAndRefusesTruncation(hex);
        AssertWritesBackAndRefusesTruncation("1e03f0");
    }

    [Theory]
    [InlineData(0x9)]
    [InlineData(0xa)]
    [InlineData(0xe)]
    public void Rfc8684_7_2_UnassignedSubtypeIsTypedError(int subtype)
    {
        byte[] bytes = [30, 4, (byte)(subtype << 4), 0];
        Assert.False(MptcpOption.TryParse(bytes, out _, out WireError error));
        Assert.Equal(WireError.UnknownSubtype, error);
    }

    [Fact]
    public void DefaultUnionIsOurBugNotAPeerFault()
    {
        MptcpOption none = default;
        Assert.Throws<InvalidOperationException>(() => none.Subtype);
        Assert.Throws<InvalidOperationException>(() => Parse("1e0351", MptcpSubtype.MpPrio).Dss);
    }
}
