using System.Globalization;
using System.Net;
using System.Text.Json;
using MptcpPrivacy.Cli.Audit;
using MptcpPrivacy.Cli.Simulate;
using MptcpPrivacy.Tests.Cli;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Integration;

/// <summary>
/// The captures of <c>simulate --pcap</c> as tshark reads them: no malformed packet and no MPTCP
/// expert error, every MPTCP option field as <c>decode</c> reads it, and the same grouping of
/// subflows into connections (tshark's tcp.stream → mptcp.stream) as <c>audit --json</c>.
/// </summary>
/// <remarks>
/// The simulator's capture records every packet once per link it crosses (on its path, then on the
/// server's link), each as the receiver gets it. A real capture is taken at one point, so the
/// checks run on each link's packets alone: tshark's TCP analysis of the whole file would see each
/// packet twice, and the dissector of port 10000 (NDMP) then reports the identical copies as
/// overlapping reassembly fragments. The whole file is checked too, with NDMP off. On a NAT path the
/// two directions of a subflow carry different addresses on the path's link (outside source one
/// way, inside destination the other), which no real capture point shows; the grouping is
/// compared there on the server's link only.
/// </remarks>
public class SimulatorCaptureTsharkTests
{
    /// <summary>Analysis as in the brief: MPTCP analysis on, absolute sequence numbers.</summary>
    private static readonly string[] Analysis =
        ["-n", "-o", "mptcp.analyze_mptcp:TRUE", "-o", "mptcp.relative_sequence_numbers:FALSE", "-o", "tcp.relative_sequence_numbers:FALSE"];

    /// <summary>
    /// Frames that are malformed or carry an error, or any of tshark's MPTCP expert items that mean a
    /// broken handshake or a fallback. Not "No mapping available" (mptcp.dss.missing_mapping): tshark
    /// 4.0 gives it to the MP_CAPABLE that carries the first data (RFC 8684 §3.1) and to pure ACKs,
    /// and gives it to the kernel's captures in tests/fixtures/kernel as well.
    /// </summary>
    private const string Problems =
        "_ws.malformed || _ws.expert.severity >= error || mptcp.connection.echoed_key_mismatch"
        + " || mptcp.connection.missing_algorithm || mptcp.connection.unsupported_algorithm || mptcp.dss.infinite_mapping";

    public static TheoryData<string> Scenarios => new("two-paths", "nat-on-path-2", "strip-join", "announce", "checksums");

    private static SimulateRequest Request(string scenario) => scenario switch
    {
        "two-paths" => SimulateRunner.Small with { Paths = ["rate=100M,rtt=20ms", "rate=50M,rtt=40ms,loss=1%"] },
        "nat-on-path-2" => SimulateRunner.Small with { Paths = ["rate=100M,rtt=20ms", "rate=50M,rtt=40ms,nat"] },
        "strip-join" => SimulateRunner.Small with { Paths = ["rate=100M,rtt=20ms", "rate=50M,rtt=40ms,strip=join"] },
        "announce" => SimulateRunner.Small with { Announce = ["192.0.2.2"] },
        "checksums" => SimulateRunner.Small with { Checksums = true },
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void TsharkReadsTheCaptureCleanlyAndGroupsSubflowsAsTheAuditDoes(string scenario)
    {
        string tshark = ExternalTool.Require("tshark");
        using var dir = new TempDirectory();
        (string capture, JsonElement summary) = Play(dir, scenario);
        JsonElement[] paths = [.. summary.GetProperty("scenario").GetProperty("paths").EnumerateArray()];

        AssertClean(tshark, capture, $"{scenario}, whole file", "--disable-protocol", "ndmp");
        var groupingViews = new List<(string Name, string File)>();
        for (int i = 0; i <= paths.Length; i++)
        {
            bool nat = i < paths.Length && paths[i].GetProperty("nat").ValueKind != JsonValueKind.Null;
            string link = i < paths.Length ? paths[i].GetProperty("name").GetString()! : "server";
            string part = dir.File($"if{i}.pcapng");
            ExternalTool.Run(tshark, ["-r", capture, "-Y", $"frame.interface_id == {i}", "-w", part]);
            AssertClean(tshark, part, $"{scenario}, link {link}");
            if (!nat)
            {
                groupingViews.Add(($"link {link}", part));
            }
        }

        if (paths.All(p => p.GetProperty("nat").ValueKind == JsonValueKind.Null))
        {
            groupingViews.Add(("whole file", capture));
        }

        foreach ((string name, string file) in groupingViews)
        {
            int groups = AssertSameGrouping(tshark, file, $"{scenario}, {name}");

            // Guards the comparison: the server's link carries every subflow of the MPTCP connection.
            Assert.True(groups > 0 || name != "link server", $"{scenario}: no MPTCP connection on the server's link");
        }

        TsharkAgreementTests.AssertAgrees(capture, $"simulated/{scenario}");
    }

    [Fact]
    public void TsharkSeesTheAddAddrTheAuditVerifies()
    {
        string tshark = ExternalTool.Require("tshark");
        using var dir = new TempDirectory();
        (string capture, _) = Play(dir, "announce");

        string[] announcements = Lines(ExternalTool.Run(tshark, [.. Analysis, "-r", capture, "-Y", "tcp.options.mptcp.subtype == 3 && tcp.options.mptcp.echo == 0",
            "-T", "fields", "-e", "ip.src", "-e", "tcp.options.mptcp.ipv4", "-e", "tcp.options.mptcp.addrid", "-e", "tcp.options.mptcp.addaddrtrunchmac"]));
        // The server announces 192.0.2.2; the default scenario's client announces its path 2 addresses
        // (the IPv6 one shows no ipv4 field).
        Assert.Contains(announcements, line => line.StartsWith("192.0.2.1\t192.0.2.2\t", StringComparison.Ordinal));
        Assert.All(announcements, line =>
        {
            string[] c = line.Split('\t');
            Assert.True(c[0] == "192.0.2.1" ? c[1] == "192.0.2.2" : c[1] is "203.0.113.2" or "", line);
            Assert.NotEqual("", c[3]); // a v1 ADD_ADDR carries its truncated HMAC (RFC 8684 §3.4.1)
        });
        Assert.NotEmpty(Lines(ExternalTool.Run(tshark, [.. Analysis, "-r", capture, "-Y", "tcp.options.mptcp.subtype == 3 && tcp.options.mptcp.echo == 1"])));

        JsonElement checks = Audit(capture).GetProperty("checks").GetProperty("add-addr-hmac");
        Assert.True(checks.GetProperty("valid").GetInt32() > 0, checks.ToString());
        Assert.Equal(0, checks.GetProperty("invalid").GetInt32());
    }

    [Fact]
    public void TsharkSeesChecksumsAskedForAndTheAuditFindsEveryOneRight()
    {
        string tshark = ExternalTool.Require("tshark");
        using var dir = new TempDirectory();
        (string capture, _) = Play(dir, "checksums");

        // RFC 8684 §3.1: the A flag ("checksum required") on the SYN and SYN/ACK's MP_CAPABLE.
        string[] handshake = Lines(ExternalTool.Run(tshark, [.. Analysis, "-r", capture, "-Y", "tcp.flags.syn == 1 && tcp.options.mptcp.subtype == 0",
            "-T", "fields", "-e", "tcp.options.mptcp.checksumreq.flags"]));
        Assert.NotEmpty(handshake);
        Assert.All(handshake, flag => Assert.Equal("1", flag));

        // tshark 4.0 does not show DSS checksums; the audit recomputes each one from the captured data (RFC 8684 §3.3.1).
        JsonElement checks = Audit(capture).GetProperty("checks").GetProperty("dss-checksum");
        Assert.True(checks.GetProperty("valid").GetInt32() > 100, checks.ToString());
        Assert.Equal(0, checks.GetProperty("invalid").GetInt32());
    }

    [Fact]
    public void TheJoinThroughTheNatCarriesValidHmacsAtTheServer()
    {
        using var dir = new TempDirectory();
        (string capture, JsonElement summary) = Play(dir, "nat-on-path-2");
        Assert.Equal(2, summary.GetProperty("subflows").GetProperty("established").GetInt32());

        JsonElement audit = Audit(capture);
        JsonElement connection = Assert.Single(audit.GetProperty("connections").EnumerateArray());
        JsonElement join = Assert.Single(connection.GetProperty("subflows").EnumerateArray(), s => s.GetProperty("role").GetString() == "join");
        Assert.Equal("203.0.113.1", join.GetProperty("src").GetString()); // the NAT's public address
        Assert.Equal("valid", join.GetProperty("hmac").GetProperty("synAck").GetString());
        Assert.Equal("valid", join.GetProperty("hmac").GetProperty("ack").GetString());
    }

    /// <summary>
    /// RFC 8684 §3.2 and §3.6: a join answered by a SYN/ACK without MP_JOIN is reset, and the reset
    /// says why (MP_TCPRST, reason 0x06 "middlebox interference"). The stack records that reason in
    /// its subflow-closed event, but the subflow is still in SYN-SENT when it is aborted, and
    /// <c>TcpSubflow.CloseWithReset</c> queues a RST only for a synchronized subflow: nothing is
    /// sent. The server's subflow stays half-open; in a short run no RST ever comes, in a longer one
    /// the server's SYN/ACK retransmission a second later draws the endpoint's plain RST, without MP_TCPRST.
    /// </summary>
    [Fact]
    public void AJoinRefusedOnItsSynAckIsResetAtOnceWithMpTcpRst()
    {
        string tshark = ExternalTool.Require("tshark");
        using var dir = new TempDirectory();
        (string capture, _) = Play(dir, "strip-join");
        string server = dir.File("server.pcapng");
        ExternalTool.Run(tshark, ["-r", capture, "-Y", "frame.interface_id == 2", "-w", server]);

        // On the server's link: the join's SYN/ACK (sent once, not again), then the client's RST with MP_TCPRST.
        string[] join = Lines(ExternalTool.Run(tshark, [.. Analysis, "-r", server, "-Y", "ip.addr == 203.0.113.2",
            "-T", "fields", "-e", "tcp.flags.str", "-e", "tcp.options.mptcp.subtype", "-e", "tcp.options.mptcp.rst_reason"]));
        Assert.True(join.Length == 3, "the join's packets on the server's link (flags, MPTCP subtype, MP_TCPRST reason):\n" + string.Join('\n', join));
        Assert.Equal(["8", "0x06"], join[2].Split('\t')[1..]);
    }

    /// <summary>Plays <paramref name="scenario"/> with a capture into <paramref name="dir"/>; returns the capture's path and the JSON summary.</summary>
    private static (string Capture, JsonElement Summary) Play(TempDirectory dir, string scenario)
    {
        string capture = dir.File($"{scenario}.pcapng");
        SimulateRunner.Result run = SimulateRunner.Run(Request(scenario) with { PcapFile = capture, Json = true });
        Assert.True(run.ExitCode == SimulateCommand.ExitOk, run.ToString());
        return (capture, run.Json);
    }

    private static void AssertClean(string tshark, string file, string view, params string[] extra)
    {
        Assert.NotEmpty(Lines(ExternalTool.Run(tshark, ["-r", file, "-n", "-c", "1", "-T", "fields", "-e", "frame.number"])));
        string problems = ExternalTool.Run(tshark, [.. Analysis, .. extra, "-r", file, "-Y", Problems, "-T", "fields", "-e", "frame.number", "-e", "_ws.expert.message"]);
        Assert.True(problems.Trim().Length == 0, $"{view}: tshark finds malformed frames or MPTCP errors (frame, messages):\n{string.Join('\n', Lines(problems).Take(20))}");
    }

    /// <summary>Asserts that tshark's mptcp.stream groups the subflows (as 4-tuples) as the audit's connections do; returns how many groups there are.</summary>
    private static int AssertSameGrouping(string tshark, string file, string view)
    {
        var theirs = new Dictionary<string, SortedSet<string>>();
        var streamOf = new Dictionary<string, string>();
        string fields = ExternalTool.Run(tshark, [.. Analysis, "-r", file, "-Y", "mptcp.stream", "-T", "fields", "-E", "separator=,",
            "-e", "tcp.stream", "-e", "mptcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport"]);
        foreach (string line in Lines(fields))
        {
            string[] c = line.Split(',');
            string tuple = Tuple(c[2].Length > 0 ? c[2] : c[3], c[4], c[5].Length > 0 ? c[5] : c[6], c[7]);
            Assert.True(streamOf.TryAdd(c[0], c[1]) || streamOf[c[0]] == c[1], $"{view}: tshark puts tcp.stream {c[0]} in mptcp.stream {streamOf[c[0]]} and {c[1]}");
            (theirs.TryGetValue(c[1], out SortedSet<string>? group) ? group : theirs[c[1]] = []).Add(tuple);
        }

        // tshark gives an mptcp.stream to any TCP stream with an MPTCP option, so also to a join
        // whose MP_JOIN was stripped before this vantage and that the client then reset with
        // MP_TCPRST: a plain TCP SYN, SYN/ACK and RST. The audit has no keys or token to tie it to
        // a connection and does not list it. Such a stream must really be that (a reset carrying
        // MP_TCPRST and no MP_CAPABLE or MP_JOIN anywhere); it is then left out of the comparison.
        string handshakes = ExternalTool.Run(tshark, [.. Analysis, "-r", file, "-Y", "tcp.options.mptcp.subtype == 0 || tcp.options.mptcp.subtype == 1", "-T", "fields", "-e", "mptcp.stream"]);
        var withHandshake = new HashSet<string>(Lines(handshakes).Select(l => l.Trim()));
        foreach (string stream in theirs.Keys.Where(k => !withHandshake.Contains(k)).ToArray())
        {
            string resets = ExternalTool.Run(tshark, [.. Analysis, "-r", file, "-Y", $"mptcp.stream == {stream} && tcp.flags.reset == 1 && tcp.options.mptcp.subtype == 8", "-T", "fields", "-e", "frame.number"]);
            Assert.True(Lines(resets).Any(), $"{view}: tshark's mptcp.stream {stream} has no MP_CAPABLE or MP_JOIN and is not a join reset with MP_TCPRST");
            theirs.Remove(stream);
        }

        var ours = new List<SortedSet<string>>();
        foreach (JsonElement connection in Audit(file).GetProperty("connections").EnumerateArray())
        {
            JsonElement[] subflows = [.. connection.GetProperty("subflows").EnumerateArray()];

            // A connection that fell back at once is plain TCP to tshark too: no mptcp.stream.
            if (subflows.All(s => s.GetProperty("role").GetString() == "fallback"))
            {
                continue;
            }

            ours.Add([.. subflows.Select(s => Tuple(s.GetProperty("src").GetString()!, s.GetProperty("sport").GetRawText(), s.GetProperty("dst").GetString()!, s.GetProperty("dport").GetRawText()))]);
        }

        Assert.Equal(Describe(theirs.Values), Describe(ours));
        return ours.Count;
    }

    private static JsonElement Audit(string file)
    {
        using var output = new MemoryStream();
        using var errors = new StringWriter();
        int exit = AuditCommand.Run([file], [], json: true, svgDirectory: null, output, errors);
        Assert.True(exit == AuditCommand.ExitOk, $"audit exit {exit}: {errors}");
        return JsonDocument.Parse(output.ToArray()).RootElement.Clone();
    }

    /// <summary>A subflow's 4-tuple with its two ends in a fixed order, as both tools may name either end first.</summary>
    private static string Tuple(string addressA, string portA, string addressB, string portB)
    {
        string a = $"{IPAddress.Parse(addressA)}:{int.Parse(portA, CultureInfo.InvariantCulture)}";
        string b = $"{IPAddress.Parse(addressB)}:{int.Parse(portB, CultureInfo.InvariantCulture)}";
        return string.CompareOrdinal(a, b) <= 0 ? $"{a} <-> {b}" : $"{b} <-> {a}";
    }

    private static string Describe(IEnumerable<SortedSet<string>> groups) =>
        string.Join('\n', groups.Select(g => "{ " + string.Join(", ", g) + " }").Order(StringComparer.Ordinal));

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
