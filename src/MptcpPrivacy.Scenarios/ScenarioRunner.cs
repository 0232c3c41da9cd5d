using MptcpPrivacy.Privacy;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Scenarios;

/// <summary>
/// Plays a <see cref="ScenarioSpec"/> on the simulator with the userspace MPTCP stack at both ends:
/// builds the topology, opens <see cref="ScenarioSpec.Connections"/> connections from the client's
/// first path to the server, moves the given bytes each way on each with its own
/// <see cref="BulkTransfer"/>, optionally records a pcapng capture, and reports a
/// <see cref="ScenarioResult"/>. The same spec (seed included) gives the same bytes on the wire.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>The port the server listens on.</summary>
    public const ushort ServerPort = 10000;

    private const long Slice = 50_000_000;

    // Connection i's contents come from these seeds plus i times the stride, so that no two
    // connections (and no two directions) carry the same bytes; connection 0 keeps the seeds of
    // the single-connection runner, and with them its captures.
    private const int UploadSeed = 101;
    private const int DownloadSeed = 202;
    private const int SeedStride = 1000;

    /// <summary>
    /// Returns the endpoint flags of the client's addresses on interface <paramref name="interfaceIndex"/>:
    /// "subflow", with "signal" on a path marked <c>announce</c> and "backup" on one marked <c>backup</c>.
    /// </summary>
    internal static EndpointFlags ClientEndpointFlags(ScenarioSpec spec, int interfaceIndex) => interfaceIndex >= spec.Paths.Count ? EndpointFlags.Subflow
        : EndpointFlags.Subflow | (spec.Paths[interfaceIndex].Announce ? EndpointFlags.Signal : 0) | (spec.Paths[interfaceIndex].Backup ? EndpointFlags.Backup : 0);

    /// <summary>Returns the stack options a host runs for <paramref name="spec"/>: the defaults with the scenario's privacy mode.</summary>
    public static MptcpOptions OptionsFor(ScenarioSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new MptcpOptions { Privacy = new PrivacyOptions { Mode = ModeOf(spec.Profile) } };
    }

    /// <summary>Returns the stack's privacy mode for a scenario's profile.</summary>
    public static PrivacyMode ModeOf(PrivacyProfile profile) => profile switch
    {
        PrivacyProfile.Standard => PrivacyMode.Standard,
        PrivacyProfile.Draft => PrivacyMode.Draft,
        PrivacyProfile.Privacy => PrivacyMode.Profile,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "not a privacy profile"),
    };

    /// <summary>Runs <paramref name="spec"/>; writes a capture to <paramref name="capture"/> when given.</summary>
    /// <param name="spec">The scenario.</param>
    /// <param name="capture">Where to write the pcapng capture, or null.</param>
    /// <param name="client">The client stack's options, used as given; null for <see cref="OptionsFor"/> the scenario.</param>
    /// <param name="server">The server stack's options, used as given; null for <see cref="OptionsFor"/> the scenario.</param>
    /// <param name="maxEvents">A bound on simulator events, so a run always ends.</param>
    /// <param name="check">How the applications check what arrived: SHA-256 digests (reported in the result) or the content compared byte by byte.</param>
    /// <param name="configure">Called with the network once it is built and before it runs (to attach an attacker or an observer), or null.</param>
    public static ScenarioResult Run(ScenarioSpec spec, Stream? capture = null, MptcpOptions? client = null, MptcpOptions? server = null, long maxEvents = 200_000_000, ContentCheck check = ContentCheck.Sha256,
        Action<SimulatedTopology>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var simulator = new Simulator(new Random(spec.Seed));
        var clientEndpoint = new MptcpEndpoint(client ?? OptionsFor(spec), new Random(unchecked((spec.Seed * 7919) + 1)));
        var serverEndpoint = new MptcpEndpoint(server ?? OptionsFor(spec), new Random(unchecked((spec.Seed * 7919) + 2)));
        serverEndpoint.Listen(ServerPort);
        foreach (var announced in spec.ServerAnnouncedAddresses)
        {
            serverEndpoint.AddEndpoint(announced.Address, EndpointFlags.Signal);
        }

        EndpointFlags ClientFlags(int interfaceIndex) => ClientEndpointFlags(spec, interfaceIndex);

        MptcpHostNode? clientNode = null;
        MptcpHostNode? serverNode = null;
        using SimulatedTopology topology = SimulatedTopology.Build(
            simulator,
            spec,
            interfaces => clientNode = new MptcpHostNode("client", interfaces, clientEndpoint, ClientFlags),
            interfaces => serverNode = new MptcpHostNode("server", interfaces, serverEndpoint, EndpointFlags.None),
            capture);
        configure?.Invoke(topology);

        int count = spec.Connections;
        (BulkTransfer[] uploads, BulkTransfer[] downloads) = Applications(spec, check);
        (HostAddress first, IpAddressBytes serverAddress) = FirstPath(clientNode!);

        var clientConnections = new MptcpConnection?[count];
        var serverConnections = new MptcpConnection?[count];
        clientNode!.Application = now =>
        {
            for (int i = 0; i < count; i++)
            {
                clientConnections[i] ??= Attach(clientEndpoint.Connect(now, first.Address.Address, serverAddress, ServerPort), uploads[i]);
                uploads[i].Run(now);
            }
        };
        serverNode!.Application = now =>
        {
            while (serverEndpoint.TryAccept(out MptcpConnection accepted))
            {
                if (Pair(accepted, clientConnections, serverConnections) is var i and >= 0)
                {
                    serverConnections[i] = Attach(accepted, downloads[i]);
                }
            }

            foreach (BulkTransfer download in downloads)
            {
                download.Run(now);
            }
        };
        simulator.Wake(clientNode);

        RunOutcome outcome = RunInSlices(simulator, spec.DurationNs, maxEvents, () => uploads.All(u => u.Done) && downloads.All(d => d.Done)
            && clientConnections.All(c => c?.State == MptcpConnectionState.Closed)
            && serverConnections.All(c => c?.State == MptcpConnectionState.Closed));

        topology.Tap?.Flush();
        ConnectionResult[] connections = [.. Enumerable.Range(0, count).Select(i => Outcome(i, clientConnections[i], serverConnections[i], uploads[i], downloads[i], check))];
        ConnectionResult firstResult = connections[0];
        MptcpConnection? clientConnection = clientConnections[0];
        MptcpConnection? serverConnection = serverConnections[0];
        return new ScenarioResult
        {
            Seed = spec.Seed,
            Upload = firstResult.Upload,
            Download = firstResult.Download,
            DurationSeconds = simulator.Now / 1e9,
            SubflowsOpened = firstResult.SubflowsOpened,
            SubflowsEstablished = firstResult.SubflowsEstablished,
            SubflowsClosed = firstResult.SubflowsClosed,
            Fallback = firstResult.Fallback,
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
            Connections = connections,
            ClientConnection = clientConnection,
            ServerConnection = serverConnection,
        };
    }

    /// <summary>Makes each connection's two applications: the client's (uploads) and the server's (downloads), each connection's contents from its own seeds.</summary>
    internal static (BulkTransfer[] Uploads, BulkTransfer[] Downloads) Applications(ScenarioSpec spec, ContentCheck check)
    {
        var uploads = new BulkTransfer[spec.Connections];
        var downloads = new BulkTransfer[spec.Connections];
        for (int i = 0; i < spec.Connections; i++)
        {
            int uploadSeed = unchecked(spec.Seed + UploadSeed + (SeedStride * i));
            int downloadSeed = unchecked(spec.Seed + DownloadSeed + (SeedStride * i));
            uploads[i] = Application(spec.ClientToServerBytes, uploadSeed, spec.ServerToClientBytes, downloadSeed, check);
            downloads[i] = Application(spec.ServerToClientBytes, downloadSeed, spec.ClientToServerBytes, uploadSeed, check);
        }

        return (uploads, downloads);
    }

    /// <summary>Returns the client's address the connections start from (its first path's IPv4 one, else its first) and the server address of the same family.</summary>
    internal static (HostAddress First, IpAddressBytes Server) FirstPath(MptcpHostNode client)
    {
        HostAddress first = client.Interfaces.AllAddresses.FirstOrDefault(a => a.InterfaceIndex == 0 && a.Address.Address.IsV4);
        return first != default
            ? (first, ScenarioSpec.ServerIpv4.Address)
            : (client.Interfaces.AllAddresses.First(a => a.InterfaceIndex == 0), ScenarioSpec.ServerIpv6.Address);
    }

    /// <summary>
    /// Runs <paramref name="simulator"/> in slices of 50 ms of simulated time until <paramref name="finished"/>
    /// holds after a slice, <paramref name="durationNs"/> is reached, or <paramref name="maxEvents"/> events have run.
    /// </summary>
    internal static RunOutcome RunInSlices(Simulator simulator, long durationNs, long maxEvents, Func<bool> finished)
    {
        RunOutcome outcome;
        long budget = maxEvents;
        for (long until = Slice; ; until += Slice)
        {
            long before = simulator.EventsProcessed;
            outcome = simulator.RunUntil(Math.Min(until, durationNs), budget);
            budget -= simulator.EventsProcessed - before;
            if (finished() || outcome == RunOutcome.EventLimit || until >= durationNs)
            {
                return outcome;
            }
        }
    }

    internal static BulkTransfer Application(long bytesToSend, int contentSeed, long peerBytesToSend, int peerContentSeed, ContentCheck check) =>
        check == ContentCheck.Pattern
            ? new BulkTransfer(bytesToSend, contentSeed, peerBytesToSend, peerContentSeed)
            : new BulkTransfer(bytesToSend, contentSeed);

    private static MptcpConnection Attach(MptcpConnection connection, BulkTransfer application)
    {
        application.Attach(connection);
        return connection;
    }

    /// <summary>
    /// Returns which client connection the server accepted: the one whose key the server read from
    /// its MP_CAPABLE, else (a connection that fell back before the key arrived) the one whose first
    /// subflow has the same client port, else the first not yet accepted; -1 when all are.
    /// </summary>
    private static int Pair(MptcpConnection accepted, MptcpConnection?[] clients, MptcpConnection?[] servers)
    {
        ushort port = accepted.Subflows.Count > 0 ? accepted.Subflows[0].Tuple.RemotePort : (ushort)0;
        Func<MptcpConnection, bool>[] matches =
        [
            c => accepted.HasRemoteKey && c.LocalKey.Key == accepted.RemoteKey,
            c => c.Subflows.Count > 0 && c.Subflows[0].Tuple.LocalPort == port,
            _ => true,
        ];
        foreach (Func<MptcpConnection, bool> match in matches)
        {
            for (int i = 0; i < clients.Length; i++)
            {
                if (servers[i] is null && clients[i] is { } c && match(c))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    internal static ConnectionResult Outcome(int index, MptcpConnection? client, MptcpConnection? server, BulkTransfer upload, BulkTransfer download, ContentCheck check) => new(
        index + 1,
        client?.PrivacyMode ?? PrivacyMode.Standard,
        server?.PrivacyMode,
        client?.Subflows.Count ?? 0,
        client?.Events.Count(e => e.Kind == MptcpEventKind.SubflowEstablished) ?? 0,
        client?.Events.Count(e => e.Kind == MptcpEventKind.SubflowClosed) ?? 0,
        client?.Events.FirstOrDefault(e => e.Kind == MptcpEventKind.FellBack).Detail,
        Direction(upload, download, TimeSpan.Zero, check),
        Direction(download, upload, TimeSpan.Zero, check));

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
