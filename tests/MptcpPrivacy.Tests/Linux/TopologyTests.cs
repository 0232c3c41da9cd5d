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

    [Fact]
    public void KernelSideIPv6ConnectionJoinsOverTheSecondPathAndSendsOnIt()
    {
        Privileges.RequireRoot("the interop topology");
        using InteropTopology topology = InteropTopology.Create(new TopologyOptions { Paths = 2, StackSide = StackSide.Kernel });
        TopologyPath second = topology.Path(2);
        Assert.Equal("s1", topology.Stack.RouteDevice(InteropTopology.ServiceAddress6));
        Assert.Equal("s2", topology.Stack.RouteDevice(InteropTopology.ServiceAddress6, second.StackAddress6));
        Assert.Equal("s2", topology.Stack.RouteDevice(topology.Path(1).KernelAddress6, second.StackAddress6));
        Assert.Equal("k2", topology.Kernel.RouteDevice(second.StackAddress6, InteropTopology.ServiceAddress6));
        topology.Stack.PathManager.SetLimits(subflows: 1, addAddrAccepted: 0);
        topology.Kernel.PathManager.SetLimits(subflows: 1, addAddrAccepted: 0);
        topology.Stack.PathManager.AddEndpoint(second.StackAddress6, MptcpEndpointFlags.Subflow, second.StackDevice);
        LinkCounters before = topology.Stack.Counters(second.StackDevice);
        RunKernelPeers(topology, InteropTopology.ServiceAddress6, 5400, "xchg:1000", "estab:2", "mptcp:1", "pace:40:100000:0", "close:clean");
        long sent = topology.Stack.Counters(second.StackDevice).TxBytes - before.TxBytes;
        Assert.True(sent > 100_000, $"path 2 carried {sent} bytes");
        Assert.Equal(1, topology.Kernel.MibCounter("MPJoinSynRx"));
    }

    [Fact]
    public void StrippingEveryOptionMakesKernelConnectionsFallBackToTcpAndStrippingJoinsLeavesThemMptcpWithoutJoins()
    {
        Privileges.RequireRoot("the interop topology");
        using (InteropTopology all = InteropTopology.Create(new TopologyOptions { Paths = 2, StackSide = StackSide.Kernel, OptionStrip = OptionStrip.All }))
        {
            foreach (string tool in new[] { "iptables", "ip6tables" })
            {
                string rules = all.Stack.Exec(tool, "-t", "mangle", "-S");
                foreach (TopologyPath path in all.Paths)
                {
                    Assert.Contains($"-A PREROUTING -i {path.StackDevice} -p tcp -j TCPOPTSTRIP --strip-options 30", rules);
                    Assert.Contains($"-A POSTROUTING -o {path.StackDevice} -p tcp -j TCPOPTSTRIP --strip-options 30", rules);
                }
            }

            // RFC 8684 §3.7: a SYN/ACK without MP_CAPABLE leaves the connection plain TCP.
            RunKernelPeers(all, 5300, "xchg:65536", "mptcp:0", "close:clean");
            Assert.True(all.Stack.MibCounter("MPCapableFallbackSYNACK") >= 1);
        }

        using InteropTopology joins = InteropTopology.Create(new TopologyOptions { Paths = 2, StackSide = StackSide.Kernel, OptionStrip = OptionStrip.JoinsOnly });
        string joinRules = joins.Stack.Exec("iptables", "-t", "mangle", "-S");
        Assert.Contains("-A PREROUTING -i s2 -p tcp -m tcp --tcp-flags SYN SYN -j TCPOPTSTRIP --strip-options 30", joinRules);
        Assert.Contains("-A POSTROUTING -o s2 -p tcp -m tcp --tcp-flags SYN SYN -j TCPOPTSTRIP --strip-options 30", joinRules);
        Assert.DoesNotContain(" s1 ", joinRules);
        Assert.Contains("--tcp-flags SYN SYN", joins.Stack.Exec("ip6tables", "-t", "mangle", "-S"));
        joins.Stack.PathManager.SetLimits(subflows: 1, addAddrAccepted: 0);
        joins.Kernel.PathManager.SetLimits(subflows: 1, addAddrAccepted: 0);
        joins.Stack.PathManager.AddEndpoint(joins.Path(2).StackAddress4, MptcpEndpointFlags.Subflow, joins.Path(2).StackDevice);
        RunKernelPeers(joins, 5301, "xchg:65536", "mptcp:1", "mibdelta:MPJoinSynTx:1:10", "xchg:65536", "close:clean");
        Assert.Equal(0, joins.Stack.MibCounter("MPJoinSynAckRx"));
        Assert.Equal(0, joins.Kernel.MibCounter("MPJoinSynRx"));
    }

    [Theory]
    [InlineData("namespaces")]
    [InlineData("paths")]
    [InlineData("tun")]
    [InlineData("routing")]
    [InlineData("shaping")]
    [InlineData("strip")]
    public void ASetupThatFailsAtAnyStepLeavesNoNamespaceBehind(string failingStep)
    {
        Privileges.RequireRoot("the interop topology");
        string? baseName = null;
        var options = new TopologyOptions { Paths = 2, StackSide = StackSide.Tun, RateBitsPerSecond = 50_000_000, OptionStrip = OptionStrip.All };
        var failure = Assert.Throws<InvalidOperationException>(() => InteropTopology.Create(options, (topology, step) =>
        {
            baseName = topology.BaseName;
            Assert.Contains(topology.Stack.Name, ExternalTool.Run("ip", ["netns", "list"]));
            if (step == failingStep)
            {
                throw new InvalidOperationException("injected at " + step);
            }
        }));
        Assert.Equal("injected at " + failingStep, failure.Message);
        AssertGone(baseName!);
    }

    [Fact]
    public void DisposeStopsCapturesCleanlyAndEndsEveryProgramInsideAndBothNamespaces()
    {
        Privileges.RequireRoot("the interop topology");
        ExternalTool.Require("tcpdump");
        using var temp = new TempDirectory();
        string file = Path.Combine(temp.Path, "k.pcap");
        string baseName;
        BackgroundProcess sleeper;
        PacketCapture capture;
        System.Diagnostics.Process stranger;
        using (InteropTopology topology = InteropTopology.Create(new TopologyOptions { Paths = 1, StackSide = StackSide.Tun }))
        {
            baseName = topology.BaseName;
            capture = topology.Kernel.StartCapture(file, "udp");
            sleeper = topology.Stack.Start("sleep", "300");
            // A program the harness did not start, still inside one of its namespaces.
            stranger = System.Diagnostics.Process.Start("ip", ["netns", "exec", topology.Kernel.Name, "sleep", "300"]);
            WaitFor(() => topology.Kernel.Exec("ip", "netns", "identify", stranger.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), text => text.Contains(topology.Kernel.Name, StringComparison.Ordinal));
            topology.Kernel.Namespace.Run(() =>
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                for (int i = 0; i < 5; i++)
                {
                    udp.SendTo(new byte[200], new IPEndPoint(topology.Path(1).StackAddress4, 9));
                }

                return 0;
            });
            WaitFor(() => topology.Stack.Counters("tun0"), c => c.TxPackets + c.TxDropped >= 5);
            Assert.False(sleeper.HasExited);
        }

        Assert.True(sleeper.HasExited);
        Assert.True(stranger.WaitForExit(TimeSpan.FromSeconds(10)), "a program inside the namespace survived");
        stranger.Dispose();
        AssertGone(baseName);

        // A complete pcap file (SIGTERM let tcpdump flush): LINUX_SLL2 (276), and the five datagrams.
        byte[] pcap = File.ReadAllBytes(file);
        Assert.True(pcap.Length >= 24, $"{pcap.Length} bytes");
        Assert.Equal(0xa1b2c3d4u, BitConverter.ToUInt32(pcap, 0));
        Assert.Equal(276u, BitConverter.ToUInt32(pcap, 20));
        int packets = 0;
        for (int at = 24; at + 16 <= pcap.Length && packets < 1000; packets++)
        {
            at += 16 + (int)BitConverter.ToUInt32(pcap, at + 8);
        }

        Assert.True(packets == 5, $"{packets} packets in the file; tcpdump: {capture.Report}");
    }

    [Fact]
    public void APathSetDownAndUpAgainHasItsRoutesAndProxyEntriesBack()
    {
        Privileges.RequireRoot("the interop topology");
        using InteropTopology topology = InteropTopology.Create(new TopologyOptions { Paths = 2, StackSide = StackSide.Tun });
        TopologyPath second = topology.Path(2);
        string[] Routes() =>
        [
            topology.Kernel.RouteDevice(second.StackAddress4),
            topology.Kernel.RouteDevice(second.StackAddress6),
            topology.Kernel.RouteDevice(topology.Path(1).StackAddress4, second.KernelAddress4),
            topology.Kernel.RouteDevice(topology.Path(1).StackAddress6, second.KernelAddress6),
            topology.Stack.RouteDevice(InteropTopology.ServiceAddress4, second.StackAddress4, "tun0"),
            topology.Stack.RouteDevice(InteropTopology.ServiceAddress6, second.StackAddress6, "tun0"),
        ];
        string[] before = Routes();
        Assert.All(before.Take(4), device => Assert.Equal("k2", device));
        Assert.All(before.Skip(4), device => Assert.Equal("s2", device));

        topology.SetPathDown(2);
        Assert.Contains("state DOWN", topology.Kernel.Ip("link", "show", "k2"));
        Assert.NotEqual("k2", topology.Kernel.RouteDevice(second.StackAddress4));
        Assert.DoesNotContain(second.StackAddress6.ToString(), topology.Stack.Ip("-6", "neigh", "show", "proxy"));

        topology.SetPathUp(2);
        Assert.Equal(before, Routes());
        Assert.Contains($"{second.StackAddress6} dev s2 proxy", topology.Stack.Ip("-6", "neigh", "show", "proxy"));
    }

    [Fact]
    public void TheSweepDeletesNamespacesOfDeadProcessesOnly()
    {
        Privileges.RequireRoot("network namespaces");
        using var gone = System.Diagnostics.Process.Start("true")!;
        gone.WaitForExit();
        int deadPid = gone.Id;
        Assert.SkipWhen(Directory.Exists($"/proc/{deadPid}"), "the PID was reused at once");
        string dead = $"{InteropTopology.NamePrefix}{deadPid}x1-s";
        string mine = $"{InteropTopology.NamePrefix}{Environment.ProcessId}x999999-k";
        ExternalTool.Run("ip", ["netns", "add", dead]);
        ExternalTool.Run("ip", ["netns", "add", mine]);
        try
        {
            IReadOnlyList<string> deleted = InteropTopology.SweepLeftovers();
            Assert.Contains(dead, deleted);
            Assert.DoesNotContain(mine, deleted);
            string left = ExternalTool.Run("ip", ["netns", "list"]);
            Assert.DoesNotContain(dead, left);
            Assert.Contains(mine, left);
        }
        finally
        {
            foreach (string name in new[] { dead, mine })
            {
                try
                {
                    ExternalTool.Run("ip", ["netns", "del", name]);
                }
                catch (HostCommandException)
                {
                    // Already deleted.
                }
            }
        }
    }

    private static void AssertGone(string baseName)
    {
        string left = ExternalTool.Run("ip", ["netns", "list"]);
        Assert.DoesNotContain(baseName + "-s", left);
        Assert.DoesNotContain(baseName + "-k", left);
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

    /// <summary>
    /// Runs scripts/kernel-captures/mptcp_peer.py: an echo server on K's service address and a
    /// client in S that runs <paramref name="steps"/> (bounded: 30 s); fails the test unless the client succeeds.
    /// </summary>
    private static void RunKernelPeers(InteropTopology topology, int port, params string[] steps) =>
        RunKernelPeers(topology, InteropTopology.ServiceAddress4, port, steps);

    private static void RunKernelPeers(InteropTopology topology, IPAddress service, int port, params string[] steps)
    {
        string python = ExternalTool.Require("python3");
        string peer = Path.Combine(Repository.Root, "scripts", "kernel-captures", "mptcp_peer.py");
        string portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        topology.Kernel.Start(python, peer, "server", "--port", portText);
        WaitForListener(topology.Kernel, port);
        BackgroundProcess client = topology.Stack.Start(python, [peer, "client", "--connect", service.ToString(), "--port", portText, .. steps]);
        int exit = client.WaitForExit(TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"mptcp_peer client exited {exit}: {client.Output}{client.Errors}");
    }
}
