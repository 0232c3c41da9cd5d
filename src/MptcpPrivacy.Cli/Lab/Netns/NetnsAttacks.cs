using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Linux.Sockets;
using MptcpPrivacy.Linux.Tun;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Scenarios.Attacks;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Link;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Cli.Lab.Netns;

/// <summary>
/// Runs the blog's three join attacks ("Is MPTCP less secure than TCP?") against real Linux kernels
/// in network namespaces, with the simulator's <see cref="JoinAttacker"/> unchanged in logic: a
/// client (kernel MPTCP, Wi-Fi and cellular paths) downloads from a server (kernel MPTCP listener)
/// while the attacker, a node on a TUN device in a namespace of its own, tries to join the
/// connection. Design: <c>docs/design/netns-attacks.md</c>. Needs root.
/// </summary>
/// <remarks>
/// The server's replies to the attacker are counted from a capture of the server's links by the
/// lab's <see cref="LabReplyCounter"/>, as the simulator counts them on the server's link. The
/// on-path attacker sees the Wi-Fi path live (<see cref="LivePacketFeed"/>); the half-on-path one is
/// given the server's real token, which the lab reads from the same live view.
/// </remarks>
internal static class NetnsAttacks
{
    /// <summary>Bytes of the user's download: long enough on the shaped paths for a join to land in it.</summary>
    public const int DownloadBytes = 4 * 1024 * 1024;

    /// <summary>The rate each path is shaped to, in bit/s (both directions).</summary>
    public const long PathRate = 20_000_000;

    private static readonly TimeSpan KeysTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan DownloadTimeout = TimeSpan.FromSeconds(9);
    private static readonly TimeSpan AttackTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);
    private static int _counter;

    /// <summary>
    /// Runs attack <paramref name="kind"/> once against the kernel (everything built and torn down
    /// within; about ten seconds) and reports what it achieved. <paramref name="progress"/> hears one
    /// line per step.
    /// </summary>
    /// <exception cref="Linux.Processes.HostCommandException">The namespaces could not be built (not root, no tcpdump or ethtool).</exception>
    /// <exception cref="InvalidOperationException">The user's connection never started (no MP_CAPABLE seen on the Wi-Fi path).</exception>
    public static LabAttack Run(JoinAttackKind kind, int seed, Action<string>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        void Say(string step) => progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"netns {kind}: {step} ({clock.Elapsed.TotalSeconds:0.0} s)"));

        string captureFile = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"mpatk-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}.pcap"));
        InteropTopology? topology = null;
        AttackerNamespace? attackerNamespace = null;
        PacketCapture? serverCapture = null;
        LivePacketFeed? feed = null;
        TunNodeHost? host = null;
        Socket? listener = null;
        Socket? user = null;
        using var cancel = new CancellationTokenSource();
        Task<bool>? download = null;
        Task? serve = null;
        try
        {
            topology = InteropTopology.Create(new TopologyOptions { Paths = 2, StackSide = StackSide.Kernel, RateBitsPerSecond = PathRate });
            TopologyHost client = topology.Stack;
            TopologyHost server = topology.Kernel;
            TopologyPath wifi = topology.Path(1);
            TopologyPath cellular = topology.Path(2);
            server.SetSysctls("net.mptcp.allow_join_initial_addr_port=1");
            server.PathManager.SetLimits(subflows: 8, addAddrAccepted: 0);
            client.PathManager.SetLimits(subflows: 2, addAddrAccepted: 0);
            client.PathManager.AddEndpoint(cellular.StackAddress4, MptcpEndpointFlags.Subflow, cellular.StackDevice);
            attackerNamespace = AttackerNamespace.Create(server.Name);
            Say("namespaces built");

            IpAddressBytes serviceAddress = IpAddressBytes.FromIPAddress(InteropTopology.ServiceAddress4);
            (IpAddressBytes source, int attempts) = kind switch
            {
                // Spoofs the user's cellular address; the replies go to the user.
                JoinAttackKind.OffPath => (IpAddressBytes.FromIPAddress(cellular.StackAddress4), 50),
                JoinAttackKind.HalfOnPath => (IpAddressBytes.FromIPAddress(AttackerNamespace.FirstNodeAddress), 20),
                _ => (IpAddressBytes.FromIPAddress(AttackerNamespace.SecondNodeAddress), 3),
            };

            // Only the server's SYNs and resets to the attacker's source: a capture of the whole
            // download loses packets in the kernel, and LabReplyCounter counts no others.
            serverCapture = server.StartCapture(captureFile, string.Create(CultureInfo.InvariantCulture,
                $"tcp src port {ScenarioRunner.ServerPort} and dst host {source} and tcp[tcpflags] & (tcp-syn|tcp-rst) != 0"));
            var random = new Random(unchecked((seed * 7919) + 100 + (int)kind));
            JoinAttacker? attacker = null;

            // The on-path attacker watches Wi-Fi from the start and acts on the keys by itself.
            if (kind == JoinAttackKind.OnPathHijack)
            {
                attacker = new JoinAttacker("on-path", kind, source, serviceAddress, ScenarioRunner.ServerPort, random, attempts, startNs: 0);
                host = new TunNodeHost(attackerNamespace.OpenTun(), attacker);
            }

            var keys = new TaskCompletionSource<(ulong KeyA, ulong KeyB)>(TaskCreationOptions.RunContinuationsAsynchronously);
            TunNodeHost? watcher = host;
            feed = LivePacketFeed.Start(client.Name, wifi.StackDevice, (_, packet) =>
            {
                if (!keys.Task.IsCompleted && JoinAttacker.TryReadKeys(packet, out (ulong KeyA, ulong KeyB) seen))
                {
                    keys.TrySetResult(seen);
                }

                if (watcher is not null && attacker is not null)
                {
                    bool learned;
                    lock (watcher.Gate)
                    {
                        bool before = attacker.SeenKeys is not null;
                        attacker.Observe(watcher.NowNanoseconds, packet);
                        learned = !before && attacker.SeenKeys is not null;
                    }

                    if (learned)
                    {
                        watcher.Wake();
                    }
                }
            }, filter: "tcp");
            Say("watching the Wi-Fi path");

            byte[] content = new byte[DownloadBytes];
            new Random(seed).NextBytes(content);
            listener = server.Namespace.Run(() =>
            {
                Socket socket = KernelMptcpSocket.Create(AddressFamily.InterNetwork);
                socket.Bind(new IPEndPoint(InteropTopology.ServiceAddress4, ScenarioRunner.ServerPort));
                socket.Listen();
                return socket;
            });
            user = client.Namespace.Run(() => KernelMptcpSocket.Create(AddressFamily.InterNetwork));
            user.Bind(new IPEndPoint(wifi.StackAddress4, 0));
            cancel.CancelAfter(DownloadTimeout);
            serve = ServeAsync(listener, content, cancel.Token);
            var received = new StrongBox<long>();
            download = DownloadAsync(user, content, received, cancel.Token);

            if (!keys.Task.Wait(KeysTimeout))
            {
                throw new InvalidOperationException($"no MP_CAPABLE with both keys seen on the Wi-Fi path ({wifi.StackDevice} in {client.Name}) within {KeysTimeout.TotalSeconds:0} s; the feed {(feed.Failure is { } fault ? "failed: " + fault.Message : "read " + feed.Packets + " packets")}; tcpdump said: {feed.Report.Trim()}");
            }

            (ulong keyA, ulong keyB) = keys.Task.Result;
            Say(string.Create(CultureInfo.InvariantCulture, $"connection up, server token {MptcpKeys.Token(keyB, MptcpVersion.V1):x8}"));
            if (attacker is null)
            {
                // Off-path: guesses tokens. Half-on-path: the worst case, the server's real token (RFC 8684 §3.1: of its key).
                attacker = kind == JoinAttackKind.HalfOnPath
                    ? new JoinAttacker("half-on-path", kind, source, serviceAddress, ScenarioRunner.ServerPort, random, attempts, startNs: 0, realToken: MptcpKeys.Token(keyB, MptcpVersion.V1))
                    : new JoinAttacker("off-path", kind, source, serviceAddress, ScenarioRunner.ServerPort, random, attempts, startNs: 0);
                host = new TunNodeHost(attackerNamespace.OpenTun(), attacker);
            }

            bool complete = WaitForDownload(download);
            WaitForAttack(host!, attacker, attempts);
            Say(string.Create(CultureInfo.InvariantCulture, $"download {(complete ? "complete" : "incomplete")}: the user read {Interlocked.Read(ref received.Value)} of {DownloadBytes} bytes"));
            Thread.Sleep(Settle);
            Dictionary<string, long> mib = server.MibTable();
            Say(string.Create(CultureInfo.InvariantCulture,
                $"attacker wrote {host!.PacketsSent} packets ({host.SendDropped} dropped), read {host.PacketsReceived}; server MPJoinSynRx {mib.GetValueOrDefault("MPJoinSynRx")}, MPJoinNoTokenFound {mib.GetValueOrDefault("MPJoinNoTokenFound")}, MPJoinAckRx {mib.GetValueOrDefault("MPJoinAckRx")}, MPJoinAckHMacFailure {mib.GetValueOrDefault("MPJoinAckHMacFailure")}"));

            host!.Dispose();
            if (host.Failure is { } failure)
            {
                throw new InvalidOperationException($"the attacker's TUN host stopped: {failure.Message}", failure);
            }

            serverCapture.Dispose();
            var counter = new LabReplyCounter(source, attacker);
            CountReplies(captureFile, counter);
            Say($"replies counted; attacker saw {attacker.SynAcksReceived} SYN/ACKs, {attacker.ResetsReceived} resets; tcpdump: {serverCapture.Report.Replace('\n', ' ').Trim()}");
            lock (host.Gate)
            {
                return new LabAttack(kind, attacker.SynsSent, counter.SynAcks, counter.Resets, attacker.JoinsAccepted, attacker.BytesReceived, attacker.SeenKeys is not null, complete);
            }
        }
        finally
        {
            cancel.Cancel();
            user?.Dispose();
            listener?.Dispose();
            WaitQuietly(download);
            WaitQuietly(serve);
            feed?.Dispose();
            host?.Dispose();
            serverCapture?.Dispose();
            attackerNamespace?.Dispose();
            topology?.Dispose();
            File.Delete(captureFile);
        }
    }

    /// <summary>Accepts the user's connection and sends it <paramref name="content"/>, then its end (a DATA_FIN).</summary>
    private static async Task ServeAsync(Socket listener, byte[] content, CancellationToken cancellationToken)
    {
        using Socket connection = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
        await connection.SendAsync(content, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        connection.Shutdown(SocketShutdown.Send);

        // Held open until the user closes, so the connection lives as long as the download.
        byte[] rest = new byte[256];
        while (await connection.ReceiveAsync(rest, SocketFlags.None, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    /// <summary>
    /// Connects the user over Wi-Fi and reads the download to its end, counting in
    /// <paramref name="progress"/> the bytes read so far; true when it arrived whole and byte-exact.
    /// </summary>
    private static async Task<bool> DownloadAsync(Socket user, byte[] content, StrongBox<long> progress, CancellationToken cancellationToken)
    {
        await user.ConnectAsync(new IPEndPoint(InteropTopology.ServiceAddress4, ScenarioRunner.ServerPort), cancellationToken).ConfigureAwait(false);
        byte[] buffer = new byte[64 * 1024];
        long received = 0;
        bool exact = true;
        while (true)
        {
            int n = await user.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            exact &= received + n <= content.Length && buffer.AsSpan(0, n).SequenceEqual(content.AsSpan((int)received, n));
            received += n;
            Interlocked.Exchange(ref progress.Value, received);
        }

        user.Shutdown(SocketShutdown.Send);
        return exact && received == content.Length;
    }

    /// <summary>Waits (bounded by the download's own cancellation) for the download; false when it failed or was cut.</summary>
    private static bool WaitForDownload(Task<bool> download)
    {
        try
        {
            return download.Wait(DownloadTimeout + TimeSpan.FromSeconds(1)) && download.Result;
        }
        catch (AggregateException)
        {
            return false;
        }
    }

    /// <summary>Waits, at most <see cref="AttackTimeout"/>, until the attacker has sent all its joins.</summary>
    private static void WaitForAttack(TunNodeHost host, JoinAttacker attacker, int attempts)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < AttackTimeout)
        {
            lock (host.Gate)
            {
                if (attacker.SynsSent >= attempts)
                {
                    return;
                }
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Feeds every IP packet of the server's capture to the lab's reply counter.</summary>
    private static void CountReplies(string captureFile, LabReplyCounter counter)
    {
        using CaptureReader reader = CaptureReader.Open(captureFile);
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (LinkFrame.TryParse(frame.LinkType, frame.Data, out LinkFrame link, out _)
                && link.NetworkProtocol is NetworkProtocol.Ipv4 or NetworkProtocol.Ipv6)
            {
                counter.Observe(link.Payload);
            }
        }

        if (reader.Error is { } error)
        {
            throw new InvalidDataException($"the server's capture {captureFile} is damaged: {error}");
        }
    }

    private static void WaitQuietly(Task? task)
    {
        try
        {
            task?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // Cancelled or failed: the outcome was read already, or the run is failing anyway.
        }
    }
}
