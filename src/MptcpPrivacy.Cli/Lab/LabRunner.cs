using System.Diagnostics;
using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Linking;
using MptcpPrivacy.Audit.Reporting;
using MptcpPrivacy.Cli.Lab.Netns;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Privacy.Draft;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Scenarios.Attacks;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;
using MptcpPrivacy.Wire.Ip;
using AuditConnection = MptcpPrivacy.Audit.Connections.Connection;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>
/// Runs the lab: per configuration, the mobile user's passive run with a capture, audited for every
/// observer class, then one short run per active attack with that attacker attached.
/// </summary>
internal static partial class LabRunner
{
    /// <summary>The observers of the table, in row order: (audit name, label). The server link's observer sees what the fully on-path one sees and is left out.</summary>
    public static readonly IReadOnlyList<(string Name, string Label)> Observers =
    [
        ("path-if0", "path wifi"),
        ("path-if1", "path cellular"),
        ("fully-on-path", "fully on-path"),
        ("endpoint", "endpoint (server)"),
    ];

    /// <summary>The attacks, in row order.</summary>
    public static readonly IReadOnlyList<JoinAttackKind> Attacks = [JoinAttackKind.OffPath, JoinAttackKind.HalfOnPath, JoinAttackKind.OnPathHijack];

    /// <summary>The middleboxes of the table, in row order: (name, row label, the two paths' specs).</summary>
    public static readonly IReadOnlyList<(string Name, string Label, string Wifi, string Cellular)> Middleboxes =
    [
        ("nat", "NAT on cellular", "rate=50M,rtt=20ms,name=wifi", "rate=20M,rtt=60ms,name=cellular,nat"),
        ("strip-joins", "MP_JOIN stripped on cellular", "rate=50M,rtt=20ms,name=wifi", "rate=20M,rtt=60ms,name=cellular,strip=join"),
        ("strip-all", "every MPTCP option stripped on Wi-Fi", "rate=50M,rtt=20ms,name=wifi,strip=all", "rate=20M,rtt=60ms,name=cellular"),
    ];

    /// <summary>Bytes of the first message (a ClientHello) on the initial path in the split run.</summary>
    public const int SplitHead = 150;

    /// <summary>Bytes of the whole first message in the split run.</summary>
    public const int SplitTotal = 500;

    private const int MaxTimelines = 2;
    private static readonly IpAddressBytes HalfOnPathAddress = IpAddressBytes.Parse("198.18.0.20");
    private static readonly IpAddressBytes OnPathAddress = IpAddressBytes.Parse("198.18.0.30");
    private static readonly IpAddressBytes OffPathRoute = IpAddressBytes.Parse("198.18.0.10");
    private static readonly LinkConfig AttackerLink = new() { RateBitsPerSecond = 100_000_000, DelayNs = 5_000_000 };

    /// <summary>
    /// Runs every configuration; <paramref name="progress"/> hears one line per finished column. On
    /// the <see cref="LabBackend.Netns"/> backend (root), the configurations that
    /// <see cref="NetnsLab.PathManagerFor"/> gives a kernel path manager run on kernels, the others
    /// on the simulator.
    /// </summary>
    public static LabResult Run(int seed, bool quick, Action<string>? progress = null, LabBackend backend = LabBackend.Simulator)
    {
        var clock = Stopwatch.StartNew();
        int connections = quick ? 4 : 10;
        long bytes = quick ? 100_000 : 300_000;
        long attackBytes = quick ? 2_000_000 : 4_000_000;
        var columns = new List<LabColumn>();
        var cpu = new Dictionary<PrivacyProfile, LabJoinCpu>();
        foreach (LabConfiguration configuration in LabConfiguration.All)
        {
            LabColumn column = backend == LabBackend.Netns && NetnsLab.PathManagerFor(configuration) is { } pathManager
                ? NetnsLab.RunColumn(configuration, pathManager, seed, connections, bytes, progress).Column
                : RunColumn(configuration, seed, connections, bytes, attackBytes);
            if (column.Backend == LabBackend.Simulator)
            {
                column = column with { Cost = column.Cost with { Cpu = cpu.TryGetValue(configuration.Profile, out LabJoinCpu? c) ? c : cpu[configuration.Profile] = JoinCpu(configuration.Profile, seed) } };
            }
            progress?.Invoke($"lab: {configuration.Name} done ({clock.Elapsed.TotalSeconds:0.0} s)");
            columns.Add(column);
        }

        return new LabResult(seed, quick, connections, columns, clock.Elapsed.TotalSeconds);
    }

    private static LabColumn RunColumn(LabConfiguration configuration, int seed, int connections, long bytes, long attackBytes)
    {
        ScenarioSpec spec = LabScenario.Passive(seed, configuration.Profile, connections, bytes);
        MptcpOptions options = configuration.Options(spec);
        MptcpHostNode? client = null;
        var served = new List<MptcpConnection>();
        using var capture = new MemoryStream();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        ScenarioResult result = ScenarioRunner.Run(spec, capture, options, options, configure: t =>
        {
            client = (MptcpHostNode)t.Client;
            ((MptcpHostNode)t.Server).Endpoint.ConnectionAccepted += served.Add;
        });
        double wallSeconds = wall.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        byte[] captured = capture.ToArray();
        LabCost cost = Cost(result, client!.Endpoint.Connections, captured, spec, cpuSeconds, wallSeconds);
        AuditReport audit = Audit(captured);
        HashSet<IpAddressBytes> clientAddresses = ClientAddresses(spec);
        HashSet<IpAddressBytes> known = [.. clientAddresses, .. spec.ServerAddresses.Select(a => a.Address)];
        LabPassive[] passive = [.. Observers.Select(o => o.Name == "endpoint" ? Endpoint(served, o.Label, clientAddresses, known) : Passive(audit, o.Name, o.Label, clientAddresses, known))];
        LabAttack[] attacks = [.. Attacks.Select(kind => Attack(configuration, kind, seed, attackBytes))];
        string[] timelines = [.. audit.Global.Connections.Where(c => !c.FromJoinsOnly).Take(MaxTimelines).Select(c => SvgTimeline.Render(AuditTimelines.Build(c)))];
        LabMiddlebox[] middleboxes = [.. Middleboxes.Select(m => Middlebox(configuration, seed, m.Name, m.Wifi, m.Cellular))];
        return new LabColumn(configuration, result.Success, passive, attacks, cost, captured, audit, timelines, middleboxes, Split(configuration, seed), Scoring(configuration, seed), Proxy(configuration, seed, connections, bytes));
    }

    /// <summary>
    /// Runs one connection of the configuration with the first-message split and measures, from the
    /// capture, how many bytes of the first message each path carried (each byte counted once).
    /// </summary>
    private static LabSplit Split(LabConfiguration configuration, int seed)
    {
        ScenarioSpec spec = LabScenario.Passive(seed, configuration.Profile, connections: 1, bytes: 50_000) with { Mobility = [] };
        MptcpOptions options = configuration.Options(spec) with { FirstMessageSplit = new FirstMessageSplit(SplitHead, SplitTotal - SplitHead, TimeSpan.FromSeconds(2)) };
        using var capture = new MemoryStream();
        ScenarioResult result = ScenarioRunner.Run(spec, capture, options, options);
        MptcpConnection client = result.ClientConnection!;
        ulong idsn1 = client.LocalKey.Idsn + 1;
        ushort serverPort = client.Subflows[0].Tuple.RemotePort;

        // Under the profile each join offsets its DSNs; the client's own subflows say by how much.
        Dictionary<(IpAddressBytes, ushort), ulong> offsets = client.Subflows.ToDictionary(sf => (sf.Tuple.LocalAddress, sf.Tuple.LocalPort), sf => sf.PrivacyState.SendDsnOffset);
        var seen = new[] { new bool[SplitTotal], new bool[SplitTotal] };
        using CaptureReader reader = CaptureReader.Open(new MemoryStream(capture.ToArray()));
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (frame.InterfaceId > 1 || !IpPacket.TryParse(frame.Data, out IpPacket ip, out _) || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _)
                || tcp.DestinationPort != serverPort || tcp.Payload.Length == 0)
            {
                continue;
            }

            ulong dsnOffset = offsets.GetValueOrDefault((IpAddressBytes.FromSpan(ip.Source), tcp.SourcePort));
            foreach (MptcpOption option in new MptcpOptionReader(tcp.ReadOptions()))
            {
                (long offset, int length) = option.Subtype switch
                {
                    MptcpSubtype.Dss when option.Dss.HasMapping && option.Dss.DsnIs64Bit => ((long)(option.Dss.DataSequenceNumber - dsnOffset - idsn1), (int)option.Dss.DataLevelLength),
                    MptcpSubtype.MpCapable when option.MpCapable.HasDataLevelLength => (0L, (int)option.MpCapable.DataLevelLength),
                    _ => (-1L, 0),
                };
                for (long b = Math.Max(offset, 0); offset >= 0 && b < Math.Min(offset + length, SplitTotal); b++)
                {
                    seen[frame.InterfaceId][b] = true;
                }
            }
        }

        return new LabSplit(seen[0].Count(b => b), seen[1].Count(b => b), client.Counters.FirstMessageSplitFailures > 0);
    }

    /// <summary>
    /// Runs four connections of the configuration with subflow scoring and DSS checksums while a
    /// middlebox rewrites one in 10 client data segments on the cellular path, and counts the
    /// client's data segments on that path before and after the server first blamed it.
    /// </summary>
    private static LabScoring Scoring(LabConfiguration configuration, int seed)
    {
        ScenarioSpec spec = LabScenario.Passive(seed, configuration.Profile, connections: 4, bytes: 200_000) with { Mobility = [] };
        MptcpOptions options = configuration.Options(spec) with { RequireChecksums = true, SubflowScoring = new SubflowScoring() };
        var blamed = new List<TimeSpan>();
        var rewriter = new PayloadRewriter(LinkDirection.AToB, 10);
        using var capture = new MemoryStream();
        ScenarioResult result = ScenarioRunner.Run(spec, capture, options, options, configure: t =>
        {
            t.Paths[1].Link.AddElement(rewriter);
            ((MptcpHostNode)t.Server).Endpoint.ConnectionAccepted += c => c.EventRaised += (_, e) =>
            {
                if (e.Kind == MptcpEventKind.PathBlamed)
                {
                    blamed.Add(e.Time);
                }
            };
        });

        long first = blamed.Count == 0 ? long.MaxValue : blamed.Min().Ticks * 100;
        int before = 0, after = 0;
        using CaptureReader reader = CaptureReader.Open(new MemoryStream(capture.ToArray()));
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (frame.InterfaceId == 1 && IpPacket.TryParse(frame.Data, out IpPacket ip, out _) && TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _)
                && tcp.Payload.Length > 0 && tcp.DestinationPort == ScenarioRunner.ServerPort)
            {
                before += frame.TimestampNanoseconds < first ? 1 : 0;
                after += frame.TimestampNanoseconds > first + 200_000_000 ? 1 : 0;
            }
        }

        return new LabScoring(result.Success, blamed.Count > 0, before, after);
    }

    /// <summary>Runs one connection of the configuration through a middlebox and reports how it fared.</summary>
    private static LabMiddlebox Middlebox(LabConfiguration configuration, int seed, string name, string wifi, string cellular)
    {
        ScenarioSpec spec = LabScenario.Passive(seed, configuration.Profile, connections: 1, bytes: 200_000) with
        {
            Paths = [PathSpec.Parse(wifi), PathSpec.Parse(cellular)],
            Mobility = [],
        };
        MptcpOptions options = configuration.Options(spec);
        MptcpEndpoint? server = null;
        ScenarioResult result = ScenarioRunner.Run(spec, null, options, options, configure: t => server = ((MptcpHostNode)t.Server).Endpoint);
        return new LabMiddlebox(name, result.Success, result.SubflowsEstablished, result.Fallback is not null, server!.JoinsUnknownToken);
    }

    /// <summary>Audits a capture with the audit's default observers (one per capture interface, fully on-path, endpoint).</summary>
    public static AuditReport Audit(byte[] capture)
    {
        string directory = Directory.CreateTempSubdirectory("mptcp-lab-").FullName;
        try
        {
            string path = Path.Combine(directory, "lab.pcapng");
            File.WriteAllBytes(path, capture);
            return AuditRun.Run([path], []);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Returns every address the user has on its paths during the run: each path's, and the Wi-Fi address it moves to.</summary>
    public static HashSet<IpAddressBytes> ClientAddresses(ScenarioSpec spec)
    {
        var addresses = new HashSet<IpAddressBytes>();
        for (int i = 0; i < spec.Paths.Count; i++)
        {
            addresses.UnionWith(spec.Paths[i].ResolveAddresses(i + 1).Select(a => a.Address));
        }

        addresses.UnionWith(spec.Mobility.Where(m => m.Action == MobilityAction.AddAddress).Select(m => m.Address.Address));
        return addresses;
    }

    /// <summary>
    /// What the server itself knows, from its own stack rather than from a capture: every address
    /// its connections' subflows came from, and every address the client announced to it. The
    /// endpoint is one of the draft's attackers that no cryptography hides anything from; the
    /// audit's endpoint observer cannot stand in for it under the profile, whose joins it cannot
    /// tie to their connection without the secret.
    /// </summary>
    public static LabPassive Endpoint(IReadOnlyList<MptcpConnection> served, string label, IReadOnlySet<IpAddressBytes> clientAddresses, IReadOnlySet<IpAddressBytes> known)
    {
        int linked = 0, sum = 0;
        bool readAnnounced = false;
        foreach (MptcpConnection connection in served)
        {
            var addresses = new HashSet<IpAddressBytes>();
            foreach (MptcpEvent e in connection.Events)
            {
                if (e.Kind == MptcpEventKind.SubflowEstablished && e.Subflow is { } tuple && clientAddresses.Contains(tuple.RemoteAddress))
                {
                    addresses.Add(tuple.RemoteAddress);
                }

                readAnnounced |= e.Kind == MptcpEventKind.AddressAnnounced && e.Address is { } announced && known.Contains(announced);
            }

            linked = Math.Max(linked, addresses.Count);
            sum += addresses.Count;
        }

        return new LabPassive("endpoint", label, linked, linked, sum, served.Count, linked > 1 ? [EvidenceKind.Endpoint] : [], readAnnounced);
    }

    /// <summary>Summarises what the observer named <paramref name="name"/> learned about the user's client addresses (nothing, when the audit has no such observer).</summary>
    public static LabPassive Passive(AuditReport audit, string name, string label, IReadOnlySet<IpAddressBytes> clientAddresses, IReadOnlySet<IpAddressBytes> known)
    {
        // The audit makes a path's observer only when its interface carried packets: a path the
        // configuration never used (backup policy) has an observer that saw nothing.
        ObserverReport? observer = audit.Observers.SingleOrDefault(o => o.View.Spec.Name == name);
        if (observer is null)
        {
            return new LabPassive(name, label, 0, 0, 0, 0, [], false);
        }

        int linked = 0, seen = 0, sum = 0;
        var evidence = new SortedSet<EvidenceKind>();
        bool readAnnounced = false;
        foreach (ObservedConnection connection in observer.Connections)
        {
            int[] groups = [.. connection.ClientGroups.Select(g => g.Count(clientAddresses.Contains))];
            linked = Math.Max(linked, groups.DefaultIfEmpty(0).Max());
            seen = Math.Max(seen, groups.Sum());
            sum += groups.Sum();
            evidence.UnionWith(connection.Evidence.Where(e => e.Host == Host.Client && !e.Unverified && clientAddresses.Contains(e.First) && clientAddresses.Contains(e.Second)).Select(e => e.Kind));
            readAnnounced |= connection.Timeline.Any(a => a.OnlyAnnounced && known.Contains(a.Address))
                || connection.Evidence.Any(e => !e.Unverified && e.Kind is EvidenceKind.AddAddr or EvidenceKind.AddAddrEcho or EvidenceKind.DraftAddAddrDecrypted
                    && (known.Contains(e.First) || known.Contains(e.Second)));
        }

        return new LabPassive(name, label, linked, seen, sum, observer.Connections.Count, [.. evidence], readAnnounced);
    }

    private static LabAttack Attack(LabConfiguration configuration, JoinAttackKind kind, int seed, long bytes)
    {
        ScenarioSpec spec = LabScenario.Active(seed, configuration.Profile, bytes);
        MptcpOptions options = configuration.Options(spec);
        JoinAttacker? attacker = null;
        LabReplyCounter? counter = null;
        ScenarioResult result = ScenarioRunner.Run(spec, capture: null, options, options, configure: t => (attacker, counter) = Attach(t, configuration, kind, seed));
        return new LabAttack(kind, attacker!.SynsSent, counter!.SynAcks, counter.Resets, attacker.JoinsAccepted, attacker.BytesReceived, attacker.SeenKeys is not null, result.Success);
    }

    private static (JoinAttacker, LabReplyCounter) Attach(SimulatedTopology topology, LabConfiguration configuration, JoinAttackKind kind, int seed)
    {
        IpAddressBytes server = ScenarioSpec.ServerIpv4.Address;
        var random = new Random(unchecked((seed * 7919) + 100 + (int)kind));
        const long Start = 50_000_000;
        (IpAddressBytes source, IpAddressBytes route) = kind switch
        {
            JoinAttackKind.OffPath => (LabScenario.CellularAddress, OffPathRoute),
            JoinAttackKind.HalfOnPath => (HalfOnPathAddress, HalfOnPathAddress),
            _ => (OnPathAddress, OnPathAddress),
        };
        JoinAttacker attacker = kind switch
        {
            // Spoofs the user's cellular address and guesses tokens; the replies go to the user.
            JoinAttackKind.OffPath => new JoinAttacker("off-path", kind, source, server, ScenarioRunner.ServerPort, random, attempts: 50, Start),

            // Its own address, and the worst case: the server's real token, read from the server's connection once it exists.
            JoinAttackKind.HalfOnPath => new JoinAttacker("half-on-path", kind, source, server, ScenarioRunner.ServerPort, random, attempts: 20, Start,
                realTokenSource: () => ServerToken(topology, configuration.Profile, source)),

            // Reads the keys on the Wi-Fi path; against the draft it computes the draft's token, as a reader of the draft would.
            _ => new JoinAttacker("on-path", kind, source, server, ScenarioRunner.ServerPort, random, attempts: 3, startNs: 0,
                tokenFor: configuration.Profile == PrivacyProfile.Draft ? DraftToken : null),
        };
        topology.AttachHost(attacker, route, AttackerLink, attacker.Name);
        if (kind == JoinAttackKind.OnPathHijack)
        {
            topology.Paths[0].Link.AddObserver(attacker);
        }

        var counter = new LabReplyCounter(source, attacker);
        topology.ServerLink.AddObserver(counter);
        return (attacker, counter);
    }

    private static uint DraftToken(ulong keyA, ulong keyB, IpAddressBytes own) => DraftJoinToken.ReadingA(keyB, 8, own, port: null);

    // The token the server would take from this attacker's address: RFC 8684's token of its key, or
    // the draft's per-join token. The profile's tokens come from a secret; it gets RFC 8684's.
    private static uint? ServerToken(SimulatedTopology topology, PrivacyProfile profile, IpAddressBytes source) =>
        ((MptcpHostNode)topology.Server).Endpoint.Connections is { Count: > 0 } accepted
            ? profile == PrivacyProfile.Draft ? DraftToken(0, accepted[0].LocalKey.Key, source) : accepted[0].LocalKey.Token
            : null;
}
