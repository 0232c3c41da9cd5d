using FsCheck;
using FsCheck.Fluent;
using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Stack;

public sealed class DataSeqNumTests
{
    [Theory]
    [InlineData(0ul, 1ul)]
    [InlineData(ulong.MaxValue, 0ul)]
    [InlineData(0x7FFFFFFFFFFFFFFFul, 0x8000000000000000ul)]
    [InlineData(0xFFFFFFFFFFFFFF00ul, 0x100ul)]
    [InlineData(0xFFFFFFFFul, 0x100000000ul)]
    public void Rfc8684_3_3_BeforeAcrossTheWrap(ulong before, ulong after)
    {
        DataSeqNum a = new(before), b = new(after);
        Assert.True(a < b);
        Assert.True(a <= b);
        Assert.True(b > a);
        Assert.True(b >= a);
        Assert.False(b < a);
        Assert.Equal(unchecked(after - before), a.DistanceTo(b));
        Assert.Equal(b, DataSeqNum.Max(a, b));
        Assert.Equal(a, DataSeqNum.Min(a, b));
    }

    [Fact]
    public void ArithmeticWraps()
    {
        Assert.Equal(new DataSeqNum(1), new DataSeqNum(ulong.MaxValue) + 2L);
        Assert.Equal(new DataSeqNum(1), new DataSeqNum(ulong.MaxValue) + 2ul);
        Assert.Equal(new DataSeqNum(ulong.MaxValue), new DataSeqNum(1) - 2L);
        Assert.Equal(-2L, new DataSeqNum(ulong.MaxValue) - new DataSeqNum(1));
    }

    // RFC 8684 §3.3.1: a 4-octet DSN is the low 32 bits; the receiver expands it next to what it holds.
    [Theory]
    [InlineData(0x00000001_FFFFFFF0ul, 0x00000010u, 0x00000002_00000010ul)]
    [InlineData(0x00000002_00000010ul, 0xFFFFFFF0u, 0x00000001_FFFFFFF0ul)]
    [InlineData(0x00000005_12345678ul, 0x12345678u, 0x00000005_12345678ul)]
    [InlineData(0ul, 0xFFFFFFFFu, ulong.MaxValue)]
    [InlineData(ulong.MaxValue, 0u, 0ul)]
    public void Rfc8684_3_3_1_ExpandRecoversTheNearestFullNumber(ulong reference, uint lower, ulong expected)
    {
        Assert.Equal(new DataSeqNum(expected), DataSeqNum.Expand(lower, new DataSeqNum(reference)));
    }

    [Fact]
    public void Property_ExpandOfLower32IsIdentityWithinHalfTheSpace()
    {
        Gen<(ulong, int)> gen =
            from r in ArbMap.Default.GeneratorFor<ulong>()
            from d in Gen.Choose(int.MinValue + 1, int.MaxValue)
            select (r, d);
        Properties.Check(gen, t =>
        {
            DataSeqNum reference = new(t.Item1);
            DataSeqNum value = reference + (long)t.Item2;
            return DataSeqNum.Expand(value.Lower32, reference) == value;
        });
    }

    [Fact]
    public void Property_AIsBeforeAPlusN()
    {
        Gen<(ulong, long)> gen =
            from a in ArbMap.Default.GeneratorFor<ulong>()
            from n in ArbMap.Default.GeneratorFor<long>()
            where n > 0
            select (a, n);
        Properties.Check(gen, t => new DataSeqNum(t.Item1) < new DataSeqNum(t.Item1) + t.Item2);
    }
}
