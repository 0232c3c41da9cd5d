using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Tests.Stack.Mptcp;

/// <summary>RFC 8684 §3.1/§3.2: unique tokens per live connection, redrawn on a clash, found in O(1).</summary>
public class TokenTableTests
{
    private sealed class Conn;

    [Fact]
    public void Rfc8684_3_1_KeyGivesTokenAndIdsn()
    {
        // mptcp-vectors.md §3.3: client key 1fdb5df328bc3def.
        LocalKey key = LocalKey.From(0x1fdb5df328bc3def);
        Assert.Equal(0x239fbdb0u, key.Token);
        Assert.Equal(0xc8072fb90edab04dUL, key.Idsn);
    }

    [Fact]
    public void TenThousandConnectionsGetDistinctNonZeroTokensAndAreFound()
    {
        var table = new TokenTable<Conn>(new Random(8684));
        var connections = new List<(Conn, LocalKey)>();
        for (int i = 0; i < 10_000; i++)
        {
            var c = new Conn();
            Assert.True(table.TryAdd(c, out LocalKey key));
            Assert.NotEqual(0u, key.Token);
            Assert.Equal(MptcpKeys.Token(key.Key, MptcpVersion.V1), key.Token);
            connections.Add((c, key));
        }

        Assert.Equal(10_000, table.Count);
        Assert.Equal(10_000, connections.Select(c => c.Item2.Token).Distinct().Count());
        foreach ((Conn c, LocalKey key) in connections)
        {
            Assert.True(table.TryFind(key.Token, out Conn found));
            Assert.Same(c, found);
        }
    }

    [Fact]
    public void Rfc8684_3_1_ATakenTokenIsRedrawn()
    {
        // Two tables on the same seed draw the same keys: the second table first holds the key the
        // first draw will produce, so that draw clashes and the table must draw again.
        LocalKey firstDraw;
        {
            var probe = new TokenTable<Conn>(new Random(42));
            Assert.True(probe.TryAdd(new Conn(), out firstDraw));
        }

        var table = new TokenTable<Conn>(new Random(42));
        var squatter = new Conn();
        Assert.True(table.TryAdd(squatter, firstDraw));
        Assert.True(table.TryAdd(new Conn(), out LocalKey second));
        Assert.NotEqual(firstDraw.Token, second.Token);
        Assert.Equal(1, table.Redraws);
    }

    [Fact]
    public void AClosedConnectionsTokenIsFreedOnlyByItsOwner()
    {
        var table = new TokenTable<Conn>(new Random(1));
        var a = new Conn();
        Assert.True(table.TryAdd(a, out LocalKey key));
        Assert.False(table.Remove(key.Token, new Conn()));
        Assert.True(table.Remove(key.Token, a));
        Assert.False(table.TryFind(key.Token, out _));
        Assert.True(table.TryAdd(new Conn(), key));
    }

    [Fact]
    public void AFixedKeyWithTokenZeroIsRefused()
    {
        var table = new TokenTable<Conn>(new Random(1));
        Assert.False(table.TryAdd(new Conn(), new LocalKey(1, 0, 0)));
    }
}
