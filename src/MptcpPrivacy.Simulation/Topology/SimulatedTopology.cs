using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Simulation.Scenarios;

namespace MptcpPrivacy.Simulation;

/// <summary>
/// The standard scenario network, built from a <see cref="ScenarioSpec"/>: a client with one
/// interface per path, each path a link (with its impairments, and a NAT or an MPTCP option
/// stripper on it when asked) to one interface of a router, and the router's last interface linked
/// to the server by a fast, clean link. Links go down and up, and client addresses come and go, at
/// the scenario's times; one pcapng file can record every link.
/// </summary>
/// <remarks>
/// <code>
///            path 1 (198.51.100.2/24, 2001:db8:1::2/64) --[NAT][stripper]--\
///   client - path 2 (203.0.113.2/24,  2001:db8:2::2/64) -------------------- router -- server (192.0.2.1/25, 2001:db8::1/64)
///            path 3 (192.0.2.130/25,  2001:db8:3::2/64) --------------------/
/// </code>
/// <para>
/// The client's interface i and the router's interface i belong to path i + 1; the router's
/// interface N (the number of paths) and the server's interface 0 to the server link. The router
/// has a route for every prefix the client has or will have on a path (so an address that appears
/// later is reachable at once), for each NAT's public address, and for every server address.
/// </para>
/// <para>
/// A capture tap records what each link delivers, at the moment it arrives: on a path with a NAT,
/// packets towards the router appear with the public source and packets towards the client with
/// the inside destination, as each receiver sees them.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// ScenarioSpec spec = ScenarioSpec.FromArguments(["--path", "rate=50M,rtt=20ms,nat", "--path", "rate=10M,rtt=60ms,loss=1%"]);
/// var sim = new Simulator(new Random(spec.Seed));
/// using var topology = SimulatedTopology.Build(sim, spec,
///     client: interfaces => new MyHostNode("client", interfaces),
///     server: interfaces => new MyHostNode("server", interfaces),
///     capture: File.Create("run.pcapng"));
/// topology.Run(maxEvents: 10_000_000);
/// </code>
/// </example>
public sealed class SimulatedTopology : IDisposable
{
    /// <summary>The name of the link between the router and the server.</summary>
    public const string ServerLinkName = "server";

    private SimulatedTopology(Simulator simulator, ScenarioSpec spec, HostInterfaces clientInterfaces, HostInterfaces serverInterfaces, Router router)
    {
        Simulator = simulator;
        Spec = spec;
        ClientInterfaces = clientInterfaces;
        ServerInterfaces = serverInterfaces;
        Router = router;
    }

    /// <summary>Gets the server link's impairments in each direction: 10 Gbit/s, no delay, no loss, a 1000-packet queue, an MTU no path packet exceeds.</summary>
    public static LinkConfig ServerLinkConfig { get; } = new()
    {
        RateBitsPerSecond = 10_000_000_000,
        DelayNs = 0,
        QueuePackets = 1000,
        Mtu = ushort.MaxValue,
    };

    /// <summary>Gets the simulator the network runs on.</summary>
    public Simulator Simulator { get; }

    private int _extraHosts;

    /// <summary>Gets the scenario the network was built from.</summary>
    public ScenarioSpec Spec { get; }

    /// <summary>Gets the client node.</summary>
    public INode Client { get; private set; } = null!;

    /// <summary>Gets the server node.</summary>
    public INode Server { get; private set; } = null!;

    /// <summary>Gets the client's interfaces: interface i is path i + 1.</summary>
    public HostInterfaces ClientInterfaces { get; }

    /// <summary>Gets the server's one interface and its addresses.</summary>
    public HostInterfaces ServerInterfaces { get; }

    /// <summary>Gets the router in the middle.</summary>
    public Router Router { get; }

    /// <summary>Gets the paths, path 1 first.</summary>
    public IReadOnlyList<SimulatedPath> Paths { get; private set; } = [];

    /// <summary>Gets the link between the router (end A) and the server (end B).</summary>
    public Link ServerLink { get; private set; } = null!;

    /// <summary>Gets the tap recording every link, or null when no capture was asked for.</summary>
    public PcapngTap? Tap { get; private set; }

    /// <summary>
    /// Builds the network of <paramref name="spec"/> on <paramref name="simulator"/> (which should
    /// be empty, seeded with <see cref="ScenarioSpec.Seed"/>) and schedules its link and address changes.
    /// </summary>
    /// <param name="simulator">The simulator; the topology adds its nodes and links to it.</param>
    /// <param name="spec">The scenario; it is validated first.</param>
    /// <param name="client">Makes the client node around its interfaces, which already hold their initial addresses.</param>
    /// <param name="server">Makes the server node around its one interface, which already holds every server address.</param>
    /// <param name="capture">Where to write a pcapng file with one interface per link (paths in order, then "server"), or null. It stays open; <see cref="Dispose"/> finishes the file.</param>
    /// <exception cref="ScenarioFormatException">The scenario does not validate.</exception>
    public static SimulatedTopology Build(Simulator simulator, ScenarioSpec spec, Func<HostInterfaces, INode> client, Func<HostInterfaces, INode> server, Stream? capture = null)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(server);
        spec.Validate();

        var clientInterfaces = new HostInterfaces { Pool = simulator.Packets };
        for (int i = 0; i < spec.Paths.Count; i++)
        {
            int index = clientInterfaces.AddInterface(spec.Paths[i].ResolveName(i + 1));
            foreach (InterfaceAddress address in spec.Paths[i].ResolveAddresses(i + 1))
            {
                clientInterfaces.AddAddress(simulator.Now, index, address);
            }
        }

        var serverInterfaces = new HostInterfaces { Pool = simulator.Packets };
        serverInterfaces.AddInterface(ServerLinkName);
        foreach (InterfaceAddress address in spec.ServerAddresses)
        {
            serverInterfaces.AddAddress(simulator.Now, 0, address);
        }

        var topology = new SimulatedTopology(simulator, spec, clientInterfaces, serverInterfaces, new Router("router"));
        topology.Wire(client(clientInterfaces), server(serverInterfaces), capture);
        return topology;
    }

    /// <summary>Runs the simulation until nothing is left to do, <see cref="ScenarioSpec.DurationNs"/> is reached, or <paramref name="maxEvents"/> events have run; then flushes the capture.</summary>
    public RunOutcome Run(long maxEvents = long.MaxValue)
    {
        RunOutcome outcome = Simulator.RunUntilIdle(Spec.DurationNs, maxEvents);
        Tap?.Flush();
        return outcome;
    }

    /// <summary>Finishes the capture file, if any (its stream stays open).</summary>
    public void Dispose() => Tap?.Dispose();

    /// <summary>
    /// Attaches another host (an attacker, say) to the router on a link of its own, reached at
    /// <paramref name="address"/>; call it before <see cref="Run"/>. Its link is not captured: what
    /// it sends to the server crosses the server's link, which is.
    /// </summary>
    public Link AttachHost(INode node, IpAddressBytes address, LinkConfig config, string name)
    {
        ArgumentNullException.ThrowIfNull(node);
        Simulator.AddNode(node);
        int index = Paths.Count + 1 + _extraHosts++;
        Link link = Simulator.Connect(node, 0, Router, index, config, name);
        Router.AddRoute(InterfaceAddress.Host(address).Prefix, index);
        return link;
    }

    private void Wire(INode client, INode server, Stream? capture)
    {
        Client = client ?? throw new InvalidOperationException("The client factory returned null.");
        Server = server ?? throw new InvalidOperationException("The server factory returned null.");
        Simulator.AddNode(client);
        Simulator.AddNode(Router);
        Simulator.AddNode(server);

        var paths = new List<SimulatedPath>(Spec.Paths.Count);
        for (int i = 0; i < Spec.Paths.Count; i++)
        {
            paths.Add(WirePath(i));
        }

        Paths = paths;
        int serverSide = paths.Count;
        ServerLink = Simulator.Connect(Router, serverSide, server, 0, ServerLinkConfig, ServerLinkName);
        foreach (InterfaceAddress address in Spec.ServerAddresses)
        {
            Router.AddRoute(address.Prefix, serverSide);
        }

        if (capture is not null)
        {
            Tap = new PcapngTap(capture, leaveOpen: true);
            foreach (SimulatedPath path in paths)
            {
                Tap.Attach(path.Link);
            }

            Tap.Attach(ServerLink);
        }

        // Mobility, in list order; the simulator runs events of equal time in the order scheduled,
        // which is the order the validator checked them in.
        foreach (MobilityEvent e in Spec.Mobility)
        {
            int index = e.PathNumber - 1;
            switch (e.Action)
            {
                case MobilityAction.AddAddress:
                    ClientInterfaces.ScheduleAddAddress(Simulator, e.AtNs, index, e.Address);
                    break;
                case MobilityAction.RemoveAddress:
                    ClientInterfaces.ScheduleRemoveAddress(Simulator, e.AtNs, index, e.Address.Address);
                    break;
                default:
                    ClientInterfaces.ScheduleInterfaceState(Simulator, e.AtNs, index, e.Action == MobilityAction.InterfaceUp);
                    break;
            }
        }

        // A stack reacts to a change when next polled; poll it at once.
        ClientInterfaces.AddressChanged += (_, _) => Simulator.Wake(Client);
        ClientInterfaces.InterfaceStateChanged += (_, _) => Simulator.Wake(Client);
    }

    private SimulatedPath WirePath(int index)
    {
        PathSpec spec = Spec.Paths[index];
        int number = index + 1;
        LinkConfig config = spec.ToLinkConfig();
        Link link = Simulator.Connect(Client, index, Router, index, config, spec.ResolveName(number));

        Nat44? nat = null;
        if (spec.ResolveNatAddress(number) is { } publicAddress)
        {
            nat = new Nat44(LinkDirection.AToB, publicAddress);
            link.AddElement(nat);
            Router.AddRoute(InterfaceAddress.Host(publicAddress).Prefix, index);
        }

        MptcpOptionStripper? stripper = null;
        if (spec.ToOptionStripMode() is { } mode)
        {
            stripper = new MptcpOptionStripper(mode);
            link.AddElement(stripper);
        }

        foreach (LinkStateChange change in spec.LinkChanges)
        {
            Simulator.ScheduleLinkState(link, change.AtNs, change.Up);
        }

        IReadOnlyList<InterfaceAddress> initial = spec.ResolveAddresses(number);
        foreach (InterfaceAddress address in initial)
        {
            Router.AddRoute(address.Prefix, index);
        }

        foreach (MobilityEvent e in Spec.Mobility)
        {
            if (e.PathNumber == number && e.Action == MobilityAction.AddAddress)
            {
                Router.AddRoute(e.Address.Prefix, index);
            }
        }

        return new SimulatedPath(number, spec, link, nat, stripper, initial);
    }
}
