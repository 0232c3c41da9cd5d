using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Linux.PathManager;
using MptcpPrivacy.Linux.Sockets;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Packets;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Linux.PathManager;

/// <summary>
/// The privacy path policy driving Linux's userspace path manager (root): a client namespace whose
/// kernel runs <c>net.mptcp.path_manager=userspace</c> with our daemon, a server namespace with the
/// in-kernel path manager, two veth paths (the interop topology, kernel on both sides), and the
/// verdict read from a capture of the client's interfaces. One class, so the runs do not overlap.
/// </summary>
public class UserspacePathManagerKernelTests
{
    private const int Chunk = 150_000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static int _port = 5600;

    [Fact]
    public void BackupShowsOneSubflowWhileHealthyAndExactlyOneJoinOnPath2WhenPath1Fails()
    {
        Privileges.RequireRoot("the userspace path manager in namespaces");
        DateTimeOffset? failedAt = null;
        Run run = Scenario(PathPolicyMode.Backup, EndpointFlags.Subflow, (topology, daemon, _) =>
        {
            AfterEverythingSoFar(topology, daemon);
            Assert.Equal(0, daemon.Counters.CommandsSent);
            TopologyPath path1 = topology.Path(1);
            failedAt = DateTimeOffset.UtcNow;
            topology.Stack.Ip("address", "del", $"{path1.StackAddress4}/{path1.PrefixLength4}", "dev", path1.StackDevice);
        });

        Assert.Empty(run.AddAddrFromClient);
        Segment join = Assert.Single(run.JoinSyns);
        Assert.Equal(run.Topology.Path(2).StackAddress4, join.Source);
        Assert.Equal(run.Topology.Path(2).InterfaceIndex, join.InterfaceIndex);
        Assert.True(join.TimeNs >= failedAt!.Value.ToUnixTimeMilliseconds() * 1_000_000, "the join went out before path 1 failed");
        Assert.Equal(2 * Chunk, run.ServerReceived);
        Assert.Contains(run.Log, line => line.Contains("MPTCP_EVENT_SUB_CLOSED", StringComparison.Ordinal));
    }

    [Fact]
    public void AggregateAnnouncesTheSecondAddressAndJoinsFromIt()
    {
        Privileges.RequireRoot("the userspace path manager in namespaces");
        Run run = Scenario(PathPolicyMode.Aggregate, EndpointFlags.Signal | EndpointFlags.Subflow, (_, daemon, _) =>
            Assert.True(WaitUntil(() => daemon.Counters.EventsSeen >= 3), $"no SUB_ESTABLISHED: {daemon.Counters}"));

        IPAddress second = run.Topology.Path(2).StackAddress4;
        Assert.True(run.AddAddrFromClient.Contains(second), $"no ADD_ADDR of {second} in the capture; {run.Counters}; daemon log:\n{string.Join("\n", run.Log)}");
        Segment join = Assert.Single(run.JoinSyns);
        Assert.Equal(second, join.Source);
        Assert.Equal(run.Topology.Path(2).InterfaceIndex, join.InterfaceIndex);
        Assert.Equal(2 * Chunk, run.ServerReceived);
    }

    [Fact]
    public void OffKeepsOneSubflowAndAnnouncesNothingAlthoughAnEndpointIsConfigured()
    {
        Privileges.RequireRoot("the userspace path manager in namespaces");
        Run run = Scenario(PathPolicyMode.Off, EndpointFlags.Signal | EndpointFlags.Subflow, (topology, daemon, _) =>
        {
            AfterEverythingSoFar(topology, daemon);
            Assert.Equal(0, daemon.Counters.CommandsSent);
        });

        Assert.Empty(run.JoinSyns);
        Assert.Empty(run.AddAddrFromClient);
        Assert.Single(run.InitialSyns);
        Assert.Equal(2 * Chunk, run.ServerReceived);
        Assert.Contains(run.Log, line => line.Contains("MPTCP_EVENT_ESTABLISHED", StringComparison.Ordinal));
    }

    [Fact]
    public void UnderTheInKernelPathManagerEveryCommandIsRefusedCountedAndTheLoopGoesOn()
    {
        Privileges.RequireRoot("the userspace path manager in namespaces");
        Run run = Scenario(PathPolicyMode.Aggregate, EndpointFlags.Signal | EndpointFlags.Subflow, (topology, daemon, service) =>
        {
            Assert.True(WaitUntil(() => daemon.Counters.CommandsRefused >= 2), daemon.Counters.ToString());

            // A second connection after the refusals: its events are still followed, its commands refused too.
            using Socket second = topology.Stack.Namespace.Run(() => KernelMptcpSocket.Create(AddressFamily.InterNetwork));
            using (var cts = new CancellationTokenSource(Wait))
            {
                second.ConnectAsync(service, cts.Token).AsTask().GetAwaiter().GetResult();
            }

            second.Send([1]);
            Assert.True(WaitUntil(() => daemon.Counters.CommandsRefused >= 4), daemon.Counters.ToString());
        }, userspace: false);

        Assert.Equal(0, run.Counters.CommandsSent);
        Assert.True(run.Counters.RefusalsByErrno.GetValueOrDefault(22) >= 4, run.Counters.ToString());
        Assert.Contains("userspace PM not selected", run.Counters.LastRefusal, StringComparison.Ordinal);
        Assert.Equal(2, run.Log.Count(line => line.Contains("MPTCP_EVENT_ESTABLISHED", StringComparison.Ordinal)));
        Assert.Equal(0, run.Counters.LoopFaults);
        Assert.True(run.StopTime < TimeSpan.FromSeconds(2), $"Dispose took {run.StopTime}");
    }

    /// <summary>
    /// Builds the topology, starts the capture and the daemon, moves one chunk client to server,
    /// calls <paramref name="middle"/>, moves a second chunk, and returns what the capture shows.
    /// </summary>
    private static Run Scenario(PathPolicyMode mode, EndpointFlags flags, Action<InteropTopology, UserspacePathManager, IPEndPoint> middle, bool userspace = true)
    {
        ExternalTool.Require("tcpdump");
        int port = Interlocked.Increment(ref _port);
        using var temp = new TempDirectory();
        string file = temp.File("client.pcap");
        var log = new ConcurrentQueue<string>();
        InteropTopology topology = InteropTopology.Create(new TopologyOptions { Paths = 2, StackSide = StackSide.Kernel });
        try
        {
            TopologyHost client = topology.Stack;
            TopologyHost server = topology.Kernel;
            if (userspace)
            {
                SelectUserspace(client);
            }

            server.PathManager.SetLimits(subflows: 2, addAddrAccepted: 0);
            // Headers only: whole packets made tcpdump drop some under a loaded CI (the lab saw the same).
            PacketCapture capture = client.StartCapture(file, $"tcp port {port}", snapLength: 256);
            var endpoint = new PathEndpoint(0, IpAddressBytes.FromIPAddress(topology.Path(2).StackAddress4), flags);
            UserspacePathManager daemon = UserspacePathManager.Start(client.Name, new PathPolicy { Mode = mode }, [endpoint], log.Enqueue);
            long received;
            var stopwatch = new Stopwatch();
            try
            {
                received = Transfer(topology, port, daemon, middle);
            }
            finally
            {
                stopwatch.Start();
                daemon.Dispose();
                stopwatch.Stop();
                capture.Dispose();
            }

            return Run.From(topology, file, received, daemon.Counters, [.. log], stopwatch.Elapsed);
        }
        finally
        {
            topology.Dispose();
        }
    }

    private static void SelectUserspace(TopologyHost client)
    {
        UserspacePathManager.SelectIn(client.Namespace);
        Assert.Equal("userspace", UserspacePathManager.SelectedPathManager(client.Name));
    }

    /// <summary>Connects, moves two chunks (each acknowledged by the server with one byte), calls <paramref name="middle"/> between them; returns what the server read.</summary>
    private static long Transfer(InteropTopology topology, int port, UserspacePathManager daemon, Action<InteropTopology, UserspacePathManager, IPEndPoint> middle)
    {
        var service = new IPEndPoint(InteropTopology.ServiceAddress4, port);
        using Socket listener = topology.Kernel.Namespace.Run(() =>
        {
            Socket s = KernelMptcpSocket.Create(AddressFamily.InterNetwork);
            s.Bind(service);
            s.Listen(1);
            return s;
        });
        Task<long> serverSide = Task.Run(() =>
        {
            using Socket accepted = listener.Accept();
            accepted.ReceiveTimeout = (int)Wait.TotalMilliseconds;
            long total = 0;
            byte[] buffer = new byte[65536];
            for (int chunk = 0; chunk < 2; chunk++)
            {
                int left = Chunk;
                while (left > 0)
                {
                    int n = accepted.Receive(buffer, 0, Math.Min(left, buffer.Length), SocketFlags.None);
                    if (n == 0)
                    {
                        return total;
                    }

                    left -= n;
                    total += n;
                }

                accepted.Send([1]);
            }

            return total;
        });

        using Socket connection = topology.Stack.Namespace.Run(() => KernelMptcpSocket.Create(AddressFamily.InterNetwork));
        connection.ReceiveTimeout = (int)Wait.TotalMilliseconds;
        connection.SendTimeout = (int)Wait.TotalMilliseconds;
        using (var cts = new CancellationTokenSource(Wait))
        {
            connection.ConnectAsync(service, cts.Token).AsTask().GetAwaiter().GetResult();
        }

        byte[] data = new byte[Chunk];
        new Random(port).NextBytes(data);
        connection.Send(data);
        Assert.Equal(1, connection.Receive(new byte[1]));
        Assert.True(WaitUntil(() => daemon.Counters.EventsSeen >= 2), $"the daemon did not see the connection established: {daemon.Counters}");
        middle(topology, daemon, service);
        connection.Send(data);
        Assert.Equal(1, connection.Receive(new byte[1]));
        connection.Shutdown(SocketShutdown.Both);
        Assert.True(serverSide.Wait(Wait), "the server did not finish");
        return serverSide.Result;
    }

    /// <summary>
    /// Returns once the daemon has acted on every event it has seen so far: it handles events and
    /// address changes on one thread, in order, each with its commands, so once it has seen an
    /// address vanish that we made vanish now, what came before is done (the address, on lo, is no path).
    /// </summary>
    private static void AfterEverythingSoFar(InteropTopology topology, UserspacePathManager daemon)
    {
        long before = daemon.Counters.AddressChanges;
        topology.Stack.Ip("address", "add", "192.0.2.77/32", "dev", "lo");
        topology.Stack.Ip("address", "del", "192.0.2.77/32", "dev", "lo");
        Assert.True(WaitUntil(() => daemon.Counters.AddressChanges > before), $"the daemon did not see the address go: {daemon.Counters}");
    }

    private static bool WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Wait)
        {
            if (condition())
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return condition();
    }

    /// <summary>A TCP segment of the client's capture, reduced to what the verdicts need.</summary>
    private sealed record Segment(long TimeNs, int InterfaceIndex, IPAddress Source, ushort SourcePort, TcpFlags Flags, bool MpCapable, bool MpJoin, IReadOnlyList<(bool Echo, IPAddress Address)> AddAddr)
    {
        public bool IsSyn => (Flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn;
    }

    private sealed record Run(InteropTopology Topology, IReadOnlyList<Segment> Segments, long ServerReceived, UserspacePathManagerCounters Counters, IReadOnlyList<string> Log, TimeSpan StopTime)
    {
        private HashSet<IPAddress> ClientAddresses => [.. Topology.Paths.Select(p => p.StackAddress4)];

        /// <summary>Gets the client's MP_JOIN SYNs, one per subflow (a retransmitted SYN is the same join).</summary>
        public IReadOnlyList<Segment> JoinSyns => [.. Segments.Where(s => s.IsSyn && s.MpJoin && ClientAddresses.Contains(s.Source)).DistinctBy(s => (s.Source, s.SourcePort))];

        /// <summary>Gets the client's MP_CAPABLE SYNs, one per connection.</summary>
        public IReadOnlyList<Segment> InitialSyns => [.. Segments.Where(s => s.IsSyn && s.MpCapable && ClientAddresses.Contains(s.Source)).DistinctBy(s => (s.Source, s.SourcePort))];

        /// <summary>Gets the addresses the client announced (ADD_ADDR with E=0).</summary>
        public IReadOnlyList<IPAddress> AddAddrFromClient => [.. Segments.Where(s => ClientAddresses.Contains(s.Source)).SelectMany(s => s.AddAddr).Where(a => !a.Echo).Select(a => a.Address).Distinct()];

        public static Run From(InteropTopology topology, string file, long received, UserspacePathManagerCounters counters, IReadOnlyList<string> log, TimeSpan stopTime)
        {
            var segments = new List<Segment>();
            using (CaptureReader reader = CaptureReader.Open(file))
            {
                while (reader.TryReadNext(out CapturedFrame frame))
                {
                    if (TcpPacket.TryDecode(frame.LinkType, frame.Data, out TcpPacket packet, out _, out WireError _) == PacketDecodeResult.Tcp)
                    {
                        segments.Add(Reduce(packet, frame.TimestampNanoseconds));
                    }
                }
            }

            Assert.NotEmpty(segments);
            return new Run(topology, segments, received, counters, log, stopTime);
        }

        private static Segment Reduce(in TcpPacket packet, long timeNs)
        {
            bool capable = false;
            bool join = false;
            var addAddr = new List<(bool, IPAddress)>();
            foreach (MptcpOption option in new MptcpOptionReader(packet.Tcp.ReadOptions()))
            {
                capable |= option.Subtype == MptcpSubtype.MpCapable;
                join |= option.Subtype == MptcpSubtype.MpJoin;
                if (option.Subtype == MptcpSubtype.AddAddr)
                {
                    addAddr.Add((option.AddAddr.Echo, option.AddAddr.Address.ToIPAddress()));
                }
            }

            return new Segment(timeNs, packet.Link.InterfaceIndex, new IPAddress(packet.Ip.Source), packet.Tcp.SourcePort, packet.Tcp.Flags, capable, join, addAddr);
        }
    }
}
