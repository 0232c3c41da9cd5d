using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>SACK option (RFC 2018 §3): one to four blocks.</summary>
public class SackOptionTests
{
    private static readonly byte[] OneBlock = Hex.Bytes("050a" + "00000064000000c8");
    private static readonly byte[] FourBlocks = Hex.Bytes("0522" + "0000000100000002" + "0000000300000004" + "fffffff000000010" + "8000000080000100");

    [Fact]
    public void Rfc2018_3_ReadsOneBlock()
    {
        SackOption sack = TcpOptionValueContract.Parse<SackOption>(SackOption.TryParse, OneBlock);
        Assert.Equal(1, sack.Count);
        Assert.Equal(new SackBlock(100, 200), sack[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => sack[1]);
    }

    [Fact]
    public void Rfc2018_3_ReadsFourBlocks_InWireOrder()
    {
        SackOption sack = TcpOptionValueContract.Parse<SackOption>(SackOption.TryParse, FourBlocks);
        Assert.Equal(4, sack.Count);
        Assert.Equal(new SackBlock(1, 2), sack[0]);
        Assert.Equal(new SackBlock(3, 4), sack[1]);
        Assert.Equal(new SackBlock(0xfffffff0, 0x10), sack[2]);
        Assert.Equal(new SackBlock(0x80000000, 0x80000100), sack[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => sack[-1]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Rfc2018_3_EachBlockCount_RoundTrips(int count)
    {
        byte[] bytes = [5, (byte)(2 + (8 * count)), .. FourBlocks.AsSpan(2, 8 * count)];
        TcpOptionValueContract.AssertRoundTrip<SackOption>(SackOption.TryParse, bytes);
        TcpOptionValueContract.AssertEveryTruncationFails<SackOption>(SackOption.TryParse, bytes);
    }

    [Fact]
    public void Encode()
    {
        TcpOptionValueContract.AssertEncodes(new SackOption(new SackBlock(100, 200)), OneBlock);
        TcpOptionValueContract.AssertEncodes(
            new SackOption(new SackBlock(1, 2), new SackBlock(3, 4), new SackBlock(0xfffffff0, 0x10), new SackBlock(0x80000000, 0x80000100)),
            FourBlocks);
    }

    [Fact]
    public void Misuse_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SackOption([]));
        Assert.Throws<ArgumentException>(() => new SackOption(new SackBlock[5]));
        Assert.Throws<InvalidOperationException>(() => default(SackOption).Encode(new byte[40]));
    }

    [Fact]
    public void BadLengths() => TcpOptionValueContract.AssertOtherLengthsAreBad<SackOption>(SackOption.TryParse, FourBlocks, 10, 18, 26, 34);

    [Fact]
    public void OtherKinds() => TcpOptionValueContract.AssertOtherKindsAreBadValue<SackOption>(SackOption.TryParse, OneBlock);

    [Fact]
    public void ValidLengthPastBuffer_IsTruncated()
    {
        Assert.False(SackOption.TryParse(Hex.Bytes("0512" + "00000064000000c8"), out _, out WireError error));
        Assert.Equal(WireError.Truncated, error);
    }

    [Fact]
    public void Equality_ComparesCarriedBlocksOnly()
    {
        Assert.Equal(new SackOption(new SackBlock(1, 2)), TcpOptionValueContract.Parse<SackOption>(SackOption.TryParse, Hex.Bytes("050a0000000100000002")));
        Assert.NotEqual(new SackOption(new SackBlock(1, 2)), new SackOption(new SackBlock(1, 2), new SackBlock(0, 0)));
    }

    [Fact]
    public void Properties() => TcpOptionValueContract.AssertPropertiesHold<SackOption>(SackOption.TryParse, TcpOptionKind.Sack);
}
