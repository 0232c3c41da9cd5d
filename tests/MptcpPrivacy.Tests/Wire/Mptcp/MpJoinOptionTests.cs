using MptcpPrivacy.Wire.Mptcp;
using static MptcpPrivacy.Tests.Wire.Mptcp.OptionBytes;

namespace MptcpPrivacy.Tests.Wire.Mptcp;

/// <summary>RFC 8684 §3.2. Vectors: mptcp-vectors.md §3.1 (tcpdump mptcp-v0.pcap) and §3.6 (Linux 6.18).</summary>
public class MpJoinOptionTests
{
    [Fact]
    public void Rfc8684_3_2_Syn_TcpdumpV0()
    {
        const string hex = "1e0c1000e47f01421b665a18";
        MpJoinOption o = Parse(hex, MptcpSubtype.MpJoin).MpJoin;
        Assert.Equal(MpJoinForm.Syn, o.Form);
        Assert.False(o.Backup);
        Assert.Equal(0, o.AddressId);
        Assert.Equal(0xe47f0142u, o.ReceiverToken);
        Assert.Equal(0x1b665a18u, o.SenderNonce);
        Assert.Equal(MpJoinOption.Syn(0xe47f0142, 0x1b665a18, 0, false), o);
        AssertWritesBackAndRefusesTruncation(hex);
        AssertOtherLengthsRefused(hex, 16, 24);
    }

    [Fact]
    public void Rfc8684_3_2_SynWithAddressIdAndBackup_Layout()
    {
        const string hex = "1e0c1107133d7175cd71f13e";
        MpJoinOption o = Parse(hex, MptcpSubtype.MpJoin).MpJoin;
        Assert.True(o.Backup);
        Assert.Equal(7, o.AddressId);
        Assert.Equal(0x133d7175u, o.ReceiverToken);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc8684_3_2_SynAck_TcpdumpV0()
    {
        const string hex = "1e1010015ab680c7884af03d33abe9d5";
        MpJoinOption o = Parse(hex, MptcpSubtype.MpJoin).MpJoin;
        Assert.Equal(MpJoinForm.SynAck, o.Form);
        Assert.Equal(1, o.AddressId);
        Assert.Equal(0x5ab680c7884af03dUL, o.TruncatedHmac);
        Assert.Equal(0x33abe9d5u, o.SenderNonce);
        Assert.Equal(MpJoinOption.SynAck(0x5ab680c7884af03d, 0x33abe9d5, 1, false), o);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void Rfc8684_3_2_Ack_Linux618()
    {
        const string hex = "1e1810005754604c866013241d1a504a6b67ed1c68f45024";
        MpJoinOption o = Parse(hex, MptcpSubtype.MpJoin).MpJoin;
        Assert.Equal(MpJoinForm.Ack, o.Form);
        Assert.Equal("5754604c866013241d1a504a6b67ed1c68f45024", o.Hmac.ToString());
        Assert.Equal(MpJoinOption.Ack(Hmac160.FromSpan(Hex("5754604c866013241d1a504a6b67ed1c68f45024"))), o);
        AssertWritesBackAndRefusesTruncation(hex);
    }

    [Fact]
    public void ReservedBitsAreKeptAsRead()
    {
        AssertWritesBackAndRefusesTruncation("1e0c1e0a01020304aabbccdd");
        AssertWritesBackAndRefusesTruncation("1e181fff5754604c866013241d1a504a6b67ed1c68f45024");
        Assert.Equal(0xfff, Parse("1e181fff5754604c866013241d1a504a6b67ed1c68f45024", MptcpSubtype.MpJoin).MpJoin.Reserved);
    }
}
