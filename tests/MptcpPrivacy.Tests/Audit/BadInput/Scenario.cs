using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Tests.Audit.BadInput;

/// <summary>
/// The captures the bad-input tests damage: a complete connection before the fault, whatever the test
/// puts in the middle, and a complete connection after it, so a test can tell that the audit went on.
/// </summary>
internal static class Scenario
{
    /// <summary>Client key of the connection before the fault.</summary>
    public const ulong BeforeClientKey = 0x5eed_0000_0000_b001;

    /// <summary>Server key of the connection before the fault.</summary>
    public const ulong BeforeServerKey = 0x5eed_0000_0000_b002;

    /// <summary>Client key of the connection after the fault.</summary>
    public const ulong AfterClientKey = 0x5eed_0000_0000_a001;

    /// <summary>Server key of the connection after the fault.</summary>
    public const ulong AfterServerKey = 0x5eed_0000_0000_a002;

    /// <summary>Client key of the connection the tests damage.</summary>
    public const ulong ClientKey = 0x5eed_0000_0000_c001;

    /// <summary>Server key of the connection the tests damage.</summary>
    public const ulong ServerKey = 0x5eed_0000_0000_c002;

    /// <summary>Checks one <see cref="Complete"/> connection makes that verify: [check] = count.</summary>
    public static readonly IReadOnlyDictionary<string, long> ChecksPerComplete = new Dictionary<string, long>
    {
        ["join-token"] = 1,
        ["join-synack-hmac"] = 1,
        ["join-ack-hmac"] = 1,
        ["idsn"] = 2,
        ["dss-checksum"] = 4,
        ["add-addr-hmac"] = 1,
    };

    /// <summary>
    /// A connection with everything right: handshake with checksums, data both ways, a join from
    /// <paramref name="joiner"/> on interface 3 with data both ways, and an ADD_ADDR from the server (echoed).
    /// </summary>
    public static SyntheticConnection Complete(SyntheticCapture c, string client, string joiner, string server, ulong clientKey, ulong serverKey)
    {
        SyntheticConnection conn = c.Connection(client, server, clientKey, serverKey, checksums: true);
        conn.Handshake();
        conn.Data(fromClient: true, Payload(300, 1));
        conn.Data(fromClient: false, Payload(500, 2));
        SyntheticSubflow join = conn.Join(from: joiner, interfaceIndex: 3);
        conn.Data(fromClient: true, Payload(200, 3), on: join);
        conn.Data(fromClient: false, Payload(700, 4), on: join);
        conn.AddAddr(fromServer: true, "192.0.2.200", addressId: 7);
        return conn;
    }

    /// <summary>A complete connection, then <paramref name="middle"/>, then another complete connection.</summary>
    public static SyntheticCapture Around(Action<SyntheticCapture> middle, LinkType linkType = LinkType.Raw)
    {
        var c = new SyntheticCapture(linkType);
        Complete(c, "198.51.100.10", "203.0.113.10", "192.0.2.1", BeforeClientKey, BeforeServerKey);
        middle(c);
        Complete(c, "198.51.100.30", "203.0.113.30", "192.0.2.3", AfterClientKey, AfterServerKey);
        return c;
    }

    /// <summary>Asserts that the report holds the connection of <paramref name="clientKey"/> whole: initial subflow and a join whose HMACs verified.</summary>
    public static void AssertComplete(AuditOutcome outcome, ulong clientKey)
    {
        var subflows = AuditOutcome.SubflowsOf(outcome.ConnectionOf(clientKey));
        Assert.True(subflows.Count == 2, $"connection {clientKey:x16} has {subflows.Count} subflows, not 2\n{outcome}");
        Assert.Equal("initial", subflows[0].GetProperty("role").GetString());
        Assert.Equal("join", subflows[1].GetProperty("role").GetString());
        Assert.Equal("valid", subflows[1].GetProperty("hmac").GetProperty("synAck").GetString());
        Assert.Equal("valid", subflows[1].GetProperty("hmac").GetProperty("ack").GetString());
    }

    /// <summary>Asserts that the connections before and after the fault are both whole.</summary>
    public static void AssertBeforeAndAfterComplete(AuditOutcome outcome)
    {
        AssertComplete(outcome, BeforeClientKey);
        AssertComplete(outcome, AfterClientKey);
    }

    /// <summary>Deterministic payload bytes.</summary>
    public static byte[] Payload(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
