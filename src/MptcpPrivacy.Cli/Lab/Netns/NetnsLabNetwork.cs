using System.Globalization;
using System.Net;
using MptcpPrivacy.Linux.Namespaces;

namespace MptcpPrivacy.Cli.Lab.Netns;

/// <summary>
/// The lab's network on real kernels: an <see cref="InteropTopology"/> with the kernel on both
/// sides, whose stack host plays the user's phone (path 1 Wi-Fi 198.51.100.2, path 2 cellular
/// 203.0.113.2, the addresses of <see cref="LabScenario"/>) and whose kernel host plays the server
/// (service address 192.0.2.1 on its loopback, reachable over both paths, and the second address
/// 192.0.2.2 it announces with a <c>signal</c> endpoint). HTB shapes Wi-Fi to 50 Mbit/s and
/// cellular to 20 Mbit/s; there is no delay (this kernel has no netem). Each client address has
/// its own routing table, so each subflow leaves by its address's path. Disposing deletes both
/// namespaces.
/// </summary>
internal sealed class NetnsLabNetwork : IDisposable
{
    /// <summary>The Wi-Fi path's rate, as in the simulator's lab.</summary>
    public const long WifiRateBitsPerSecond = 50_000_000;

    /// <summary>The cellular path's rate, as in the simulator's lab.</summary>
    public const long CellularRateBitsPerSecond = 20_000_000;

    private NetnsLabNetwork(InteropTopology topology) => Topology = topology;

    /// <summary>Gets the two namespaces and their paths.</summary>
    public InteropTopology Topology { get; }

    /// <summary>Gets the user's phone (the topology's stack host, its own kernel's MPTCP).</summary>
    public TopologyHost Client => Topology.Stack;

    /// <summary>Gets the server (the topology's kernel host).</summary>
    public TopologyHost Server => Topology.Kernel;

    /// <summary>Gets the address the user's connections go to (the server's service address).</summary>
    public static IPAddress ServerAddress => InteropTopology.ServiceAddress4;

    /// <summary>Gets the server's second address, which it announces (ADD_ADDR).</summary>
    public static IPAddress AnnouncedAddress { get; } = LabScenario.AnnouncedServerAddress.ToIPAddress();

    /// <summary>Builds the network; on failure, removes what was built and rethrows.</summary>
    /// <param name="progress">Hears a line per step.</param>
    public static NetnsLabNetwork Create(Action<string>? progress = null)
    {
        InteropTopology topology = InteropTopology.Create(new TopologyOptions { Paths = 2, StackSide = StackSide.Kernel });
        var network = new NetnsLabNetwork(topology);
        try
        {
            network.Build();
            progress?.Invoke($"lab netns: namespaces {topology.Stack.Name} (client) and {topology.Kernel.Name} (server) ready");
        }
        catch
        {
            network.Dispose();
            throw;
        }

        return network;
    }

    /// <summary>Adds <paramref name="address"/>/24 to path <paramref name="path"/>'s device in the client and routes what leaves from it over that path.</summary>
    public void AddClientAddress(int path, IPAddress address)
    {
        TopologyPath p = Topology.Path(path);
        Client.Ip("address", "add", $"{address}/{p.PrefixLength4}", "dev", p.StackDevice);
        Client.Ip("rule", "add", "from", address.ToString(), "table", Text(p.RoutingTable), "pref", Text(1100 + path));
    }

    /// <summary>
    /// Removes <paramref name="address"/> from path <paramref name="path"/> in the client, and its
    /// routing rule; the path's routes are put back, since the kernel drops those that named it.
    /// </summary>
    public void RemoveClientAddress(int path, IPAddress address)
    {
        TopologyPath p = Topology.Path(path);
        Client.Ip("address", "del", $"{address}/{p.PrefixLength4}", "dev", p.StackDevice);
        Client.Ip("rule", "del", "from", address.ToString(), "table", Text(p.RoutingTable));
        Client.Ip("route", "replace", "default", "via", p.KernelAddress4.ToString(), "dev", p.StackDevice, "table", Text(p.RoutingTable));
        if (path == 1)
        {
            Client.Ip("route", "replace", "default", "via", p.KernelAddress4.ToString(), "dev", p.StackDevice);
        }
    }

    /// <summary>
    /// Strips every MPTCP option (TCP option kind 30) from the segments that cross path
    /// <paramref name="path"/> either way: iptables <c>TCPOPTSTRIP</c> in the client's mangle
    /// POSTROUTING (leaving by the path) and PREROUTING (arriving by it), as a middlebox at the
    /// path's client end would; a capture on the path sees the stripped segments.
    /// </summary>
    public void StripMptcpOptions(int path)
    {
        string device = Topology.Path(path).StackDevice;
        Client.Exec("iptables", "-t", "mangle", "-A", "POSTROUTING", "-o", device, "-p", "tcp", "-j", "TCPOPTSTRIP", "--strip-options", "30");
        Client.Exec("iptables", "-t", "mangle", "-A", "PREROUTING", "-i", device, "-p", "tcp", "-j", "TCPOPTSTRIP", "--strip-options", "30");
    }

    /// <summary>
    /// Puts a source NAT on path <paramref name="path"/>: what leaves the client by it from its
    /// path address reaches the server from <paramref name="outside"/> instead, and the replies are
    /// translated back (iptables SNAT in the client's nat POSTROUTING; conntrack undoes it on the
    /// way in). The server reaches <paramref name="outside"/> through a static neighbour entry for
    /// the client's device, as it would reach a NAT's public address. On the wire of the path this
    /// is a NAT at the path's client end: the server never sees the client's own address there.
    /// </summary>
    public void NatOnPath(int path, IPAddress outside)
    {
        TopologyPath p = Topology.Path(path);
        Client.Exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", p.StackDevice, "-s", p.StackAddress4.ToString(), "-j", "SNAT", "--to-source", outside.ToString());
        string mac = Client.Exec("cat", $"/sys/class/net/{p.StackDevice}/address").Trim();
        Server.Ip("neigh", "replace", outside.ToString(), "lladdr", mac, "dev", p.KernelDevice, "nud", "permanent");
    }

    /// <summary>Deletes both namespaces (their devices, qdiscs, endpoints and rules go with them).</summary>
    public void Dispose() => Topology.Dispose();

    /// <summary>Moves the announced address to the server, lets secondary addresses survive their primary, shapes the paths, and sets the server's path manager.</summary>
    private void Build()
    {
        // The topology gives the stack host 192.0.2.2 on its loopback; in the lab that address is
        // the server's, announced to the client.
        Client.Ip("address", "del", $"{InteropTopology.StackServiceAddress4}/32", "dev", "lo");
        Server.Ip("address", "add", $"{AnnouncedAddress}/32", "dev", "lo");

        // Removing a path's first address must not take the new one with it.
        Client.SetSysctls([.. new[] { "all", "default" }.Concat(Topology.Paths.Select(p => p.StackDevice)).Select(d => $"net.ipv4.conf.{d}.promote_secondaries=1")]);
        Topology.SetRate(1, WifiRateBitsPerSecond);
        Topology.SetRate(2, CellularRateBitsPerSecond);

        Server.PathManager.SetLimits(InKernelLabPathManager.Subflows, InKernelLabPathManager.AddAddrAccepted);
        Server.PathManager.AddEndpoint(AnnouncedAddress, MptcpEndpointFlags.Signal);
    }

    /// <summary>Formats a number for a command line.</summary>
    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
