using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Linux.Sockets;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;

namespace MptcpPrivacy.Cli.Lab.Netns;

/// <summary>What the kernel run of the lab's mobile user did.</summary>
/// <param name="Complete">Every connection opened and both directions arrived complete and byte-exact.</param>
/// <param name="Capture">The merged pcapng (Wi-Fi, cellular, server link; see <see cref="NetnsCaptureMerge"/>).</param>
/// <param name="BytesDelivered">Bytes read by the applications, both directions, every connection.</param>
/// <param name="LastByteSeconds">Wall time from the first connect to the last byte read.</param>
/// <param name="WallSeconds">Wall time of the whole run, captures and set-up of the path manager included.</param>
/// <param name="Fallbacks">Connections whose client socket was plain TCP after the handshake.</param>
/// <param name="CaptureDrops">Packets the two captures lost (tcpdump's "dropped by kernel"); the cells are exact only at 0.</param>
/// <param name="ServerMib">The server namespace's MPTcpExt counters that moved during the run, with their increase.</param>
/// <param name="ClientMib">The client namespace's MPTcpExt counters that moved during the run.</param>
/// <param name="Problems">What went wrong (a connection that did not complete, an address change that failed), one line each.</param>
internal sealed record NetnsRun(bool Complete, byte[] Capture, long BytesDelivered, double LastByteSeconds, double WallSeconds, int Fallbacks, long CaptureDrops,
    IReadOnlyDictionary<string, long> ServerMib, IReadOnlyDictionary<string, long> ClientMib, IReadOnlyList<string> Problems)
{
    /// <summary>Gets the goodput: <see cref="BytesDelivered"/> × 8 over <see cref="LastByteSeconds"/>, in Mbit/s (0 when nothing arrived).</summary>
    public double GoodputMbps => LastByteSeconds > 0 ? BytesDelivered * 8 / LastByteSeconds / 1e6 : 0;
}

/// <summary>
/// The lab's mobile user on real kernels (<see cref="LabScenario.Passive"/>'s connections, bytes
/// and address changes): kernel MPTCP sockets in the client namespace connect to a kernel MPTCP
/// listener in the server namespace and move the scenario's bytes both ways at once, paced in
/// <see cref="Chunks"/> writes over <see cref="TransferSeconds"/> s so that the address changes,
/// one every <see cref="StepSeconds"/> s on the wall clock, fall inside the transfers. Everything is
/// bounded by <see cref="Limit"/>: what has not finished then is closed and reported incomplete.
/// </summary>
internal static partial class NetnsMobileUser
{
    /// <summary>Seconds between the address changes (the first at one step).</summary>
    public const double StepSeconds = 0.4;

    /// <summary>Seconds over which each direction's bytes are spread.</summary>
    public const double TransferSeconds = 2.0;

    /// <summary>Writes per direction.</summary>
    public const int Chunks = 20;

    /// <summary>
    /// Bytes kept of each captured packet: every IP and TCP header with its options, not the
    /// payload. With whole packets, tcpdump's ring buffer holds few of them and the kernel drops
    /// packets in the bursts that follow an address change (handshakes among them).
    /// </summary>
    public const int SnapLength = 256;

    /// <summary>The longest the transfers may take before they are closed as incomplete.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Runs <paramref name="spec"/>'s connections and address changes in <paramref name="network"/>
    /// with <paramref name="pathManager"/> as the client's path manager, capturing every path and
    /// the server's link, and returns what happened. Failures of the kernel run are results
    /// (<see cref="NetnsRun.Problems"/>); a network that cannot be driven at all throws.
    /// </summary>
    public static NetnsRun Run(NetnsLabNetwork network, ILabPathManager pathManager, ScenarioSpec spec, Action<string>? progress = null)
    {
        var wall = Stopwatch.StartNew();
        var problems = new ConcurrentQueue<string>();
        string directory = Directory.CreateTempSubdirectory("mptcp-lab-netns-").FullName;
        try
        {
            string clientFile = Path.Combine(directory, "client.pcap"), serverFile = Path.Combine(directory, "server.pcap");
            Dictionary<string, long> serverBefore = network.Server.MibTable(), clientBefore = network.Client.MibTable();
            PacketCapture clientCapture = network.Client.StartCapture(clientFile, "tcp", SnapLength);
            PacketCapture serverCapture = network.Server.StartCapture(serverFile, "tcp", SnapLength);
            Transfers transfers;
            using (ILabPathManagerSession session = pathManager.Start(network))
            {
                transfers = RunTransfers(network, session, spec, problems, progress);

                // The last FIN and ACK segments, then what the kernel counted.
                Thread.Sleep(300);
            }

            Dictionary<string, long> serverMib = MibCounters.Delta(serverBefore, network.Server.MibTable());
            Dictionary<string, long> clientMib = MibCounters.Delta(clientBefore, network.Client.MibTable());
            clientCapture.Dispose();
            serverCapture.Dispose();
            long dropped = Dropped(clientCapture.Report) + Dropped(serverCapture.Report);
            if (dropped > 0)
            {
                progress?.Invoke($"lab netns: the captures lost {dropped} packets (tcpdump: dropped by kernel); the cells may understate what an observer saw");
            }
            byte[] capture = NetnsCaptureMerge.Merge(clientFile, serverFile, network.Topology.Paths);
            return new NetnsRun(transfers.Complete && problems.IsEmpty, capture, transfers.Bytes, transfers.LastByteSeconds, wall.Elapsed.TotalSeconds,
                transfers.Fallbacks, dropped, serverMib, clientMib, [.. problems]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Returns the bytes one direction of every connection carries: seeded, so a misplaced byte shows.</summary>
    public static byte[] Payload(int seed, bool upload, long length)
    {
        var bytes = new byte[length];
        new Random(unchecked((seed * 7919) + (upload ? 1 : 2))).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Reads tcpdump's closing report: "N packets dropped by kernel" (0 when it says nothing of it).</summary>
    private static long Dropped(string report)
    {
        Match match = DroppedByKernel().Match(report);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"(\d+) packets? dropped by kernel")]
    private static partial Regex DroppedByKernel();

    /// <summary>What the connections did: all complete and byte-exact, bytes read, the last byte's time, the connections that fell back.</summary>
    private sealed record Transfers(bool Complete, long Bytes, double LastByteSeconds, int Fallbacks);

    /// <summary>One end of one connection: bytes read, whether they were exactly the peer's, when the last arrived.</summary>
    private sealed record Half(long Received, bool Exact, double LastByteSeconds);

    /// <summary>Opens the connections, runs both directions of each and the address changes, and waits for all of it (bounded by <see cref="Limit"/>).</summary>
    private static Transfers RunTransfers(NetnsLabNetwork network, ILabPathManagerSession session, ScenarioSpec spec, ConcurrentQueue<string> problems, Action<string>? progress)
    {
        byte[] up = Payload(spec.Seed, upload: true, spec.ClientToServerBytes);
        byte[] down = Payload(spec.Seed, upload: false, spec.ServerToClientBytes);
        using Socket listener = network.Server.Namespace.Run(() =>
        {
            Socket socket = KernelMptcpSocket.Create(AddressFamily.InterNetwork);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, ScenarioRunner.ServerPort));
            socket.Listen(spec.Connections * 2);
            return socket;
        });

        using var limit = new CancellationTokenSource(Limit);
        var clock = Stopwatch.StartNew();
        int fallbacks = 0;
        Task<Half>[] servers = [.. Enumerable.Range(0, spec.Connections).Select(i => Serve(listener, down, up, clock, i, problems, limit.Token))];
        Task<Half>[] clients = [.. Enumerable.Range(0, spec.Connections).Select(i => Connect(network, up, down, clock, i, () => Interlocked.Increment(ref fallbacks), problems, limit.Token))];
        // Its own thread: the address changes run ip commands, which would otherwise wait for a
        // pool thread behind the transfers and fall late.
        Task mobility = Task.Factory.StartNew(() => Move(network, session, spec, clock, problems, progress, limit.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        Half[] clientHalves = Wait(clients);

        // A server half whose client never connected would wait for its accept until the limit.
        if (!Task.WaitAll(servers, TimeSpan.FromSeconds(3)))
        {
            limit.Cancel();
        }

        Half[] serverHalves = Wait(servers);
        limit.Cancel();
        Wait([mobility.ContinueWith(_ => new Half(0, true, 0), TaskScheduler.Default)]);
        Half[] all = [.. clientHalves, .. serverHalves];
        return new Transfers(all.All(h => h.Exact), all.Sum(h => h.Received), all.Max(h => h.LastByteSeconds), fallbacks);
    }

    /// <summary>Waits for the halves; one that failed counts as incomplete.</summary>
    private static Half[] Wait(Task<Half>[] tasks)
    {
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException)
        {
            // Each half reports its own failure; none throws.
        }

        return [.. tasks.Select(t => t.IsCompletedSuccessfully ? t.Result : new Half(0, false, 0))];
    }

    /// <summary>The client end of connection <paramref name="index"/>: a kernel MPTCP socket in the client namespace.</summary>
    private static async Task<Half> Connect(NetnsLabNetwork network, byte[] up, byte[] down, Stopwatch clock, int index, Action fallback, ConcurrentQueue<string> problems, CancellationToken cancellation)
    {
        try
        {
            using Socket socket = network.Client.Namespace.Run(() => KernelMptcpSocket.Create(AddressFamily.InterNetwork));
            await socket.ConnectAsync(new IPEndPoint(NetnsLabNetwork.ServerAddress, ScenarioRunner.ServerPort), cancellation).ConfigureAwait(false);
            if (!KernelMptcpSocket.IsMptcp(socket))
            {
                fallback();
            }

            return await Exchange(socket, up, down, clock, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            problems.Enqueue($"connection {index + 1} (client): {e.Message}");
            return new Half(0, false, 0);
        }
    }

    /// <summary>The server end of one connection, accepted from the kernel MPTCP listener.</summary>
    private static async Task<Half> Serve(Socket listener, byte[] down, byte[] up, Stopwatch clock, int index, ConcurrentQueue<string> problems, CancellationToken cancellation)
    {
        try
        {
            using Socket socket = await listener.AcceptAsync(cancellation).ConfigureAwait(false);
            return await Exchange(socket, down, up, clock, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            problems.Enqueue($"connection {index + 1} (server): {e.Message}");
            return new Half(0, false, 0);
        }
    }

    /// <summary>Sends <paramref name="send"/> paced while reading until the peer's end, then checks what arrived against <paramref name="expected"/>.</summary>
    private static async Task<Half> Exchange(Socket socket, byte[] send, byte[] expected, Stopwatch clock, CancellationToken cancellation)
    {
        Task sending = Send(socket, send, cancellation);
        var buffer = new byte[64 * 1024];
        long received = 0;
        bool exact = true;
        double last = 0;
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            int compared = (int)Math.Clamp(expected.Length - received, 0, n);
            exact &= compared == n && buffer.AsSpan(0, n).SequenceEqual(expected.AsSpan((int)received, n));
            received += n;
            last = clock.Elapsed.TotalSeconds;
        }

        await sending.ConfigureAwait(false);
        return new Half(received, exact && received == expected.Length, last);
    }

    /// <summary>Writes <paramref name="data"/> in <see cref="Chunks"/> pieces spread over <see cref="TransferSeconds"/>, then ends the direction (DATA_FIN).</summary>
    private static async Task Send(Socket socket, byte[] data, CancellationToken cancellation)
    {
        var paced = Stopwatch.StartNew();
        int chunk = (int)Math.Ceiling(data.Length / (double)Chunks);
        for (int k = 0, offset = 0; offset < data.Length; k++)
        {
            TimeSpan due = TimeSpan.FromSeconds(TransferSeconds * k / Chunks) - paced.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellation).ConfigureAwait(false);
            }

            int end = Math.Min(offset + chunk, data.Length);
            while (offset < end)
            {
                offset += await socket.SendAsync(data.AsMemory(offset, end - offset), SocketFlags.None, cancellation).ConfigureAwait(false);
            }
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Plays the scenario's address changes in order, one every <see cref="StepSeconds"/>; a change that fails is a problem, not an exception.</summary>
    private static void Move(NetnsLabNetwork network, ILabPathManagerSession session, ScenarioSpec spec, Stopwatch clock, ConcurrentQueue<string> problems, Action<string>? progress, CancellationToken cancellation)
    {
        int step = 0;
        foreach (MobilityEvent change in spec.Mobility)
        {
            step++;
            TimeSpan due = TimeSpan.FromSeconds(StepSeconds * step) - clock.Elapsed;
            if (due > TimeSpan.Zero && cancellation.WaitHandle.WaitOne(due))
            {
                problems.Enqueue($"address change {step}: not played, the run hit its limit first");
                return;
            }

            IPAddress address = change.Address.Address.ToIPAddress();
            try
            {
                if (change.Action == MobilityAction.AddAddress)
                {
                    network.AddClientAddress(change.PathNumber, address);
                    session.AddressAdded(change.PathNumber, address);
                }
                else if (change.Action == MobilityAction.RemoveAddress)
                {
                    session.AddressRemoving(change.PathNumber, address);
                    network.RemoveClientAddress(change.PathNumber, address);
                }
                else
                {
                    problems.Enqueue($"address change {step}: {change.Action} is not played on kernels");
                    continue;
                }

                progress?.Invoke($"lab netns: {clock.Elapsed.TotalSeconds:0.00} s: path {change.PathNumber} {(change.Action == MobilityAction.AddAddress ? "gains" : "loses")} {address}");
            }
            catch (Exception e) when (e is Linux.Processes.HostCommandException or InvalidOperationException)
            {
                problems.Enqueue($"address change {step} (path {change.PathNumber}, {address}): {e.Message}");
            }
        }
    }
}
