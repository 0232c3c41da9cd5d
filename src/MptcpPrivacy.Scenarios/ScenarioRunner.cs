using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Scenarios;

/// <summary>
/// Plays a <see cref="ScenarioSpec"/> on the simulator with the userspace MPTCP stack at both ends:
/// builds the topology, connects the client from its first path to the server, moves the given
/// bytes each way with <see cref="BulkTransfer"/>, optionally records a pcapng capture, and reports
/// a <see cref="ScenarioResult"/>. The same spec (seed included) gives the same bytes on the wire.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>The port the server listens on.</summary>
    public const ushort ServerPort = 10000;

    private const long Slice = 50_000_000;

    /// <summary>Runs <paramref name="spec"/>; writes a capture to <paramref name="capture"/> when given.</summary>
    /// <param name="spec">The scenario.</param>
    /// <param name="capture">Where to write the pcapng capture, or null.</param>
    /// <param name="client">The client stack's options (defaults when null).</param>
    /// <param name="server">The server stack's options (defaults when null).</param>
    /// <param name="maxEvents">A bound on simulator events, so a run always ends.</param>
    /// <param name="check">How the applications check what arrived: SHA-256 digests (reported in the result) or the content compared byte by byte.</param>
    public static ScenarioResult Run(ScenarioSpec spec, Stream? capture = null, MptcpOptions? client = null, MptcpOptions? server = null, long maxEvents = 200_000_000, ContentCheck check = ContentCheck.Sha256)
    {
        var simulator = new Simulator(new Random(spec.Seed));
        var clientEndpoint = new MptcpEndpoint(client ?? new MptcpOptions(), new Random(unchecked((spec.Seed * 7919) + 1)));
        var serverEndpoint = new MptcpEndpoint(server ?? new MptcpOptions(), new Random(unchecked((spec.Seed * 7919) + 2)));
        serverEndpoint.Listen(ServerPort);
        foreach (var announced in spec.ServerAnnouncedAddresses)
        {
            serverEndpoint.AddEndpoint(announced.Address, EndpointFlags.Signal);
        }

        MptcpHostNode? clientNode = null;
        MptcpHostNode? serverNode = null;
        using SimulatedTopology topology = SimulatedTopology.Build(
            simulator,
            spec,
            interfaces => clientNode = new MptcpHostNode("client", interfaces, clientEndpoint, EndpointFlags.Subflow),
            interfaces => serverNode = new MptcpHostNode("server", interfaces, serverEndpoint, EndpointFlags.None),
            capture);

        int uploadSeed = unchecked(spec.Seed + 101);
        int downloadSeed = unchecked(spec.Seed + 202);
        var upload = check == ContentCheck.Pattern
            ? new BulkTransfer(spec.ClientToServerBytes, uploadSeed, spec.ServerToClientBytes, downloadSeed)
            : new BulkTransfer(spec.ClientToServerBytes, uploadSeed);
        var download = check == ContentCheck.Pattern
            ? new BulkTransfer(spec.ServerToClientBytes, downloadSeed, spec.ClientToServerBytes, uploadSeed)
            : new BulkTransfer(spec.ServerToClientBytes, downloadSeed);
        IpAddressBytes serverAddress = ScenarioSpec.ServerIpv4.Address;
        HostAddress first = clientNode!.Interfaces.AllAddresses.FirstOrDefault(a => a.InterfaceIndex == 0 && a.Address.Address.IsV4);
        if (first == default)
        {
            first = clientNode.Interfaces.AllAddresses.First(a => a.InterfaceIndex == 0);
            serverAddress = ScenarioSpec.ServerIpv6.Address;
        }

        MptcpConnection? clientConnection = null;
        MptcpConnection? serverConnection = null;
        clientNode.Application = now =>
        {
            clientConnection ??= Attach(clientEndpoint.Connect(now, first.Address.Address, serverAddress, ServerPort), upload);
            upload.Run(now);
        };
        serverNode!.Application = now =>
        {
            if (serverConnection is null && serverEndpoint.TryAccept(out MptcpConnection accepted))
            {
                serverConnection = Attach(accepted, download);
            }

            download.Run(now);
        };
        simulator.Wake(clientNode);

        RunOutcome outcome = RunOutcome.Idle;
        long budget = maxEvents;
        for (long until = Slice; ; until += Slice)
        {
            long before = simulator.EventsProcessed;
            outcome = simulator.RunUntil(Math.Min(until, spec.DurationNs), budget);
            budget -= simulator.EventsProcessed - before;
            bool finished = upload.Done && download.Done
                && clientConnection?.State == MptcpConnectionState.Closed && serverConnection?.State == MptcpConnectionState.Closed;
            if (finished || outcome == RunOutcome.EventLimit || until >= spec.DurationNs)
            {
                break;
            }
        }

        topology.Tap?.Flush();
        TimeSpan start = TimeSpan.Zero;
        return new ScenarioResult
        {
            Seed = spec.Seed,
            Upload = Direction(upload, download, start, check),
            Download = Direction(download, upload, start, check),
            DurationSeconds = simulator.Now / 1e9,
            SubflowsOpened = clientConnection?.Subflows.Count ?? 0,
            SubflowsEstablished = clientConnection?.Events.Count(e => e.Kind == MptcpEventKind.SubflowEstablished) ?? 0,
            SubflowsClosed = clientConnection?.Events.Count(e => e.Kind == MptcpEventKind.SubflowClosed) ?? 0,
            Fallback = clientConnection?.Events.FirstOrDefault(e => e.Kind == MptcpEventKind.FellBack).Detail,
            ClientEvents = clientConnection?.Events.ToArray() ?? [],
            ServerEvents = serverConnection?.Events.ToArray() ?? [],
            ClientSubflows = clientConnection?.Subflows.Select(s => (s.Tuple, s.BytesScheduled)).ToArray() ?? [],
            ServerSubflows = serverConnection?.Subflows.Select(s => (s.Tuple, s.BytesScheduled)).ToArray() ?? [],
            ClientCounters = clientConnection?.Counters ?? new MptcpCounters(),
            ServerCounters = serverConnection?.Counters ?? new MptcpCounters(),
            Links = simulator.Links.SelectMany(l => new[]
            {
                (l.Name, $"{l.A.Name}->{l.B.Name}", l.Statistics(LinkDirection.AToB)),
                (l.Name, $"{l.B.Name}->{l.A.Name}", l.Statistics(LinkDirection.BToA)),
            }).ToArray(),
            SimulatorEvents = simulator.EventsProcessed,
            Outcome = outcome,
            ClientConnection = clientConnection,
            ServerConnection = serverConnection,
        };
    }

    private static MptcpConnection Attach(MptcpConnection connection, BulkTransfer application)
    {
        application.Attach(connection);
        return connection;
    }

    private static DirectionResult Direction(BulkTransfer sender, BulkTransfer receiver, TimeSpan start, ContentCheck check)
    {
        string? sent = sender.SentDigest is { } s ? Convert.ToHexStringLower(s) : null;
        string? delivered = receiver.ReceivedDigest is { } r ? Convert.ToHexStringLower(r) : null;
        bool matched = check == ContentCheck.Pattern
            ? sender.AllWritten && receiver.ReadCompletedAt is not null && receiver.FirstMismatchAt is null
            : sent == delivered;
        bool complete = matched && receiver.BytesRead == sender.BytesToSend;
        double seconds = receiver.ReadCompletedAt is { } end ? (end - start).TotalSeconds : 0;
        double goodput = seconds > 0 ? receiver.BytesRead * 8 / seconds : 0;
        return new DirectionResult(sender.BytesWritten, receiver.BytesRead, sent, delivered, complete, goodput);
    }
}
