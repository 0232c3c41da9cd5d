using MptcpPrivacy.Capture;
using MptcpPrivacy.Linux.Native;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>The cost rows: goodput, the joins' handshakes in the passive run's capture, and the CPU a join handshake costs.</summary>
internal static partial class LabRunner
{
    /// <summary>Connections of each run of the CPU micro-run.</summary>
    public const int CpuConnections = 10;

    /// <summary>Pairs of runs (with joins, without) of the CPU micro-run; the cell is their median.</summary>
    public const int CpuRepeats = 5;

    /// <summary>Bytes each way of each connection of the CPU micro-run: enough to keep it open until its join is up.</summary>
    public const long CpuBytes = 50_000;

    /// <summary>
    /// Returns the passive run's cost: goodput, time to first join, and every join handshake the
    /// user opened, from its MP_JOIN SYN in <paramref name="capture"/> to the initiator's
    /// <see cref="MptcpEventKind.SubflowEstablished"/> (the subflow may carry data: after the fourth
    /// ACK, RFC 8684 §3.2, and under the profile after its own join checks). The capture stamps a
    /// packet when its link delivers it, so the SYN's time there is the access link's one-way delay
    /// after it left the user; that delay is added back. <see cref="LabCost.Cpu"/> is left empty:
    /// <see cref="JoinCpu"/> measures it once per mode.
    /// </summary>
    public static LabCost Cost(ScenarioResult result, IReadOnlyList<MptcpConnection> connections, byte[] capture, ScenarioSpec spec, double cpuSeconds, double wallSeconds)
    {
        // Over the time to the last byte read (each direction's goodput is its bytes over its own
        // time), not the run's duration, which includes waiting for the last close.
        DirectionResult[] directions = [.. result.Connections.SelectMany(c => new[] { c.Upload, c.Download })];
        double lastByteSeconds = directions.Where(d => d.GoodputBitsPerSecond > 0).Select(d => d.BytesDelivered * 8 / d.GoodputBitsPerSecond).DefaultIfEmpty(0).Max();
        double goodput = lastByteSeconds > 0 ? directions.Sum(d => d.BytesDelivered) * 8 / lastByteSeconds / 1e6 : 0;

        Dictionary<(IpAddressBytes, ushort), long> synSent = JoinSyns(capture, spec);
        var firstJoins = new List<double>();
        var handshakes = new List<double>();
        foreach (MptcpConnection connection in connections)
        {
            MptcpEvent[] events = [.. connection.Events];
            MptcpEvent established = events.FirstOrDefault(e => e.Kind == MptcpEventKind.Established);
            FourTuple? initial = events.FirstOrDefault(e => e.Kind == MptcpEventKind.SubflowEstablished).Subflow;
            MptcpEvent[] joined = [.. events.Where(e => e.Kind == MptcpEventKind.SubflowEstablished && e.Subflow != initial)];
            if (joined.Length > 0 && established.Kind == MptcpEventKind.Established)
            {
                firstJoins.Add((joined[0].Time - established.Time).TotalMilliseconds);
            }

            foreach (MptcpEvent join in joined)
            {
                FourTuple tuple = join.Subflow!.Value;
                if (synSent.TryGetValue((tuple.LocalAddress, tuple.LocalPort), out long sentNs))
                {
                    handshakes.Add(((join.Time.Ticks * 100) - sentNs) / 1e6);
                }
            }
        }

        return new LabCost(goodput, firstJoins.Count > 0 ? firstJoins.Average() : null, handshakes, synSent.Count, LabJoinCpu.None, cpuSeconds, wallSeconds);
    }

    /// <summary>
    /// Returns, per join the capture shows, the time its first MP_JOIN SYN left the user (in ns):
    /// when the user's access link delivered it less that link's one-way delay. Keyed by the
    /// joining address and port; interfaces 0 and 1 are the user's paths.
    /// </summary>
    public static Dictionary<(IpAddressBytes, ushort), long> JoinSyns(byte[] capture, ScenarioSpec spec)
    {
        var sent = new Dictionary<(IpAddressBytes, ushort), long>();
        using CaptureReader reader = CaptureReader.Open(new MemoryStream(capture));
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (frame.InterfaceId >= spec.Paths.Count || !IpPacket.TryParse(frame.Data, out IpPacket ip, out _) || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _)
                || (tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack)) != TcpFlags.Syn)
            {
                continue;
            }

            foreach (MptcpOption option in new MptcpOptionReader(tcp.ReadOptions()))
            {
                if (option.Subtype == MptcpSubtype.MpJoin && option.MpJoin.Form == MpJoinForm.Syn)
                {
                    sent.TryAdd((IpAddressBytes.FromSpan(ip.Source), tcp.SourcePort), frame.TimestampNanoseconds - spec.Paths[(int)frame.InterfaceId].DelayNs);
                }
            }
        }

        return sent;
    }

    /// <summary>
    /// Measures the process CPU one join handshake of <paramref name="profile"/> costs on this
    /// machine: <see cref="CpuRepeats"/> pairs of runs of <see cref="CpuConnections"/> connections
    /// (<see cref="CpuBytes"/> each way, no mobility, no announcement), one with joins (the aggregate policy: each connection
    /// joins from the cellular address, a backup path that carries no data while Wi-Fi works) and one whose path
    /// manager may open no subflow (no join), on this thread's CPU clock, after one pair to
    /// warm up; each pair gives (CPU with − CPU without) / joins, and the median of the pairs is the
    /// cell. The policy changes how many joins a connection makes, not what one costs, so the
    /// columns of one mode share it.
    /// </summary>
    public static LabJoinCpu JoinCpu(PrivacyProfile profile, int seed)
    {
        // No announcement, and the cellular path a backup: its join is made (with the B flag) but
        // carries no data while Wi-Fi works, so both runs move the same bytes on the same path and
        // the difference between them is the join handshakes alone (with the few ACKs a join gets).
        ScenarioSpec passive = LabScenario.Passive(seed, profile, CpuConnections, bytes: CpuBytes);
        ScenarioSpec spec = passive with { Mobility = [], ServerAnnouncedAddresses = [], Paths = [passive.Paths[0], passive.Paths[1] with { Backup = true }] };
        MptcpOptions with = new LabConfiguration("", profile, PathPolicyMode.Aggregate).Options(spec);
        MptcpOptions without = with with { PathManagerLimits = new PathManagerLimits(subflows: 0, addAddrAccepted: 0) };
        var samples = new List<double>();
        int joins = 0;
        for (int i = 0; i <= CpuRepeats; i++)
        {
            (double cpuWith, int joined) = CpuOf(spec, with);
            (double cpuWithout, _) = CpuOf(spec, without);
            if (i > 0 && joined > 0)
            {
                samples.Add((cpuWith - cpuWithout) * 1e6 / joined);
                joins = joined;
            }
        }

        double[] sorted = [.. samples.Order()];
        double? median = sorted.Length == 0 ? null : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        return new LabJoinCpu(median, joins, samples);
    }

    /// <summary>Runs <paramref name="spec"/> with <paramref name="options"/> at both ends and returns the process CPU it took (s) and the joins the client's connections established.</summary>
    private static (double CpuSeconds, int Joins) CpuOf(ScenarioSpec spec, MptcpOptions options)
    {
        MptcpHostNode? client = null;
        // The simulator runs on this thread alone: its CPU time leaves out the runtime's other threads.
        TimeSpan before = ThreadCpuClock.Now();
        ScenarioRunner.Run(spec, capture: null, options, options, check: ContentCheck.Pattern, configure: t => client = (MptcpHostNode)t.Client);
        double cpu = (ThreadCpuClock.Now() - before).TotalSeconds;
        return (cpu, client!.Endpoint.Connections.Sum(c => c.Events.Count(e => e.Kind == MptcpEventKind.SubflowEstablished) - 1));
    }
}
