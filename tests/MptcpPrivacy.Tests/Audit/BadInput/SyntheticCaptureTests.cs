using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Verification;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Tests.Audit.BadInput;

/// <summary>
/// The synthetic captures the bad-input tests start from are valid: the audit verifies every check
/// they allow (none invalid, none unverifiable), rebuilds the connections and subflows they hold,
/// and tshark validates their TCP and IP checksums and groups their subflows the same way.
/// </summary>
public class SyntheticCaptureTests
{
    internal const ulong KeyA1 = 0x0123_4567_89ab_cdef, KeyA2 = 0xfedc_ba98_7654_3210;
    internal const ulong KeyB1 = 0x1111_2222_3333_4444, KeyB2 = 0x5555_6666_7777_8888;
    internal const ulong KeyC1 = 0x0a0b_0c0d_0e0f_1011, KeyC2 = 0x1213_1415_1617_1819;

    public static TheoryData<LinkType, CaptureFormat> Layouts => new()
    {
        { LinkType.Raw, CaptureFormat.Pcap },
        { LinkType.LinuxSll2, CaptureFormat.Pcap },
        { LinkType.Raw, CaptureFormat.Pcapng },
        { LinkType.LinuxSll2, CaptureFormat.Pcapng },
    };

    /// <summary>
    /// Three connections: A (v1, IPv4, checksums) with a client join, a server join, two ADD_ADDRs and a
    /// REMOVE_ADDR; B (v1, IPv6, no checksums) with a join; C (v0, IPv4, checksums) with a join.
    /// </summary>
    internal static SyntheticCapture Build(LinkType linkType)
    {
        var c = new SyntheticCapture(linkType);
        SyntheticConnection a = c.Connection("198.51.100.2", "192.0.2.1", KeyA1, KeyA2, version: 1, checksums: true, interfaceIndex: 2);
        SyntheticConnection b = c.Connection("2001:db8:1::2", "2001:db8:2::1", KeyB1, KeyB2, version: 1, checksums: false, serverPort: 8080, interfaceIndex: 5);
        SyntheticConnection v0 = c.Connection("198.51.100.7", "192.0.2.7", KeyC1, KeyC2, version: 0, checksums: true, interfaceIndex: 2);

        a.Handshake();
        b.Handshake();
        a.Data(fromClient: true, Scenario.Payload(1000, 1));
        a.Data(fromClient: false, Scenario.Payload(1400, 2));
        SyntheticSubflow aJoin = a.Join(from: "203.0.113.2", interfaceIndex: 3, addressId: 2);
        a.AddAddr(fromServer: true, "192.0.2.2", addressId: 4, port: 8443);
        a.AddAddr(fromServer: false, "2001:db8:9::2", addressId: 5);
        SyntheticSubflow aServerJoin = a.Join(from: "192.0.2.2", to: "198.51.100.2", interfaceIndex: 2, fromClient: false, addressId: 4);
        a.Data(fromClient: true, Scenario.Payload(333, 3), on: aJoin);
        a.Data(fromClient: false, Scenario.Payload(17, 4), on: aServerJoin);
        a.Data(fromClient: true, Scenario.Payload(1, 5), on: aServerJoin);
        b.Data(fromClient: true, Scenario.Payload(100, 6));
        b.Data(fromClient: false, Scenario.Payload(90, 7));
        SyntheticSubflow bJoin = b.Join(from: "2001:db8:3::2", interfaceIndex: 6);
        b.Data(fromClient: false, Scenario.Payload(900, 8), on: bJoin);
        a.RemoveAddr(fromServer: false, 5);
        v0.Handshake();
        v0.Data(fromClient: true, Scenario.Payload(64, 9));
        v0.Data(fromClient: false, Scenario.Payload(65, 10));
        SyntheticSubflow v0Join = v0.Join(from: "203.0.113.7", interfaceIndex: 3);
        v0.Data(fromClient: true, Scenario.Payload(99, 11), on: v0Join);
        return c;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void TheAuditVerifiesEverythingItBuilds(LinkType linkType, CaptureFormat format)
    {
        using var dir = new TempDirectory();
        string path = dir.File("synthetic." + (format == CaptureFormat.Pcap ? "pcap" : "pcapng"));
        Build(linkType).Write(path, format);

        AuditReport report = AuditRun.Run([path], []);
        CheckTally t = report.Global.Checks;
        string why = TallyPrinter.Describe(t);
        Assert.True(report.Complete, why);
        Assert.Equal(0, report.MalformedCount);
        Assert.True(t.Findings.Count == 0, why);
        foreach (CheckKind kind in Enum.GetValues<CheckKind>())
        {
            Assert.True(t.Count(kind, CheckStatus.Invalid) == 0 && t.Count(kind, CheckStatus.Unverifiable) == 0, why);
        }

        Assert.True(t.Count(CheckKind.JoinToken, CheckStatus.Valid) == 4, why);
        Assert.True(t.Count(CheckKind.JoinSynAckHmac, CheckStatus.Valid) == 4, why);
        Assert.True(t.Count(CheckKind.JoinAckHmac, CheckStatus.Valid) == 4, why);
        Assert.True(t.Count(CheckKind.Idsn, CheckStatus.Valid) == 6, why);
        Assert.True(t.Count(CheckKind.AddAddrHmac, CheckStatus.Valid) == 2, why);
        // A's five mappings and C's three; B asked for no checksums.
        Assert.True(t.Count(CheckKind.DssChecksum, CheckStatus.Valid) == 8, why);

        IReadOnlyList<Connection> connections = report.Global.Connections;
        Assert.Equal(3, connections.Count);
        Assert.Equal([SubflowRole.Initial, SubflowRole.Join, SubflowRole.Join], connections[0].Subflows.Select(s => s.Role));
        Assert.Equal([true, true, false], connections[0].Subflows.Select(s => s.InitiatorIsClient));
        Assert.Equal([SubflowRole.Initial, SubflowRole.Join], connections[1].Subflows.Select(s => s.Role));
        Assert.Equal([SubflowRole.Initial, SubflowRole.Join], connections[2].Subflows.Select(s => s.Role));
        Assert.Equal([KeyA1, KeyB1, KeyC1], connections.Select(c => c.ClientKey!.Value));
        Assert.Equal(MptcpPrivacy.Wire.Mptcp.MptcpVersion.V0, connections[2].Version);
        Assert.Equal(7, report.Global.Subflows.Count);
        Assert.Equal(2, connections[0].Events.Count(e => e.Kind == ConnectionEventKind.AddAddr && !e.Echo));
        Assert.Single(connections[0].Events, e => e.Kind == ConnectionEventKind.RemoveAddr);

        int[] expectedInterfaces = (linkType, format) switch
        {
            (LinkType.LinuxSll2, _) => [3],
            (_, CaptureFormat.Pcapng) => [0],
            _ => [],
        };
        Assert.Equal(expectedInterfaces, connections[0].Subflows[1].Interfaces.Order());
    }

    [Theory]
    [InlineData(LinkType.Raw, CaptureFormat.Pcap)]
    [InlineData(LinkType.LinuxSll2, CaptureFormat.Pcapng)]
    public void TsharkValidatesTheChecksumsAndGroupsTheSubflowsTheSameWay(LinkType linkType, CaptureFormat format)
    {
        string tshark = ExternalTool.Require("tshark");
        using var dir = new TempDirectory();
        string path = dir.File("synthetic." + (format == CaptureFormat.Pcap ? "pcap" : "pcapng"));
        SyntheticCapture capture = Build(linkType);
        capture.Write(path, format);

        string fields = ExternalTool.Run(tshark, ["-r", path, "-n", "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
            "-T", "fields", "-E", "separator=,", "-e", "frame.number", "-e", "tcp.checksum.status", "-e", "ip.checksum.status", "-e", "mptcp.stream"]);
        string[] lines = fields.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(capture.Packets.Count, lines.Length);
        foreach (string line in lines)
        {
            string[] f = line.Split(',');
            SyntheticPacket packet = capture[int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture)];
            // tshark's checksum status: 1 is "good".
            Assert.True(f[1] == "1", $"frame {f[0]}: tshark says the TCP checksum is not good ({line})");
            Assert.True(f[2] is "1" or "", $"frame {f[0]}: tshark says the IPv4 header checksum is not good ({line})");
            // tshark gives no stream to a v1 SYN: its MP_CAPABLE has no key to derive the token from.
            bool v1Syn = packet.Data[packet.TcpOffset + 13] == 0x02 && packet.Data[packet.OptionsOffset] == 30 && packet.Data[packet.OptionsOffset + 1] == 4;
            Assert.True(f[3].Length > 0 || v1Syn, $"frame {f[0]}: tshark puts it in no MPTCP stream ({line})");
        }

        TsharkGroupingTests.AssertSameGrouping([path], $"synthetic {linkType} {format}");
    }
}
