using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Reporting;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Scenarios.Attacks;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Tcp;
using AuditConnection = MptcpPrivacy.Audit.Connections.Connection;

namespace MptcpPrivacy.Cli.Lab.Netns;

/// <summary>A lab column run on kernels, with what the kernel run itself reported.</summary>
/// <param name="Column">The column, as the table shows it.</param>
/// <param name="Run">The passive run (its capture is <see cref="LabColumn.Capture"/>; its MIB counters prove kernels ran it).</param>
internal sealed record NetnsColumn(LabColumn Column, NetnsRun Run);

/// <summary>
/// Builds a lab column from runs on Linux kernels in network namespaces (<see cref="NetnsLabNetwork"/>):
/// the mobile user's passive run (<see cref="NetnsMobileUser"/>) audited as the simulator's capture
/// is, the join attacks against kernels (<see cref="NetnsAttacks"/>), the middleboxes the kernel
/// network can host, and "not run" with the reason for the rest (the stack's own defences). Needs
/// root. Design: docs/design/lab-netns.md.
/// </summary>
internal static class NetnsLab
{
    /// <summary>Why the first-message split row is not run on kernels.</summary>
    public const string NoSplit = "the kernel has no first-message split (a defence of this project's stack)";

    /// <summary>Why the scoring row is not run on kernels.</summary>
    public const string NoScoring = "the kernel has no subflow scoring (a defence of this project's stack)";

    /// <summary>Why the terminating proxy's row is not run on kernels.</summary>
    public const string NoProxy = "the terminating proxy is the project's stack on the simulator; a kernel column has no kernel proxy (yet)";

    /// <summary>Why the row of a stripper of MP_JOIN alone is not run on kernels.</summary>
    public const string NoJoinStrip = "iptables TCPOPTSTRIP removes every MPTCP option (kind 30), it cannot strip MP_JOIN alone";

    /// <summary>
    /// Returns the client path manager a configuration runs with on kernels, or null when the
    /// configuration has no kernel run (it stays on the simulator: the kernel has neither the
    /// draft's mode nor the profile): the in-kernel path manager for <c>standard/aggregate</c>, and
    /// the project's policy in the userspace path manager daemon for the other standard columns.
    /// </summary>
    public static ILabPathManager? PathManagerFor(LabConfiguration configuration) => configuration switch
    {
        { Profile: not PrivacyProfile.Standard } => null,
        { Policy: PathPolicyMode.Aggregate } => new InKernelLabPathManager(),
        _ => new UserspaceLabPathManager(configuration.Policy),
    };

    /// <summary>
    /// Runs <paramref name="configuration"/>'s column on kernels: the passive run of
    /// <paramref name="connections"/> connections of <paramref name="bytes"/> each way with
    /// <paramref name="pathManager"/> as the client's path manager, then each attack, then the
    /// middleboxes. Progress lines go to <paramref name="progress"/>.
    /// </summary>
    public static NetnsColumn RunColumn(LabConfiguration configuration, ILabPathManager pathManager, int seed, int connections, long bytes, Action<string>? progress = null)
    {
        ScenarioSpec spec = LabScenario.Passive(seed, configuration.Profile, connections, bytes);
        NetnsRun run;
        using (NetnsLabNetwork network = NetnsLabNetwork.Create(progress))
        {
            run = NetnsMobileUser.Run(network, pathManager, spec, progress);
        }

        foreach (string problem in run.Problems)
        {
            progress?.Invoke($"lab netns: {problem}");
        }

        progress?.Invoke($"lab netns: {configuration.Name} passive run on kernels: {(run.Complete ? "complete" : "incomplete")}, "
            + $"server MPJoinAckRx +{run.ServerMib.GetValueOrDefault("MPJoinAckRx")}, {run.WallSeconds:0.0} s");

        AuditReport audit = LabRunner.Audit(run.Capture);
        HashSet<IpAddressBytes> clientAddresses = LabRunner.ClientAddresses(spec);
        HashSet<IpAddressBytes> known = [.. clientAddresses, .. spec.ServerAddresses.Select(a => a.Address)];
        LabPassive[] passive = [.. LabRunner.Observers.Select(o => LabRunner.Passive(audit, o.Name, o.Label, clientAddresses, known))];
        string[] timelines = [.. audit.Global.Connections.Where(c => !c.FromJoinsOnly).Take(2).Select(c => SvgTimeline.Render(AuditTimelines.Build(c)))];

        var notRun = new Dictionary<string, string>(StringComparer.Ordinal) { ["split"] = NoSplit, ["scoring"] = NoScoring, ["proxy"] = NoProxy };
        var attacks = new List<LabAttack?>();
        foreach (JoinAttackKind kind in LabRunner.Attacks)
        {
            try
            {
                attacks.Add(NetnsAttacks.Run(kind, seed, progress));
            }
            catch (NotSupportedException e)
            {
                attacks.Add(null);
                notRun[LabColumn.CellKey(kind)] = e.Message;
            }
        }

        var middleboxes = new List<LabMiddlebox?>();
        foreach ((string name, _, _, _) in LabRunner.Middleboxes)
        {
            LabMiddlebox? box = name switch
            {
                "strip-all" => NetnsMiddleboxes.StripAllOnWifi(seed, pathManager, progress),
                "nat" => NetnsMiddleboxes.NatOnCellular(seed, pathManager, progress),
                _ => null,
            };
            middleboxes.Add(box);
            if (box is null)
            {
                notRun[LabColumn.CellKey(name)] = name == "strip-joins" ? NoJoinStrip : "no kernel version of this middlebox";
            }
        }

        (double? latency, int joins) = JoinLatency(audit, run.Capture);
        var cost = new LabCost(run.GoodputMbps, latency, HandshakesMs: [], joins, Cpu: null, CpuSeconds: null, run.WallSeconds);
        var column = new LabColumn(configuration, run.Complete, passive, attacks, cost, run.Capture, audit, timelines, middleboxes, Split: null, Scoring: null,
            Proxy: null, LabBackend.Netns, notRun);
        return new NetnsColumn(column, run);
    }

    /// <summary>
    /// Returns the mean, over the audit's connections that joined, of the time from the initial
    /// subflow's establishment (the MP_CAPABLE third ACK) to its first join's (the MP_JOIN third
    /// ACK), read from the capture's timestamps in ms, and the joins the audit found.
    /// </summary>
    public static (double? LatencyMs, int Joins) JoinLatency(AuditReport audit, byte[] capture)
    {
        Dictionary<(Endpoint, Endpoint), long> established = Established(capture);
        var latencies = new List<double>();
        int joins = 0;
        foreach (AuditConnection connection in audit.Global.Connections.Where(c => !c.FromJoinsOnly))
        {
            Subflow? initial = connection.Subflows.FirstOrDefault(s => s.Role == SubflowRole.Initial);
            Subflow[] joined = [.. connection.Subflows.Where(s => s.Role == SubflowRole.Join).OrderBy(s => s.FirstTimeNs)];
            joins += joined.Length;
            if (initial is not null && joined.Length > 0
                && established.TryGetValue((initial.Initiator, initial.Responder), out long start)
                && established.TryGetValue((joined[0].Initiator, joined[0].Responder), out long end))
            {
                latencies.Add((end - start) / 1e6);
            }
        }

        return (latencies.Count > 0 ? latencies.Average() : null, joins);
    }

    /// <summary>When each subflow's handshake completed: the first segment from the SYN's sender, after its SYN, that is no SYN.</summary>
    private static Dictionary<(Endpoint, Endpoint), long> Established(byte[] capture)
    {
        var opened = new HashSet<(Endpoint, Endpoint)>();
        var established = new Dictionary<(Endpoint, Endpoint), long>();
        using CaptureReader reader = CaptureReader.Open(new MemoryStream(capture));
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (!IpPacket.TryParse(frame.Data, out IpPacket ip, out _) || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _))
            {
                continue;
            }

            var key = (new Endpoint(IpAddressBytes.FromSpan(ip.Source), tcp.SourcePort), new Endpoint(IpAddressBytes.FromSpan(ip.Destination), tcp.DestinationPort));
            bool syn = (tcp.Flags & TcpFlags.Syn) != 0, ack = (tcp.Flags & TcpFlags.Ack) != 0;
            if (syn && !ack)
            {
                opened.Add(key);
            }
            else if (!syn && ack && opened.Contains(key))
            {
                established.TryAdd(key, frame.TimestampNanoseconds);
            }
        }

        return established;
    }
}
