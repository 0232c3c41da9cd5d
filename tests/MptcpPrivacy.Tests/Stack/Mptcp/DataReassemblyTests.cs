using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Sequencing;

namespace MptcpPrivacy.Tests.Stack.Mptcp;

/// <summary>RFC 8684 §3.3: data arrives from any subflow in any order, possibly twice; it leaves in order, once.</summary>
public class DataReassemblyTests
{
    private static readonly DataSeqNum Start = new(0xFFFF_FFFF_FFFF_FF00); // crosses 2^64 within the tests

    private static byte[] Bytes(int from, int count) => Enumerable.Range(from, count).Select(i => (byte)i).ToArray();

    private static byte[] ReadAll(DataReassembly r)
    {
        byte[] buffer = new byte[r.Readable];
        Assert.Equal(buffer.Length, r.Read(buffer));
        return buffer;
    }

    [Fact]
    public void InOrderDataIsReadableAtOnce()
    {
        var r = new DataReassembly(Start, 1000);
        Assert.Equal(100, r.Accept(Start, Bytes(0, 100)));
        Assert.Equal(Start + 100UL, r.Next);
        Assert.Equal(Bytes(0, 100), ReadAll(r));
    }

    [Fact]
    public void AGapHoldsLaterDataUntilItFills()
    {
        var r = new DataReassembly(Start, 1000);
        Assert.Equal(100, r.Accept(Start + 200UL, Bytes(200, 100)));
        Assert.Equal(100, r.Accept(Start + 100UL, Bytes(100, 100)));
        Assert.Equal(0, r.Readable);
        Assert.Equal(200, r.Buffered);
        Assert.Equal(Start, r.Next);
        Assert.Equal(100, r.Accept(Start, Bytes(0, 100)));
        Assert.Equal(0, r.Buffered);
        Assert.Equal(Start + 300UL, r.Next);
        Assert.Equal(Bytes(0, 300), ReadAll(r));
    }

    [Fact]
    public void Rfc8684_3_3_6_ReinjectedDuplicatesAreDeliveredOnce()
    {
        var r = new DataReassembly(Start, 1000);
        r.Accept(Start, Bytes(0, 100));
        Assert.Equal(0, r.Accept(Start, Bytes(0, 100)));          // the same bytes again, from another subflow
        Assert.Equal(50, r.Accept(Start + 50UL, Bytes(50, 100))); // half old, half new
        Assert.Equal(Bytes(0, 150), ReadAll(r));
    }

    [Fact]
    public void OverlappingHeldPiecesAreCountedOnceAndMergeInOrder()
    {
        var r = new DataReassembly(Start, 1000);
        Assert.Equal(100, r.Accept(Start + 100UL, Bytes(100, 100)));
        Assert.Equal(50, r.Accept(Start + 150UL, Bytes(150, 100)));
        Assert.Equal(150, r.Buffered);
        Assert.Equal(100, r.Accept(Start, Bytes(0, 100)));
        Assert.Equal(Bytes(0, 250), ReadAll(r));
        Assert.Equal(0, r.Buffered);
    }

    [Fact]
    public void BytesBeyondTheWindowAreRefused()
    {
        var r = new DataReassembly(Start, 100);
        Assert.Equal(0, r.Accept(Start + 100UL, Bytes(100, 10)));
        Assert.Equal(60, r.Accept(Start + 40UL, Bytes(40, 100)));
        Assert.Equal(40, r.Accept(Start, Bytes(0, 40)));
        Assert.Equal(0, r.WindowFree);
        Assert.Equal(Bytes(0, 100), ReadAll(r));
        Assert.Equal(100, r.WindowFree);
    }

    [Fact]
    public void AnyOrderOfAnyPiecesGivesTheStreamBack()
    {
        // Seeded: pieces of a 64 KB stream, shuffled, some sent twice, overlapping boundaries.
        for (int seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            byte[] stream = new byte[65536];
            random.NextBytes(stream);
            var pieces = new List<(int From, int Length)>();
            for (int at = 0; at < stream.Length;)
            {
                int length = Math.Min(random.Next(1, 3000), stream.Length - at);
                pieces.Add((at, length));
                if (random.Next(4) == 0)
                {
                    int back = Math.Min(at, random.Next(0, 500));
                    pieces.Add((at - back, Math.Min(length + back, stream.Length - at + back)));
                }

                at += length;
            }

            var r = new DataReassembly(Start, stream.Length);
            var received = new MemoryStream();
            byte[] buffer = new byte[4096];
            foreach ((int from, int length) in pieces.OrderBy(_ => random.Next()))
            {
                r.Accept(Start + (ulong)from, stream.AsSpan(from, length));
                int n;
                while ((n = r.Read(buffer)) > 0)
                {
                    received.Write(buffer, 0, n);
                }
            }

            Assert.Equal(stream, received.ToArray());
            Assert.Equal(0, r.Buffered);
            Assert.Equal(Start + (ulong)stream.Length, r.Next);
        }
    }
}
