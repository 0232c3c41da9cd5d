using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Stack;

/// <summary>The range set behind the out-of-order queue and the scoreboard, and the RFC 6675 §4 queries over it.</summary>
public sealed class TcpSequenceRangesTests
{
    private static SeqNum32 S(uint v) => new(v);

    private static (uint, uint)[] All(SequenceRanges r) => Enumerable.Range(0, r.Count).Select(i => (r.Left(i).Value, r.Right(i).Value)).ToArray();

    [Fact]
    public void AddingMergesEveryRangeItOverlapsOrTouches()
    {
        var r = new SequenceRanges(8);
        Assert.True(r.Add(S(100), S(200)));
        Assert.True(r.Add(S(300), S(400)));
        Assert.True(r.Add(S(500), S(600)));
        Assert.True(r.Add(S(0), S(10)));
        Assert.Equal([(0u, 10u), (100u, 200u), (300u, 400u), (500u, 600u)], All(r));

        // Touches 200 and reaches into 500..600: three ranges become one.
        Assert.True(r.Add(S(200), S(550)));
        Assert.Equal([(0u, 10u), (100u, 600u)], All(r));
        Assert.False(r.Add(S(50), S(50)));
        Assert.True(r.Covers(S(150), S(600)));
        Assert.False(r.Covers(S(5), S(150)));
        Assert.Equal(S(600), r.SkipCovered(S(100)));
        Assert.Equal(S(20), r.SkipCovered(S(20)));
        Assert.Equal(S(100), r.NextStartAfter(S(10), S(1000)));
        Assert.Equal(S(1000), r.NextStartAfter(S(100), S(1000)));
        Assert.Equal(60, r.CoveredBetween(S(5), S(155)));
    }

    [Fact]
    public void ADisjointRangeBeyondCapacityIsRefusedButMergesStillWork()
    {
        var r = new SequenceRanges(2);
        Assert.True(r.Add(S(10), S(20)));
        Assert.True(r.Add(S(30), S(40)));
        Assert.False(r.Add(S(50), S(60)));
        Assert.True(r.Add(S(40), S(60)));
        Assert.Equal([(10u, 20u), (30u, 60u)], All(r));
    }

    [Fact]
    public void RangesAcrossTheSequenceWrapStayOrdered()
    {
        var r = new SequenceRanges(4);
        r.Add(S(0xFFFF_FF00u), S(0xFFFF_FFF0u));
        r.Add(S(0x10), S(0x20));
        r.Add(S(0xFFFF_FFF0u), S(0x10));
        Assert.Equal([(0xFFFF_FF00u, 0x20u)], All(r));
        r.TrimBelow(S(0x5));
        Assert.Equal([(0x5u, 0x20u)], All(r));
        Assert.Equal(S(0x20), r.TakeContiguous(S(0x5)));
        Assert.True(r.IsEmpty);
    }

    [Fact]
    public void MostRecentFirstOrdersByLastGrowth()
    {
        var r = new SequenceRanges(8);
        r.Add(S(100), S(110));
        r.Add(S(300), S(310));
        r.Add(S(200), S(210));
        r.Add(S(110), S(120)); // grows the first range: now the most recent
        Span<SackBlock> blocks = stackalloc SackBlock[4];
        int n = r.MostRecentFirst(blocks);
        Assert.Equal([new SackBlock(100, 120), new SackBlock(200, 210), new SackBlock(300, 310)], blocks[..n].ToArray());
        Assert.Equal(2, r.MostRecentFirst(blocks[..2]));
    }

    [Fact]
    public void Rfc6675_4_IsLostAndPipeCountHolesBelowEnoughSackedData()
    {
        // SND.UNA 1000, SND.MAX 6000, SMSS 500; SACKed 2000-3000, 3500-4000.
        var board = new SackScoreboard();
        Assert.True(board.Update(new SackOption(new SackBlock(3500, 4000), new SackBlock(2000, 3000)), S(1000), S(6000)));
        Assert.False(board.Update(new SackOption(new SackBlock(2000, 2500)), S(1000), S(6000)));

        // 1500 bytes SACKed above 1000 (more than 2 × SMSS): lost; 500 above 3000: not.
        Assert.True(board.IsLost(S(1000), 500));
        Assert.False(board.IsLost(S(3000), 500));
        Assert.False(board.IsLost(S(5000), 500));

        // Nothing retransmitted: 3000 and 4000-6000 count, 1000-2000 is lost and does not.
        Assert.Equal(500 + 2000, board.Pipe(S(1000), S(6000), S(1000), 500));

        // 1000-1500 retransmitted counts once more.
        Assert.Equal(500 + 500 + 2000, board.Pipe(S(1000), S(6000), S(1500), 500));
        Assert.True(board.NextHole(S(1000), S(1500), 500, lostOnly: true, out SeqNum32 seq, out int length));
        Assert.Equal((S(1500), 500), (seq, length));
        Assert.False(board.NextHole(S(1000), S(2000), 500, lostOnly: true, out _, out _));
        Assert.True(board.NextHole(S(1000), S(2000), 500, lostOnly: false, out seq, out length));
        Assert.Equal((S(3000), 500), (seq, length));
        Assert.True(board.Rescue(S(1000), S(6000), S(2000), 500, out seq, out length));
        Assert.Equal((S(5500), 500), (seq, length));

        board.OnCumulativeAck(S(3700));
        Assert.Equal([(3700u, 4000u)], All(board.Ranges));
    }
}
