using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Scenarios.Proxy;

/// <summary>
/// Plays a <see cref="ScenarioSpec"/> as <see cref="ScenarioRunner"/> does, but with a
/// <see cref="TerminatingProxyNode"/> in the server's place: the user's connections end at the
/// proxy (which holds the server's addresses, as a load balancer terminating MPTCP or an operator's
/// converter the user addresses), and the applications' server side runs on an origin behind it,
/// reached by plain TCP from the proxy's one back address. Two captures: the user side (the
/// scenario's paths and the server link, as <see cref="ScenarioRunner"/> records them) and the
/// origin side (the origin link alone).
/// </summary>
public static class ProxyScenarioRunner
{
    /// <summary>The proxy's one address towards the origin.</summary>
    public static readonly InterfaceAddress ProxyBackAddress = InterfaceAddress.Parse("10.0.0.1/24");

    /// <summary>The origin's address.</summary>
    public static readonly InterfaceAddress OriginAddress = InterfaceAddress.Parse("10.0.0.2/24");

    /// <summary>The port the origin listens on.</summary>
    public const ushort OriginPort = 8080;

    /// <summary>Gets the origin link's impairments: the server link's (fast, clean) with 1 ms of delay, a data centre's.</summary>
    public static LinkConfig OriginLinkConfig { get; } = SimulatedTopology.ServerLinkConfig with { DelayNs = 1_000_000 };

    /// <summary>Gets the options of the proxy's back stack and of the origin: plain TCP (MPTCP not offered), the stack's buffers.</summary>
    public static MptcpOptions PlainTcp { get; } = new() { Enabled = false };


    /// <summary>Runs <paramref name="spec"/> through the proxy.</summary>
    /// <param name="spec">The scenario; its server addresses become the proxy's front addresses (the announced ones signalled).</param>
    /// <param name="userCapture">Where to write the user side's pcapng capture (paths, then the server link), or null.</param>
    /// <param name="originCapture">Where to write the origin link's pcapng capture, or null.</param>
    /// <param name="client">The user's stack options; null for <see cref="ScenarioRunner.OptionsFor"/> the scenario.</param>
    /// <param name="proxy">The proxy front stack's options (its privacy mode is the one the user meets); null for <see cref="ScenarioRunner.OptionsFor"/> the scenario.</param>
    /// <param name="maxEvents">A bound on simulator events, so a run always ends.</param>
    /// <param name="check">How the applications check what arrived.</param>
    /// <param name="configure">Called with the network once built, its applications set, before it runs, or null.</param>
    /// <param name="plain">The options of the proxy's back stack and of the origin; null for <see cref="PlainTcp"/>.</param>
    public static ProxyScenarioResult Run(ScenarioSpec spec, Stream? userCapture = null, Stream? originCapture = null, MptcpOptions? client = null, MptcpOptions? proxy = null,
        long maxEvents = 200_000_000, ContentCheck check = ContentCheck.Sha256, Action<ProxyNetwork>? configure = null, MptcpOptions? plain = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var simulator = new Simulator(new Random(spec.Seed));
        var clientEndpoint = new MptcpEndpoint(client ?? ScenarioRunner.OptionsFor(spec), new Random(unchecked((spec.Seed * 7919) + 1)));
        var frontEndpoint = new MptcpEndpoint(proxy ?? ScenarioRunner.OptionsFor(spec), new Random(unchecked((spec.Seed * 7919) + 2)));
        var backEndpoint = new MptcpEndpoint(plain ?? PlainTcp, new Random(unchecked((spec.Seed * 7919) + 3)));
        var originEndpoint = new MptcpEndpoint(plain ?? PlainTcp, new Random(unchecked((spec.Seed * 7919) + 4)));
        frontEndpoint.Listen(ScenarioRunner.ServerPort);
        originEndpoint.Listen(OriginPort);
        foreach (InterfaceAddress announced in spec.ServerAnnouncedAddresses)
        {
            frontEndpoint.AddEndpoint(announced.Address, EndpointFlags.Signal);
        }

        EndpointFlags ClientFlags(int interfaceIndex) => ScenarioRunner.ClientEndpointFlags(spec, interfaceIndex);

        var backInterfaces = new HostInterfaces();
        backInterfaces.AddInterface("origin");
        backInterfaces.AddAddress(0, 0, ProxyBackAddress);
        var originInterfaces = new HostInterfaces();
        originInterfaces.AddInterface("proxy");
        originInterfaces.AddAddress(0, 0, OriginAddress);

        MptcpHostNode? clientNode = null;
        TerminatingProxyNode? proxyNode = null;
        using SimulatedTopology topology = SimulatedTopology.Build(
            simulator,
            spec,
            interfaces => clientNode = new MptcpHostNode("client", interfaces, clientEndpoint, ClientFlags),
            interfaces => proxyNode = new TerminatingProxyNode("proxy", interfaces, frontEndpoint, backInterfaces, backEndpoint, OriginAddress.Address, OriginPort),
            userCapture);
        var originNode = new MptcpHostNode("origin", originInterfaces, originEndpoint, EndpointFlags.None);
        simulator.AddNode(originNode);
        Link originLink = simulator.Connect(proxyNode!, TerminatingProxyNode.BackInterface, originNode, 0, OriginLinkConfig, "origin");
        using PcapngTap? originTap = originCapture is null ? null : new PcapngTap(originCapture, leaveOpen: true);
        originTap?.Attach(originLink);

        int count = spec.Connections;
        (BulkTransfer[] uploads, BulkTransfer[] downloads) = ScenarioRunner.Applications(spec, check);
        (HostAddress first, IpAddressBytes serverAddress) = ScenarioRunner.FirstPath(clientNode!);

        var relays = new List<ProxyRelay>();
        proxyNode!.RelayOpened += relays.Add;
        var userConnections = new MptcpConnection?[count];
        var originConnections = new MptcpConnection?[count];
        var accepted = new List<MptcpConnection>();
        clientNode!.Application = now =>
        {
            for (int i = 0; i < count; i++)
            {
                userConnections[i] ??= Attach(clientEndpoint.Connect(now, first.Address.Address, serverAddress, ScenarioRunner.ServerPort), uploads[i]);
                uploads[i].Run(now);
            }
        };
        originNode.Application = now =>
        {
            while (originEndpoint.TryAccept(out MptcpConnection connection))
            {
                accepted.Add(connection);
                if (Pair(connection, relays, userConnections, originConnections) is var i and >= 0)
                {
                    originConnections[i] = Attach(connection, downloads[i]);
                }
            }

            foreach (BulkTransfer download in downloads)
            {
                download.Run(now);
            }
        };
        configure?.Invoke(new ProxyNetwork(topology, clientNode, proxyNode, originNode, originLink));
        simulator.Wake(clientNode);

        RunOutcome outcome = ScenarioRunner.RunInSlices(simulator, spec.DurationNs, maxEvents, () => uploads.All(u => u.Done) && downloads.All(d => d.Done)
            && userConnections.All(c => c?.State == MptcpConnectionState.Closed)
            && originConnections.All(c => c?.State == MptcpConnectionState.Closed)
            && userConnections.All(u => relays.FirstOrDefault(r => r.Front == FrontOf(relays, u)) is not { } relay || relay.Finished));

        topology.Tap?.Flush();
        originTap?.Flush();
        ConnectionResult[] connections = [.. Enumerable.Range(0, count).Select(i =>
            ScenarioRunner.Outcome(i, userConnections[i], FrontOf(relays, userConnections[i]), uploads[i], downloads[i], check))];
        return new ProxyScenarioResult(connections, relays, [.. userConnections.OfType<MptcpConnection>()], accepted, proxyNode, outcome, simulator.Now / 1e9);
    }

    private static MptcpConnection Attach(MptcpConnection connection, BulkTransfer application)
    {
        application.Attach(connection);
        return connection;
    }

    /// <summary>
    /// Returns which user connection an origin connection carries: the relay whose back connection
    /// it is (by the proxy's port) names the proxy's front connection, whose peer key (or, after a
    /// fallback, whose first subflow's port) is the user connection's; -1 when none is left.
    /// </summary>
    private static int Pair(MptcpConnection atOrigin, List<ProxyRelay> relays, MptcpConnection?[] users, MptcpConnection?[] origins)
    {
        ushort proxyPort = atOrigin.Subflows.Count > 0 ? atOrigin.Subflows[0].Tuple.RemotePort : (ushort)0;
        ProxyRelay? relay = relays.FirstOrDefault(r => r.Back.Subflows.Count > 0 && r.Back.Subflows[0].Tuple.LocalPort == proxyPort);
        for (int i = 0; relay is not null && i < users.Length; i++)
        {
            if (origins[i] is null && users[i] is { } user && FrontOf([relay], user) is not null)
            {
                return i;
            }
        }

        return -1;
    }

    // The proxy's front connection of a user connection: the one that read the user's key, or whose
    // first subflow came from the user's first subflow's port.
    private static MptcpConnection? FrontOf(IEnumerable<ProxyRelay> relays, MptcpConnection? user) => user is null ? null : relays.Select(r => r.Front).FirstOrDefault(front =>
        front.HasRemoteKey ? front.RemoteKey == user.LocalKey.Key
            : front.Subflows.Count > 0 && user.Subflows.Count > 0 && front.Subflows[0].Tuple.RemotePort == user.Subflows[0].Tuple.LocalPort);
}
