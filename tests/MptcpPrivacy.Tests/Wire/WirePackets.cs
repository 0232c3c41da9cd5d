namespace MptcpPrivacy.Tests.Wire;

/// <summary>Packets shared by the header tests, each with where it comes from.</summary>
internal static class WirePackets
{
    /// <summary>tcpdump tests/mptcp-v0.pcap frame 1, IP layer: the client's MP_CAPABLE SYN 10.2.1.2:35961 → 10.1.1.2:22 (tshark: IP and TCP checksums good).</summary>
    public const string V0Syn =
        "4500004832e940004006f1c00a0201020a010102" +
        "8c790016ad98935900000000d0023908da990000" +
        "020405b40402080affffa1b00000000001030306" +
        "1e0c00819c9eabd1e46a33b2";

    /// <summary>
    /// Built for these tests and checked with tshark 4.0.17: IHL 6 with a Router Alert option, DSCP 46
    /// (EF), ECN 1, reserved and MF flags, offset 0x123, TTL 1, UDP, 192.0.2.1 → 198.51.100.7, payload
    /// "abcd". tshark: "Header Checksum: 0xd7c4 [correct]".
    /// </summary>
    public const string V4WithOptions = "46b9001cbeefa1230111d7c4c0000201c63364079404000061626364";

    /// <summary>
    /// Built for these tests and checked with tshark 4.0.17: 2001:db8::1:48696 → 2001:db8:0:1::2:10000,
    /// traffic class 0x2e, flow label 0x12345, TCP PSH+ACK with MSS, SACK-Permitted, Timestamps, NOP,
    /// Window Scale and MP_CAPABLE options and 15 bytes "hello-mptcp-00\n".
    /// tshark: "Checksum: 0x1460 [correct]".
    /// </summary>
    public const string V6Tcp =
        "62e12345003b064020010db800000000000000000000000120010db8000000010000000000000002" +
        "be3827101122334455667788b018ffff14600000020405a00402080a0001e24000000000010303071e040101" +
        "68656c6c6f2d6d707463702d30300a";

    /// <summary>
    /// Built for these tests and dissected by tshark 4.0.17: Hop-by-Hop (PadN), Routing (type 253,
    /// segments left 0), Fragment (offset 0, M=1, id 0xdeadbeef), Destination Options (PadN), then a
    /// 23-byte TCP segment (ACK, payload "abc").
    /// </summary>
    public const string V6ExtensionChain =
        "600000000037004020010db800000000000000000000000120010db80000000100000000000000022b000104000000002c00fd00000000003c000001deadbeef0600010400000000" +
        "be38271011223344000000015010ffff66490000616263";

    /// <summary>Built for these tests and dissected by tshark 4.0.17: a non-first fragment (offset 185 = 1480 bytes, M=0, id 0xdeadbeef) of a TCP datagram, payload "tail-of-datagram".</summary>
    public const string V6NonFirstFragment =
        "6000000000182c4020010db800000000000000000000000120010db8000000010000000000000002060005c8deadbeef7461696c2d6f662d646174616772616d";

    /// <summary>
    /// Built for these tests and checked with tshark 4.0.17: an Authentication Header (Payload Len 4,
    /// 24 bytes) before a bare TCP ACK. tshark: "Checksum: 0x2aae [correct]".
    /// </summary>
    public const string V6AuthenticationHeader =
        "60000000002c334020010db800000000000000000000000120010db8000000010000000000000002060400000000010000000001000000000000000000000000" +
        "be38271011223344000000025010ffff2aae0000";
}
