using System.Net;
using System.Net.Sockets;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Linux.Processes;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Linux;

/// <summary>
/// The interop topology against the real kernel (root). One class, so its tests run one after the
/// other and "no namespace of this process is left" means what it says.
/// </summary>
public class TopologyTests
{
    private const int IpprotoMptcp = 262;
    private const int TcpIsMptcp = 43;

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void TunSideRoutesEachStackAddressThroughItsPathAndTheKernelHostReachesTheTun(int paths)
    {
        Privileges.RequireRoot("the interop topology");
        using InteropTopology topology = InteropTopology.Create(new TopologyOptions { Paths = paths, StackSide = StackSide.Tun });
        string tun = topology.TunName!;
        Assert.Equal("tun0", tun);
        foreach (TopologyPath path in topology.Paths)
        {
            // S delivers the stack's addresses to the TUN device and forwards what the stack sends
            // from path i's address through path i, whatever the destination.
            Assert.Equal(tun, topology.Stack.RouteDevice(path.StackAddress4));
            Assert.Equal(tun, topology.Stack.RouteDevice(path.StackAddress6));
            foreach (IPAddress destination in new[] { InteropTopology.ServiceAddress4, topology.Path(1).KernelAddress4, topology.Paths[^1].KernelAddress4 })
            {
                Assert.Equal(path.StackDevice, topology.Stack.RouteDevice(destination, path.StackAddress4, tun));
            }

            foreach (IPAddress destination in new[] { InteropTopology.ServiceAddress6, topology.Path(1).KernelAddress6, topology.Paths[^1].KernelAddress6 })
            {
                Assert.Equal(path.StackDevice, topology.Stack.RouteDevice(destination, path.StackAddress6, tun));
            }

            // K reaches the stack's path-i address over path i, and answers from its path-i address over path i.
            Assert.Equal(path.KernelDevice, topology.Kernel.RouteDevice(path.StackAddress4));
            Assert.Equal(path.KernelDevice, topology.Kernel.RouteDevice(path.StackAddress6));
            Assert.Equal(path.KernelDevice, topology.Kernel.RouteDevice(topology.Path(1).StackAddress4, path.KernelAddress4));
            Assert.Equal(path.KernelDevice, topology.Kernel.RouteDevice(topology.Path(1).StackAddress6, path.KernelAddress6));
        }

        // Nobody reads the TUN device yet: what reaches it is counted as dropped on the way out.
        LinkCounters before = topology.Stack.Counters(tun);
        const int perAddress = 3;
        topology.Kernel.Namespace.Run(() =>
        {
            foreach (TopologyPath path in topology.Paths)
            {
                foreach (IPAddress stack in new[] { path.StackAddress4, path.StackAddress6 })
                {
                    using var udp = new Socket(stack.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                    for (int i = 0; i < perAddress; i++)
                    {
                        udp.SendTo(new byte[100], new IPEndPoint(stack, 9));
                    }
                }
            }

            return 0;
        });
        LinkCounters after = WaitFor(
            () => topology.Stack.Counters(tun),
            c => c.TxPackets + c.TxDropped - before.TxPackets - before.TxDropped >= 2 * perAddress * paths);
        Assert.True(after.TxPackets + after.TxDropped - before.TxPackets - before.TxDropped >= 2 * perAddress * paths, $"{before} -> {after}");

        // K resolved each stack address (ARP, NDP) to S's end of the path.
        string neighbours = topology.Kernel.Ip("neigh", "show");
        string neighbours6 = topology.Kernel.Ip("-6", "neigh", "show");
        foreach (TopologyPath path in topology.Paths)
        {
            Assert.Contains($"{path.StackAddress4} dev {path.KernelDevice} lladdr", neighbours);
            Assert.Contains($"{path.StackAddress6} dev {path.KernelDevice} lladdr", neighbours6);
        }
    }

    [Fact]
    public void KernelSideTransferCrossesEveryPathWithOneSubflowEachAndHtbShapesThem()
    {
        Privileges.RequireRoot("the interop topology");
        ExternalTool.Require("iperf3");
        ExternalTool.Require("mptcpize");
        using InteropTopology topology = InteropTopology.Create(new TopologyOptions
        {
            Paths = 3,
            StackSide = StackSide.Kernel,
            RateBitsPerSecond = 100_000_000,
        });
        TopologyHost s = topology.Stack;
        TopologyHost k = topology.Kernel;
        s.PathManager.SetLimits(subflows: 2, addAddrAccepted: 0);
        k.PathManager.SetLimits(subflows: 2, addAddrAccepted: 0);
        int id2 = s.PathManager.AddEndpoint(topology.Path(2).StackAddress4, MptcpEndpointFlags.Subflow, topology.Path(2).StackDevice);
        int id3 = s.PathManager.AddEndpoint(topology.Path(3).StackAddress4, MptcpEndpointFlags.Subflow, topology.Path(3).StackDevice);
        Assert.NotEqual(id2, id3);
        Assert.Equal(id3, s.PathManager.FindEndpoint(topology.Path(3).StackAddress4));

        LinkCounters[] before = [.. topology.Paths.Select(p => s.Counters(p.StackDevice))];
        BackgroundProcess server = k.Start("mptcpize", "run", "iperf3", "-s", "-1", "-B", InteropTopology.ServiceAddress4.ToString(), "-p", "5201");
        WaitForListener(k, 5201);
        BackgroundProcess client = s.Start("mptcpize", "run", "iperf3", "-c", InteropTopology.ServiceAddress4.ToString(), "-p", "5201", "-n", "12M");
        Assert.True(client.WaitForExit(TimeSpan.FromSeconds(60)) == 0, client.Output + client.Errors);
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(20)));

        // Three subflows (two joins) and three paths that each carried a share of the 12 MB: had two
        // subflows shared a path, one path would have stayed idle.
        Assert.True(s.MibCounter("MPJoinSynAckRx") >= 2, $"joins: {s.MibCounter("MPJoinSynAckRx")}");
        for (int i = 0; i < topology.Paths.Count; i++)
        {
            TopologyPath path = topology.Paths[i];
            long sent = s.Counters(path.StackDevice).TxBytes - before[i].TxBytes;
            Assert.True(sent > 500_000, $"path {path.Number} carried {sent} bytes");
            Assert.True(s.ShapedBytes(path.StackDevice) > 500_000, $"HTB on {path.StackDevice}: {s.ShapedBytes(path.StackDevice)} bytes");
            Assert.True(k.ShapedBytes(path.KernelDevice) > 0, $"HTB on {path.KernelDevice}");
        }

        // The path manager's other operations, as the interop cases will use them.
        s.PathManager.SetBackup(id2, backup: true);
        Assert.Contains(s.PathManager.Endpoints(), line => line.Contains(topology.Path(2).StackAddress4.ToString(), StringComparison.Ordinal) && line.Contains("backup", StringComparison.Ordinal));
        s.PathManager.DeleteEndpoint(id2);
        Assert.Null(s.PathManager.FindEndpoint(topology.Path(2).StackAddress4));
        int signal = k.PathManager.AddEndpoint(topology.Path(2).KernelAddress4, MptcpEndpointFlags.Signal, port: 5202, id: 7);
        Assert.Equal(7, signal);
        Assert.Contains(k.PathManager.Endpoints(), line => line.Contains("port 5202", StringComparison.Ordinal));
        s.PathManager.FlushEndpoints();
        Assert.Empty(s.PathManager.Endpoints());
        s.PathManager.SetChecksums(true);
        Assert.Equal("1", s.Exec("sysctl", "-n", "net.mptcp.checksum_enabled").Trim());
        topology.SetRate(1, null);
        Assert.Null(s.ShapedBytes(topology.Path(1).StackDevice));
        Assert.Null(k.ShapedBytes(topology.Path(1).KernelDevice));
    }

    private static void WaitForListener(TopologyHost host, int port) =>
        WaitFor(() => host.Exec("ss", "-Hltn", $"sport = :{port}"), text => text.Contains(':' + port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

    /// <summary>Reads <paramref name="read"/> until <paramref name="done"/> holds, at most 100 times 50 ms apart; returns the last reading.</summary>
    private static T WaitFor<T>(Func<T> read, Func<T, bool> done)
    {
        T value = read();
        for (int i = 0; i < 100 && !done(value); i++)
        {
            Thread.Sleep(50);
            value = read();
        }

        return value;
    }
}
