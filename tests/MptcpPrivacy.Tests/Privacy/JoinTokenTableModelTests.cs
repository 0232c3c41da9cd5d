using MptcpPrivacy.Privacy.Profile;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>Seeded random registrations, joins, spends, releases and removals against what the table must then hold.</summary>
public class JoinTokenTableModelTests
{
    private sealed class Conn;

    private sealed record Live(Conn Connection, JoinTokenWindow<Conn> Window, byte[] Key);

    private static ulong[] LiveTokens(JoinTokenTable<Conn> table, Live live) =>
        table.LiveIndices(live.Window).Select(index => JoinToken.Derive(live.Key, index).Value).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomJoins_KeepTheTableConsistent(int seed)
    {
        var random = new Random(seed);
        var limits = new JoinTokenLimits(WindowSize: 4, MaxHalfOpenPerToken: 2, MaxHalfOpenPerConnection: 3, MaxHalfOpenPerHost: 40);
        var table = new JoinTokenTable<Conn>(limits); // no size given: the index grows
        var live = new List<Live>();
        var goneTokens = new List<ulong>();
        var held = new List<JoinReservation<Conn>>();
        for (int step = 0; step < 5_000; step++)
        {
            string at = $"seed {seed}, step {step}";
            int action = random.Next(10);
            if (action < 2 && live.Count < 150 || live.Count == 0)
            {
                byte[] key = new byte[32];
                random.NextBytes(key);
                var connection = new Conn();
                live.Add(new Live(connection, table.Register(connection, key), key));
            }
            else if (action == 2)
            {
                Live leaving = live[random.Next(live.Count)];
                goneTokens.AddRange(LiveTokens(table, leaving));
                table.Remove(leaving.Window);
                live.Remove(leaving);
            }
            else if (action < 6)
            {
                Live joined = live[random.Next(live.Count)];
                ulong[] tokens = LiveTokens(table, joined);
                bool genuine = random.Next(4) > 0;
                ulong token = genuine ? tokens[random.Next(tokens.Length)] : JoinToken.Derive(joined.Key, joined.Window.NextIndex + (ulong)random.Next(3)).Value;
                JoinLookupResult result = table.TryReserve(token, out JoinReservation<Conn> reservation);
                Assert.True(genuine == (result != JoinLookupResult.UnknownToken), $"{at}: {result} for a {(genuine ? "live" : "unissued")} token");
                if (result == JoinLookupResult.Reserved)
                {
                    Assert.Same(joined.Connection, reservation.Connection);
                    Assert.Equal(token, reservation.Token.Value);
                    held.Add(reservation);
                }
            }
            else if (held.Count > 0)
            {
                int which = random.Next(held.Count);
                JoinReservation<Conn> reservation = held[which];
                held.RemoveAt(which);
                bool owned = live.Exists(l => ReferenceEquals(l.Connection, reservation.Connection));
                if (action < 8)
                {
                    bool spent = table.Spend(reservation);
                    Assert.False(spent && !owned, $"{at}: spent a token of a removed connection");
                    Assert.False(spent && table.TryFind(reservation.Token.Value, out _), $"{at}: a spent token is still live");
                }
                else
                {
                    table.Release(reservation);
                }
            }

            Assert.True(table.LiveTokens == limits.WindowSize * live.Count, $"{at}: live tokens");
            Assert.True(table.HalfOpen == live.Sum(l => l.Window.HalfOpen), $"{at}: half-open joins");
            Assert.InRange(table.HalfOpen, 0, limits.MaxHalfOpenPerHost);
            if (step % 100 == 0)
            {
                foreach (Live l in live)
                {
                    Assert.All(LiveTokens(table, l), token => Assert.True(table.TryFind(token, out Conn found) && ReferenceEquals(found, l.Connection), $"{at}: live token lost"));
                }

                Assert.All(goneTokens, token => Assert.False(table.TryFind(token, out _), $"{at}: a removed connection's token is found"));
            }
        }

        foreach (JoinReservation<Conn> reservation in held)
        {
            table.Release(reservation);
        }

        Assert.Equal(0, table.HalfOpen);
    }

    [Fact]
    public void Lookups_AllocateNothing()
    {
        var table = new JoinTokenTable<Conn>(JoinTokenLimits.Default);
        byte[] key = new byte[32];
        new Random(8).NextBytes(key);
        table.Register(new Conn(), key);
        ulong[] tokens = [.. Enumerable.Range(0, 4).Select(i => JoinToken.Derive(key, (ulong)i).Value), 12345UL];
        int Lookups()
        {
            int found = 0;
            foreach (ulong token in tokens)
            {
                if (table.TryReserve(token, out JoinReservation<Conn> reservation) == JoinLookupResult.Reserved)
                {
                    found += table.TryFind(token, out _) ? 1 : 0;
                    table.Release(reservation);
                }
            }

            return found;
        }

        Assert.Equal(4, Lookups()); // first calls outside the count
        long before = GC.GetAllocatedBytesForCurrentThread();
        int total = 0;
        for (int i = 0; i < 1_000; i++)
        {
            total += Lookups();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(4_000, total);
    }
}
