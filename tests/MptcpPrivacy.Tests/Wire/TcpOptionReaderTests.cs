using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>Walking the TCP options area (RFC 9293 §3.1, §3.2).</summary>
public class TcpOptionReaderTests
{
    // tcpdump mptcp-v0.pcap frame 1: MSS, SACK-Permitted, Timestamps, NOP, Window Scale, MP_CAPABLE.
    private const string V0SynOptions = "020405b40402080affffa1b00000000001030306" + "1e0c00819c9eabd1e46a33b2";

    private static List<(TcpOptionKind Kind, string Bytes)> Walk(byte[] options, out WireError error)
    {
        var found = new List<(TcpOptionKind, string)>();
        var reader = new TcpOptionReader(options);
        foreach (TcpOption option in reader)
        {
            found.Add((option.Kind, Hex.Of(option.Bytes)));
        }

        error = reader.Error;
        return found;
    }

    [Fact]
    public void Rfc9293_3_2_YieldsEachOptionWhole_TcpdumpV0Syn()
    {
        List<(TcpOptionKind, string)> options = Walk(Hex.Bytes(V0SynOptions), out WireError error);
        Assert.Equal(WireError.None, error);
        Assert.Equal(
            [
                (TcpOptionKind.MaximumSegmentSize, "020405b4"),
                (TcpOptionKind.SackPermitted, "0402"),
                (TcpOptionKind.Timestamps, "080affffa1b000000000"),
                (TcpOptionKind.NoOperation, "01"),
                (TcpOptionKind.WindowScale, "030306"),
                (TcpOptionKind.Mptcp, "1e0c00819c9eabd1e46a33b2"),
            ],
            options);
    }

    [Fact]
    public void Data_IsAfterKindAndLength()
    {
        var reader = new TcpOptionReader(Hex.Bytes("01" + "030306"));
        Assert.True(reader.MoveNext());
        Assert.True(reader.Current.Data.IsEmpty);
        Assert.True(reader.MoveNext());
        Assert.Equal("06", Hex.Of(reader.Current.Data));
        Assert.False(reader.MoveNext());
        Assert.False(reader.MoveNext());
    }

    [Fact]
    public void Rfc9293_3_2_EndOfOptionList_EndsTheWalk()
    {
        List<(TcpOptionKind, string)> options = Walk(Hex.Bytes("020405b4" + "00" + "0101030306"), out WireError error);
        Assert.Equal(WireError.None, error);
        Assert.Equal([(TcpOptionKind.MaximumSegmentSize, "020405b4")], options);
    }

    [Fact]
    public void EmptyArea_YieldsNothing()
    {
        Assert.Empty(Walk([], out WireError error));
        Assert.Equal(WireError.None, error);
    }

    [Theory]
    [InlineData("020405b4" + "0800", "020405b4")]            // length 0
    [InlineData("020405b4" + "0801ffff", "020405b4")]        // length 1
    [InlineData("020405b4" + "01" + "080b" + "ffffffff", "020405b401")] // runs past the area
    [InlineData("0101" + "1e", "0101")]                    // kind with no length byte
    [InlineData("1e", "")]
    public void BadLength_StopsTheWalk_KeepsOptionsBefore(string area, string readable)
    {
        List<(TcpOptionKind Kind, string Bytes)> options = Walk(Hex.Bytes(area), out WireError error);
        Assert.Equal(WireError.BadLength, error);
        Assert.Equal(readable, string.Concat(options.Select(o => o.Bytes)));
    }

    [Fact]
    public void Error_IsVisibleOnTheCopyForeachUses()
    {
        var reader = new TcpOptionReader(Hex.Bytes("0800"));
        foreach (TcpOption option in reader)
        {
            Assert.Fail("nothing to yield");
        }

        Assert.Equal(WireError.BadLength, reader.Error);
        Assert.Equal(WireError.BadLength, reader.GetEnumerator().Error);
    }

    [Fact]
    public void TryFind_FirstOfKind()
    {
        var reader = new TcpOptionReader(Hex.Bytes(V0SynOptions));
        Assert.True(reader.TryFind(TcpOptionKind.WindowScale, out TcpOption ws));
        Assert.Equal("030306", Hex.Of(ws.Bytes));
        Assert.True(reader.TryFind(TcpOptionKind.Mptcp, out TcpOption mptcp));
        Assert.Equal(12, mptcp.Bytes.Length);
        Assert.False(reader.TryFind(TcpOptionKind.UserTimeout, out _));
    }

    [Fact]
    public void Property_NeverThrows_AndYieldsOnlyBytesOfTheArea() =>
        PropertyCheck.ForAll(PropertyCheck.Bytes(44), area =>
        {
            int total = 0;
            var reader = new TcpOptionReader(area);
            foreach (TcpOption option in reader)
            {
                Assert.NotEqual(TcpOptionKind.EndOfOptionList, option.Kind);
                Assert.True(option.Kind == TcpOptionKind.NoOperation ? option.Bytes.Length == 1 : option.Bytes.Length >= 2 && option.Bytes[1] == option.Bytes.Length);
                Assert.Equal(Hex.Of(area.AsSpan(total, option.Bytes.Length)), Hex.Of(option.Bytes));
                total += option.Bytes.Length;
            }

            Assert.True(total <= area.Length);
            if (reader.Error == WireError.None && total < area.Length)
            {
                Assert.Equal(0, area[total]); // only an EOL ends a clean walk early
            }
        }, maxTest: 5000);
}
