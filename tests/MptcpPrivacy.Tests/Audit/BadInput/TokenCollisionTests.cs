using System.Buffers.Binary;
using System.Text.Json;
using MptcpPrivacy.Cli.Audit;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Tests.Audit.BadInput;

/// <summary>
/// Two connections whose server keys have the same v1 token (RFC 8684 §3.2: the token is only 32 bits
/// of SHA-256(key), so two keys of 2^16 share one about half the time), each with a join carrying that
/// token. A join's token then names two connections; its HMAC tells which one it belongs to.
/// </summary>
public class TokenCollisionTests
{
    /// <summary>The seed of the birthday search that found <see cref="KeyA"/> and <see cref="KeyB"/>.</summary>
    private const int SearchSeed = 8684;

    /// <summary>The first key of the colliding pair (found after 33,869 draws).</summary>
    private const ulong KeyA = 0xabda_edcf_b62e_fd7f;

    /// <summary>The second key of the colliding pair.</summary>
    private const ulong KeyB = 0x7ed3_06ec_3a9d_71c0;

    /// <summary>The v1 token both keys give.</summary>
    private const uint SharedToken = 0x2aed_680a;

    /// <summary>Draws random 64-bit keys until two give the same v1 token; returns them in draw order.</summary>
    internal static (ulong First, ulong Second) BirthdaySearch(int seed)
    {
        var random = new Random(seed);
        var seen = new Dictionary<uint, ulong>();
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        while (true)
        {
            random.NextBytes(bytes);
            ulong key = BinaryPrimitives.ReadUInt64BigEndian(bytes);
            uint token = MptcpKeys.Token(key, MptcpVersion.V1);
            if (seen.TryGetValue(token, out ulong earlier) && earlier != key)
            {
                return (earlier, key);
            }

            seen[token] = key;
        }
    }

    [Fact]
    public void TheCachedKeysAreWhatTheSeededBirthdaySearchFinds()
    {
        Assert.Equal((KeyA, KeyB), BirthdaySearch(SearchSeed));
        Assert.Equal(SharedToken, MptcpKeys.Token(KeyA, MptcpVersion.V1));
        Assert.Equal(SharedToken, MptcpKeys.Token(KeyB, MptcpVersion.V1));
    }

    [Fact]
    public void CollidingTokens_ConnectionsKeptApart_JoinsAssignedByHmac_CollisionReported()
    {
        using var dir = new TempDirectory();
        var c = new SyntheticCapture();
        SyntheticConnection a = c.Connection("198.51.100.41", "192.0.2.1", 0x0a0a_0000_0000_0001, KeyA, checksums: true);
        SyntheticConnection b = c.Connection("198.51.100.42", "192.0.2.1", 0x0b0b_0000_0000_0001, KeyB, checksums: true);
        a.Handshake();
        b.Handshake();
        a.Data(fromClient: true, Scenario.Payload(100, 1));
        b.Data(fromClient: true, Scenario.Payload(100, 2));
        // B's join first, so that the first connection to claim the token is not the right one by luck.
        SyntheticSubflow joinB = b.Join(from: "203.0.113.42");
        SyntheticSubflow joinA = a.Join(from: "203.0.113.41");
        b.Data(fromClient: false, Scenario.Payload(300, 3), on: joinB);
        a.Data(fromClient: false, Scenario.Payload(300, 4), on: joinA);
        string path = dir.File("collision.pcap");
        c.Write(path);

        AuditOutcome outcome = AuditCli.Json(path);

        Assert.True(outcome.ExitCode == AuditCommand.ExitOk, outcome.ToString());
        Assert.Equal(2, outcome.Connections.Count);
        foreach ((ulong clientKey, string joiner) in new[] { (0x0a0a_0000_0000_0001UL, "203.0.113.41"), (0x0b0b_0000_0000_0001UL, "203.0.113.42") })
        {
            IReadOnlyList<JsonElement> subflows = AuditOutcome.SubflowsOf(outcome.ConnectionOf(clientKey));
            Assert.True(subflows.Count == 2, $"connection {clientKey:x16} has {subflows.Count} subflows\n{outcome}");
            Assert.Equal(joiner, subflows[1].GetProperty("src").GetString());
            Assert.Equal("valid", subflows[1].GetProperty("hmac").GetProperty("synAck").GetString());
            Assert.Equal("valid", subflows[1].GetProperty("hmac").GetProperty("ack").GetString());
        }

        Assert.True(outcome.Total("invalid") == 0, outcome.ToString());
        Assert.Equal(2, outcome.Count("join-token", "valid"));
        string said = outcome.Errors + outcome.Output;
        Assert.True(said.Contains(SharedToken.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            && (said.Contains("collision", StringComparison.OrdinalIgnoreCase) || said.Contains("collide", StringComparison.OrdinalIgnoreCase)),
            $"nothing says that token {SharedToken:x8} names two connections\n{outcome}");
    }
}
