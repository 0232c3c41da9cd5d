using System.Net;
using System.Reflection;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Tests.Wire;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>Single-use 64-bit join tokens: derivation, the window, reservations, replays, forgeries.</summary>
public class JoinTokenTableTests
{
    private sealed class Conn(int id)
    {
        public int Id { get; } = id;
    }

    private static readonly byte[] KeyOfA = Hex.Bytes("dd3ce5f33b77d6b948650c178984f1087c6a2d351cde54395618c14e78f442b9");

    private static byte[] KeyOf(int connection)
    {
        byte[] key = new byte[32];
        new Random(connection).NextBytes(key);
        return key;
    }

    [Fact]
    public void Derive_MatchesIndependentHmac()
    {
        // HMAC-SHA256(key, "token" ‖ u64 BE), leftmost 64 bits; key from ConnectionSecretTests' vector.
        Assert.Equal(0xb601954c1353f801UL, JoinToken.Derive(KeyOfA, 0).Value);
        Assert.Equal(0xf6b22e62f87d9c88UL, JoinToken.Derive(KeyOfA, 5).Value);
        JoinToken token = JoinToken.Derive(KeyOfA, 0);
        Assert.Equal(0xb601954cU, token.TokenField);
        Assert.Equal(0x1353f801U, token.NonceField);
        Assert.Equal(token.Value, JoinToken.FromSynFields(token.TokenField, token.NonceField));
    }

    [Fact]
    public void Register_IssuesTheFirstWTokens_ThatTheJoinerDerivesToo()
    {
        var table = new JoinTokenTable<Conn>(JoinTokenLimits.Default);
        var conn = new Conn(1);
        JoinTokenWindow<Conn> window = table.Register(conn, KeyOfA);
        Assert.Equal(4, table.LiveTokens);
        Assert.Equal(new ulong[] { 0, 1, 2, 3 }, table.LiveIndices(window).Order());
        var joiner = new JoinTokenSequence(KeyOfA);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(table.TryFind(joiner.Take().Value, out Conn found));
            Assert.Same(conn, found);
        }

        Assert.False(table.TryFind(joiner.Take().Value, out _));
    }

    [Fact]
    public void Token_IsSpentOnlyAfterTheHmac_AndAReplayIsRefused()
    {
        var table = new JoinTokenTable<Conn>(JoinTokenLimits.Default);
        var conn = new Conn(1);
        table.Register(conn, KeyOfA);
        JoinToken token = new JoinTokenSequence(KeyOfA).Take();

        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(token.Value, out JoinReservation<Conn> first));
        Assert.Same(conn, first.Connection);
        Assert.Equal(0UL, first.Token.Index);
        Assert.True(table.TryFind(token.Value, out _)); // reserved, not spent

        Assert.True(table.Spend(first));
        Assert.False(table.TryFind(token.Value, out _));
        Assert.Equal(JoinLookupResult.UnknownToken, table.TryReserve(token.Value, out _)); // replay from anywhere
        Assert.False(table.Spend(first));                                                   // twice
        Assert.Equal(0, table.HalfOpen);
    }

    [Fact]
    public void Window_SlidesAfterASpend()
    {
        var table = new JoinTokenTable<Conn>(JoinTokenLimits.Default);
        JoinTokenWindow<Conn> window = table.Register(new Conn(1), KeyOfA);
        var joiner = new JoinTokenSequence(KeyOfA);
        for (ulong spent = 0; spent < 10; spent++)
        {
            JoinToken token = joiner.Take();
            Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(token.Value, out JoinReservation<Conn> r));
            Assert.True(table.Spend(r));
            Assert.Equal(Enumerable.Range((int)spent + 1, 4).Select(i => (ulong)i), table.LiveIndices(window).Order());
            Assert.Equal(4, table.LiveTokens);
        }
    }

    [Fact]
    public void SpendingALaterToken_RetiresIdleEarlierOnes_ButNotHalfOpenOnes()
    {
        var table = new JoinTokenTable<Conn>(JoinTokenLimits.Default);
        JoinTokenWindow<Conn> window = table.Register(new Conn(1), KeyOfA);
        var joiner = new JoinTokenSequence(KeyOfA);
        JoinToken t0 = joiner.Take(), t1 = joiner.Take(), t2 = joiner.Take();
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(t1.Value, out JoinReservation<Conn> r1));
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(t2.Value, out JoinReservation<Conn> r2));

        Assert.True(table.Spend(r2));
        Assert.False(table.TryFind(t0.Value, out _)); // idle, before the spent one: retired (the joiner gave it up)
        Assert.True(table.TryFind(t1.Value, out _));  // half-open: kept until its join ends
        Assert.True(table.Spend(r1));
        Assert.Equal(new ulong[] { 3, 4, 5, 6 }, table.LiveIndices(window).Order());

        // A half-open token below the spent one that then fails is retired on release.
        JoinToken t3 = joiner.Take(), t4 = joiner.Take();
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(t3.Value, out JoinReservation<Conn> r3));
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(t4.Value, out JoinReservation<Conn> r4));
        Assert.True(table.Spend(r4));
        table.Release(r3);
        Assert.False(table.TryFind(t3.Value, out _));
        Assert.Equal(4, table.LiveTokens);
        Assert.Equal(0, table.HalfOpen);
    }

    [Fact]
    public void FailedJoin_ReleasesItsToken_ForTheOwner()
    {
        var table = new JoinTokenTable<Conn>(JoinTokenLimits.Default);
        table.Register(new Conn(1), KeyOfA);
        JoinToken token = new JoinTokenSequence(KeyOfA).Take();
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(token.Value, out JoinReservation<Conn> forged));
        table.Release(forged); // its third-ACK HMAC did not verify
        table.Release(forged); // a second release does nothing
        Assert.Equal(0, table.HalfOpen);
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(token.Value, out JoinReservation<Conn> genuine));
        Assert.True(table.Spend(genuine));
    }

    [Fact]
    public void ReplayFromAnotherAddress_WhileHalfOpen_CannotSpendOnceTheGenuineJoinDid()
    {
        // Addresses never reach the table; what refuses the copy is single use.
        var table = new JoinTokenTable<Conn>(JoinTokenLimits.Default);
        table.Register(new Conn(1), KeyOfA);
        JoinToken token = new JoinTokenSequence(KeyOfA).Take();
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(token.Value, out JoinReservation<Conn> genuine));
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(token.Value, out JoinReservation<Conn> replay));
        Assert.Equal(JoinLookupResult.TokenBusy, table.TryReserve(token.Value, out _));
        Assert.True(table.Spend(genuine));
        Assert.False(table.Spend(replay));
        table.Release(replay);
        Assert.Equal(0, table.HalfOpen);
    }

    [Fact]
    public void HalfOpen_IsCappedPerConnectionAndPerHost()
    {
        var table = new JoinTokenTable<Conn>(new JoinTokenLimits(WindowSize: 4, MaxHalfOpenPerToken: 2, MaxHalfOpenPerConnection: 3, MaxHalfOpenPerHost: 5));
        table.Register(new Conn(1), KeyOf(1));
        table.Register(new Conn(2), KeyOf(2));
        var one = new JoinTokenSequence(KeyOf(1));
        var two = new JoinTokenSequence(KeyOf(2));
        ulong[] ones = [one.Take().Value, one.Take().Value, one.Take().Value, one.Take().Value];
        ulong[] twos = [two.Take().Value, two.Take().Value, two.Take().Value, two.Take().Value];
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(ones[0], out _));
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(ones[1], out _));
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(ones[2], out _));
        Assert.Equal(JoinLookupResult.ConnectionBusy, table.TryReserve(ones[3], out _));
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(twos[0], out _));
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(twos[1], out _));
        Assert.Equal(JoinLookupResult.HostBusy, table.TryReserve(twos[2], out _));
        Assert.Equal(5, table.HalfOpen);
    }

    [Fact]
    public void Remove_ForgetsTheConnection_AndItsHalfOpenJoins()
    {
        var table = new JoinTokenTable<Conn>(JoinTokenLimits.Default);
        JoinTokenWindow<Conn> window = table.Register(new Conn(1), KeyOfA);
        JoinToken token = new JoinTokenSequence(KeyOfA).Take();
        Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(token.Value, out JoinReservation<Conn> r));
        table.Remove(window);
        Assert.Equal(0, table.LiveTokens);
        Assert.Equal(0, table.HalfOpen);
        Assert.False(table.Spend(r));
        Assert.Equal(JoinLookupResult.UnknownToken, table.TryReserve(token.Value, out _));
        table.Remove(window);
    }

    [Fact]
    public void ClashingToken_IsSkipped_AndLeadsToItsFirstOwner()
    {
        // Two connections with the same token key: the second one's first four tokens clash.
        var table = new JoinTokenTable<Conn>(JoinTokenLimits.Default);
        var first = new Conn(1);
        table.Register(first, KeyOfA);
        JoinTokenWindow<Conn> second = table.Register(new Conn(2), KeyOfA);
        Assert.Equal(4, second.Clashes);
        Assert.Equal(new ulong[] { 4, 5, 6, 7 }, table.LiveIndices(second).Order());
        Assert.True(table.TryFind(JoinToken.Derive(KeyOfA, 0).Value, out Conn owner));
        Assert.Same(first, owner);
    }

    [Fact]
    public void HundredThousandForgedTokens_FindNothing()
    {
        var table = new JoinTokenTable<Conn>(JoinTokenLimits.Default, 10_000);
        for (int c = 0; c < 10_000; c++)
        {
            table.Register(new Conn(c), KeyOf(c));
        }

        var random = new Random(6);
        int found = 0;
        for (int i = 0; i < 100_000; i++)
        {
            if (table.TryReserve((ulong)random.NextInt64() ^ ((ulong)random.Next() << 63), out _) != JoinLookupResult.UnknownToken)
            {
                found++;
            }
        }

        Assert.Equal(0, found);
        Assert.Equal(0, table.HalfOpen);
        Assert.Equal(40_000, table.LiveTokens);
    }

    [Fact]
    public void TenThousandJoins_NeverShowATokenTwice_AndAreFoundThroughAnyNat()
    {
        // The joiner's address and the address the receiver sees (after NAT) never enter the
        // computation; the same token finds the connection whatever the source.
        var table = new JoinTokenTable<Conn>(JoinTokenLimits.Default);
        var conn = new Conn(1);
        table.Register(conn, KeyOfA);
        var joiner = new JoinTokenSequence(KeyOfA);
        var seen = new HashSet<ulong>();
        var seenTokenFields = new HashSet<uint>();
        for (int join = 0; join < 10_000; join++)
        {
            JoinToken token = joiner.Take();
            Assert.True(seen.Add(token.Value));
            seenTokenFields.Add(token.TokenField);
            Assert.Equal(JoinLookupResult.Reserved, table.TryReserve(token.Value, out JoinReservation<Conn> r));
            Assert.Same(conn, r.Connection);
            Assert.True(table.Spend(r));
        }

        Assert.InRange(seenTokenFields.Count, 9_980, 10_000); // 32-bit halves: ~0.01 expected clashes, never many
    }

    [Fact]
    public void TableApi_TakesNoAddressOrPort()
    {
        Type[] addressTypes = [typeof(IpAddressBytes), typeof(IPAddress), typeof(IPEndPoint)];
        foreach (Type type in new[] { typeof(JoinTokenTable<Conn>), typeof(JoinTokenSequence), typeof(JoinToken) })
        {
            foreach (MethodBase method in type.GetMethods().Cast<MethodBase>().Concat(type.GetConstructors()))
            {
                Assert.DoesNotContain(method.GetParameters(), p => addressTypes.Contains(p.ParameterType) || p.Name!.Contains("port", StringComparison.OrdinalIgnoreCase) || p.Name!.Contains("address", StringComparison.OrdinalIgnoreCase));
            }
        }
    }

    [Fact]
    public void Limits_AreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new JoinTokenTable<Conn>(JoinTokenLimits.Default with { WindowSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JoinTokenTable<Conn>(JoinTokenLimits.Default with { MaxHalfOpenPerToken = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JoinTokenTable<Conn>(JoinTokenLimits.Default with { WindowSize = JoinTokenWindow<Conn>.MaxSize + 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JoinTokenTable<Conn>(JoinTokenLimits.Default with { MaxHalfOpenPerToken = 256 }));

        // The largest window works.
        var table = new JoinTokenTable<Conn>(JoinTokenLimits.Default with { WindowSize = JoinTokenWindow<Conn>.MaxSize });
        JoinTokenWindow<Conn> window = table.Register(new Conn(1), KeyOfA);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (ulong)i), table.LiveIndices(window).Order());
    }
}
