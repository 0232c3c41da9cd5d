using FsCheck;
using FsCheck.Fluent;
using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Stack;

public sealed class SeqNum32Tests
{
    // RFC 9293 §3.4: comparisons are modulo 2^32; these pairs straddle every edge of the space.
    [Theory]
    [InlineData(0u, 1u)]
    [InlineData(0xFFFFFFFFu, 0u)]
    [InlineData(0xFFFFFFF0u, 0x10u)]
    [InlineData(0x7FFFFFFFu, 0x80000000u)]
    [InlineData(0x80000000u, 0xFFFFFFFFu)]
    [InlineData(0u, 0x7FFFFFFFu)]
    [InlineData(0x80000001u, 0u)]
    public void Rfc9293_3_4_BeforeAcrossTheWrap(uint before, uint after)
    {
        SeqNum32 a = new(before), b = new(after);
        Assert.True(a < b);
        Assert.True(a <= b);
        Assert.False(a > b);
        Assert.False(a >= b);
        Assert.True(b > a);
        Assert.True(b >= a);
        Assert.Equal(SeqNum32.Max(a, b), b);
        Assert.Equal(SeqNum32.Min(a, b), a);
        Assert.True(b - a > 0);
        Assert.Equal(unchecked(after - before), a.DistanceTo(b));
    }

    [Fact]
    public void Rfc9293_3_4_EqualIsNeitherBeforeNorAfter()
    {
        SeqNum32 a = new(0xFFFFFFFFu), same = new(0xFFFFFFFFu);
        Assert.False(a < same);
        Assert.False(a > same);
        Assert.True(a <= same);
        Assert.True(a >= same);
        Assert.Equal(0, a - same);
    }

    [Fact]
    public void ArithmeticWrapsBothWays()
    {
        Assert.Equal(new SeqNum32(4), new SeqNum32(0xFFFFFFFEu) + 6);
        Assert.Equal(new SeqNum32(4), new SeqNum32(0xFFFFFFFEu) + 6u);
        Assert.Equal(new SeqNum32(0xFFFFFFFEu), new SeqNum32(4) - 6);
        Assert.Equal(new SeqNum32(0xFFFFFFFEu), new SeqNum32(4) - 6u);
        Assert.Equal(new SeqNum32(0xFFFFFFFEu), new SeqNum32(4) + (-6));
        Assert.Equal(-6, new SeqNum32(0xFFFFFFFEu) - new SeqNum32(4));
        Assert.Equal(6, new SeqNum32(4) - new SeqNum32(0xFFFFFFFEu));
    }

    [Fact]
    public void HalfwayPointIsBeforeByTheSignedRule()
    {
        // Exactly 2^31 apart the signed difference is int.MinValue: each is "before" the other's view.
        SeqNum32 a = new(0), b = new(0x80000000u);
        Assert.Equal(int.MinValue, b - a);
        Assert.True(b < a);
        Assert.True(a < b);
    }

    [Theory]
    [InlineData(0xFFFFFFF0u, 0x20u, 0xFFFFFFF0u, true)]
    [InlineData(0xFFFFFFF0u, 0x20u, 0xFFFFFFFFu, true)]
    [InlineData(0xFFFFFFF0u, 0x20u, 0x0Fu, true)]
    [InlineData(0xFFFFFFF0u, 0x20u, 0x10u, false)]
    [InlineData(0xFFFFFFF0u, 0x20u, 0xFFFFFFEFu, false)]
    [InlineData(5u, 0u, 5u, false)]
    public void IsInWindowIsHalfOpenAcrossTheWrap(uint start, uint size, uint value, bool expected)
    {
        Assert.Equal(expected, new SeqNum32(value).IsInWindow(new SeqNum32(start), size));
    }

    [Fact]
    public void Property_AIsBeforeAPlusNForPositiveNBelowHalfTheSpace()
    {
        Gen<(uint, int)> gen =
            from a in ArbMap.Default.GeneratorFor<uint>()
            from n in Gen.OneOf(Gen.Choose(1, int.MaxValue), Gen.Elements(1, 2, int.MaxValue - 1, int.MaxValue))
            select (a, n);
        Properties.Check(gen, t =>
        {
            SeqNum32 a = new(t.Item1);
            SeqNum32 b = a + t.Item2;
            return a < b && b > a && !(b < a) && b - a == t.Item2 && a.DistanceTo(b) == (uint)t.Item2 && b - t.Item2 == a;
        });
    }

    [Fact]
    public void Property_OrderIsAntisymmetricExceptAtTheHalfway()
    {
        Gen<(uint, uint)> gen =
            from a in ArbMap.Default.GeneratorFor<uint>()
            from b in ArbMap.Default.GeneratorFor<uint>()
            select (a, b);
        Properties.Check(gen, t =>
        {
            SeqNum32 a = new(t.Item1), b = new(t.Item2);
            if (unchecked(t.Item2 - t.Item1) == 0x80000000u)
            {
                return true;
            }

            int lessCount = (a < b ? 1 : 0) + (b < a ? 1 : 0) + (a == b ? 1 : 0);
            return lessCount == 1;
        });
    }
}
