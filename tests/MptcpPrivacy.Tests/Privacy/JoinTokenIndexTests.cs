using MptcpPrivacy.Privacy.Profile;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>
/// The flat index under the join token table: seeded random sequences against a dictionary model,
/// with tokens made to share home entries (long probe runs, runs wrapping past the array's end),
/// deletion inside runs and growth.
/// </summary>
public class JoinTokenIndexTests
{
    private sealed class Conn;

    /// <summary>The inverse of the index's multiplier modulo 2^64 (Newton's iteration), to make tokens with a chosen home.</summary>
    private static readonly ulong Inverse = InverseOf(JoinTokenIndex<Conn>.Multiplier);

    private static ulong InverseOf(ulong odd)
    {
        ulong x = odd;
        for (int i = 0; i < 6; i++)
        {
            x *= 2 - (odd * x);
        }

        return x;
    }

    /// <summary>A token whose hash has the given top 6 bits: its home is in the same 1/64th of every index of 64 entries or more.</summary>
    private static ulong TokenNear(int top6, ulong low) => (((ulong)top6 << 58) | (low >> 6)) * Inverse;

    private static JoinTokenWindow<Conn> NewWindow() => new(new Conn(), new byte[32], 4);

    [Fact]
    public void MadeTokens_HaveTheHomeAsked()
    {
        Assert.Equal(1UL, JoinTokenIndex<Conn>.Multiplier * Inverse);
        Assert.Equal(63UL, (TokenNear(63, 12345) * JoinTokenIndex<Conn>.Multiplier) >> 58);
    }

    [Fact]
    public void RandomSequences_AgreeWithADictionary()
    {
        // Five seeds; every failure message names its seed.
        for (int seed = 1; seed <= 5; seed++)
        {
            AgreesWithADictionary(seed);
        }
    }

    private static void AgreesWithADictionary(int seed)
    {
        var random = new Random(seed);
        JoinTokenWindow<Conn>[] windows = [NewWindow(), NewWindow(), NewWindow()];

        // Homes bunched at both ends of the array (runs wrap around) and a few elsewhere.
        int[] tops = [0, 0, 1, 62, 63, 63, 30];
        ulong[] pool = new ulong[400];
        for (int i = 0; i < pool.Length; i++)
        {
            pool[i] = TokenNear(tops[random.Next(tops.Length)], (ulong)random.NextInt64());
        }

        pool[0] = 0; // 0 is a token like any other

        var index = new JoinTokenIndex<Conn>(0);
        var model = new Dictionary<ulong, JoinTokenWindow<Conn>>();
        for (int step = 0; step < 40_000; step++)
        {
            ulong token = pool[random.Next(pool.Length)];
            JoinTokenWindow<Conn> window = windows[random.Next(windows.Length)];

            // Adds win while the index is small, removes once it is large: the count rises and falls.
            bool add = random.Next(400) >= model.Count;
            if (add)
            {
                Assert.True(model.TryAdd(token, window) == index.TryAdd(token, window), $"seed {seed}, step {step}: add {token:x16}");
            }
            else
            {
                if (model.TryGetValue(token, out JoinTokenWindow<Conn>? owner) && ReferenceEquals(owner, window))
                {
                    model.Remove(token);
                }

                index.Remove(token, window);
            }

            Assert.True(model.Count == index.Count, $"seed {seed}, step {step}: count");
            if (step % 97 == 0 || !add)
            {
                foreach (ulong probe in pool)
                {
                    JoinTokenWindow<Conn>? expected = model.GetValueOrDefault(probe);
                    Assert.True(ReferenceEquals(expected, index.Find(probe)), $"seed {seed}, step {step}: find {probe:x16}");
                }
            }
        }

        Assert.True(index.Capacity >= 512, $"seed {seed}: the index never grew");
    }

    [Fact]
    public void RemovingFromTheMiddleOfAWrappingRun_KeepsTheRestFindable()
    {
        var index = new JoinTokenIndex<Conn>(0); // 16 entries: home = top 4 bits of the hash
        JoinTokenWindow<Conn> window = NewWindow();
        ulong[] run = new ulong[6];
        for (int i = 0; i < run.Length; i++)
        {
            run[i] = TokenNear(62, (ulong)(i + 1) << 20); // home 15, the last entry: the run wraps to 0..4
            Assert.True(index.TryAdd(run[i], window));
        }

        ulong atZero = TokenNear(0, 7UL << 20); // home 0, pushed behind the wrapped run
        Assert.True(index.TryAdd(atZero, window));
        Assert.False(index.TryAdd(run[3], window));

        index.Remove(run[0], window);
        index.Remove(run[2], window);
        index.Remove(run[2], window); // twice: nothing
        index.Remove(run[4], NewWindow()); // not its owner: nothing
        Assert.Equal(5, index.Count);
        foreach (ulong token in new[] { run[1], run[3], run[4], run[5], atZero })
        {
            Assert.Same(window, index.Find(token));
        }

        Assert.Null(index.Find(run[0]));
        Assert.Null(index.Find(run[2]));
        Assert.Null(index.Find(TokenNear(62, 99UL << 20))); // same home, never added: the miss ends
    }

    [Fact]
    public void Growth_KeepsEveryToken_AndThreeQuartersAtMost()
    {
        var index = new JoinTokenIndex<Conn>(0);
        var random = new Random(7);
        JoinTokenWindow<Conn> window = NewWindow();
        var tokens = new List<ulong>();
        for (int i = 0; i < 20_000; i++)
        {
            ulong token = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
            if (index.TryAdd(token, window))
            {
                tokens.Add(token);
            }

            Assert.True(index.Count <= index.Capacity / 4 * 3);
        }

        Assert.Equal(tokens.Count, index.Count);
        Assert.True(int.IsPow2(index.Capacity));
        Assert.All(tokens, token => Assert.Same(window, index.Find(token)));
        foreach (ulong token in tokens)
        {
            index.Remove(token, window);
        }

        Assert.Equal(0, index.Count);
        Assert.Null(index.Find(tokens[0]));
    }

    [Fact]
    public void ExpectedCount_IsRoomWithoutGrowing()
    {
        Assert.Equal(16, new JoinTokenIndex<Conn>(0).Capacity);
        Assert.Equal(16, new JoinTokenIndex<Conn>(12).Capacity);
        Assert.Equal(32, new JoinTokenIndex<Conn>(13).Capacity);
        Assert.Equal(1 << 23, new JoinTokenIndex<Conn>(4_000_000).Capacity);
        Assert.Throws<ArgumentOutOfRangeException>(() => new JoinTokenIndex<Conn>(int.MaxValue));
    }
}
