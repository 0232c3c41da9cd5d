using MptcpPrivacy.Stack.Tcp;

namespace MptcpPrivacy.Tests.Stack;

/// <summary>The byte ring behind every buffer of the stack, its storage pooled: it must behave as a plain queue of bytes.</summary>
public class ByteRingTests
{
    [Fact]
    public void RandomWritesReadsAndReleasesMatchAQueue()
    {
        // Seeded: a ring and a Queue<byte> given the same operations hold the same bytes; growth,
        // wrapping, parked bytes taken in later and storage given back and taken again all cross.
        for (int seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            int capacity = random.Next(1, 200_000);
            var ring = new ByteRing(capacity);
            var model = new Queue<byte>();
            byte next = 0;
            for (int step = 0; step < 400; step++)
            {
                switch (random.Next(5))
                {
                    case 0:
                    {
                        byte[] data = new byte[random.Next(0, 70_000)];
                        for (int i = 0; i < data.Length; i++)
                        {
                            data[i] = next++;
                        }

                        int n = ring.Write(data);
                        Assert.Equal(Math.Min(data.Length, capacity - model.Count), n);
                        next = (byte)(next - (data.Length - n));
                        foreach (byte b in data.AsSpan(0, n))
                        {
                            model.Enqueue(b);
                        }

                        break;
                    }

                    case 1:
                    {
                        // Park bytes past the tail out of order, then take them in.
                        int free = capacity - model.Count;
                        int length = random.Next(0, Math.Min(free, 5000) + 1);
                        byte[] data = new byte[length];
                        for (int i = 0; i < length; i++)
                        {
                            data[i] = (byte)(next + i);
                        }

                        int split = random.Next(0, length + 1);
                        Assert.Equal(length - split, ring.WriteAt(split, data.AsSpan(split)));
                        Assert.Equal(split, ring.WriteAt(0, data.AsSpan(0, split)));
                        ring.Commit(length);
                        next += (byte)length;
                        foreach (byte b in data)
                        {
                            model.Enqueue(b);
                        }

                        break;
                    }

                    case 2:
                    case 3:
                    {
                        byte[] read = new byte[random.Next(0, 90_000)];
                        int n = ring.Read(read);
                        Assert.Equal(Math.Min(read.Length, model.Count), n);
                        for (int i = 0; i < n; i++)
                        {
                            Assert.Equal(model.Dequeue(), read[i]);
                        }

                        break;
                    }

                    default:
                        if (ring.Count == 0)
                        {
                            ring.Release();
                        }
                        else
                        {
                            Assert.Throws<InvalidOperationException>(ring.Release);
                        }

                        break;
                }

                Assert.Equal(model.Count, ring.Count);
                Assert.Equal(capacity - model.Count, ring.Free);
            }
        }
    }

    [Fact]
    public void AReleasedRingReadsNothingAndWorksAgain()
    {
        var ring = new ByteRing(1000);
        ring.Release();
        Assert.Equal(0, ring.Read(new byte[10]));
        ring.Discard(0);
        Assert.Equal(3, ring.Write([1, 2, 3]));
        byte[] read = new byte[3];
        Assert.Equal(3, ring.Peek(0, read));
        Assert.Equal(new byte[] { 1, 2, 3 }, read);
    }
}
