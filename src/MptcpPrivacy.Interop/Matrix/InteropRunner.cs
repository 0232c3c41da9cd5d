using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MptcpPrivacy.Interop.Transfer;
using MptcpPrivacy.Interop.Verification;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Linux.Native;
using MptcpPrivacy.Linux.Processes;
using MptcpPrivacy.Linux.Sockets;
using MptcpPrivacy.Linux.Tun;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Stack.Api;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Interop.Matrix;

/// <summary>Where an interop run keeps its captures and how long it may take.</summary>
public sealed record InteropRunOptions
{
    /// <summary>Gets the directory the captures go to (one pcap per run); null keeps them in a temporary directory deleted afterwards.</summary>
    public string? CaptureDirectory { get; init; }

    /// <summary>Gets the longest a transfer may take before the run fails.</summary>
    public TimeSpan TransferTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the longest the client waits for its joins before it sends.</summary>
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets whether the stack host's namespace is captured too (its TUN device and paths: every packet twice), beside the kernel host's.</summary>
    public bool CaptureStackHost { get; init; }

    /// <summary>Gets tshark's path, or null to skip the grouping check (reported as such).</summary>
    public string? Tshark { get; init; } = HostCommand.Find("tshark");
}

/// <summary>
/// Runs one <see cref="InteropCase"/> in one <see cref="InteropDirection"/>: builds the namespace
/// topology (our stack on a TUN device in one namespace, the kernel's MPTCP in the other), configures
/// both path managers, captures on the kernel host, transfers, applies the midway event, then checks
/// the SHA-256 at both ends, MPTCP or fallback, the subflows, the kernel's own MPTCP counters and the
/// audit's grouping of the capture against tshark's. Needs root.
/// </summary>
public static class InteropRunner
{
    private const ushort ServerPort = 5201;

    // How long a required profile's refusal may take, and how long the refused end is then watched
    // for a connection anyway: past the kernel's first SYN/ACK retransmission (1 s), which our
    // client's reset may answer rather than the first SYN/ACK.
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RefusalWatch = TimeSpan.FromMilliseconds(1500);

    /// <summary>Runs the case and returns its outcome; never throws for a failing case.</summary>
    public static InteropOutcome Run(InteropCase @case, InteropDirection direction, InteropRunOptions options)
    {
        var outcome = new InteropOutcome(@case, direction);
        var clock = Stopwatch.StartNew();
        string captureDirectory = options.CaptureDirectory ?? Directory.CreateTempSubdirectory("mptcp-interop-").FullName;
        try
        {
            Directory.CreateDirectory(captureDirectory);
            using var run = new CaseRun(@case, direction, options, outcome, Path.Combine(captureDirectory, $"{@case.Name}-{(direction == InteropDirection.OursToKernel ? "ours-kernel" : "kernel-ours")}.pcap"));

            // A watchdog over the whole run: whatever blocks, the run ends and its namespaces go.
            Task execution = Task.Factory.StartNew(run.Execute, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            TimeSpan limit = options.TransferTimeout + options.JoinTimeout + TimeSpan.FromSeconds(60);
            if (!execution.Wait(limit))
            {
                outcome.Error = $"the run did not finish within {limit.TotalSeconds:0} s";
                _ = execution.ContinueWith(t => t.Exception, TaskScheduler.Default);
            }
            else
            {
                execution.GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            outcome.Error = $"{e.GetType().Name}: {e.Message}";
            if (Environment.GetEnvironmentVariable("MPTCP_INTEROP_TRACE") is not null)
            {
                Console.Error.WriteLine(e);
            }
        }
        finally
        {
            outcome.Seconds = clock.Elapsed.TotalSeconds;
            if (options.CaptureDirectory is null)
            {
                Directory.Delete(captureDirectory, recursive: true);
                outcome.Capture = null;
            }
        }

        return outcome;
    }

    /// <summary>One run's resources, all released on dispose whatever happened.</summary>
    private sealed class CaseRun(InteropCase c, InteropDirection direction, InteropRunOptions options, InteropOutcome outcome, string capturePath) : IDisposable
    {
        private readonly bool _v6 = c.Family == AddressFamily.InterNetworkV6;
        private InteropTopology? _topology;
        private PacketCapture? _capture;
        private PacketCapture? _stackCapture;
        private TunStackHost? _host;
        private Socket? _kernelSocket;
        private Socket? _kernelListener;
        private MptcpConnection? _ours;
        private int _peakOurs;
        private int _peakKernel;
        private bool _kernelWasMptcp;
        private bool _kernelAccepted;
        private SocketError? _kernelConnectError;

        private InteropTopology Topology => _topology!;

        private TunStackHost Host => _host!;

        public void Execute()
        {
            _topology = InteropTopology.Create(new TopologyOptions
            {
                Paths = c.Paths,
                StackSide = StackSide.Tun,
                OptionStrip = c.Strip switch
                {
                    InteropStrip.All => OptionStrip.All,
                    InteropStrip.Joins => OptionStrip.JoinsOnly,
                    _ => OptionStrip.None,
                },
            });
            TopologyHost kernel = Topology.Kernel;
            kernel.PathManager.SetChecksums(c.Checksums);
            kernel.PathManager.SetLimits(subflows: 8, addAddrAccepted: 8);
            Dictionary<string, long> countersBefore = kernel.MibTable();
            _capture = kernel.StartCapture(capturePath);
            _stackCapture = options.CaptureStackHost ? Topology.Stack.StartCapture(Path.ChangeExtension(capturePath, ".stack.pcap")) : null;

            var endpoint = new MptcpEndpoint(new MptcpOptions
            {
                RequireChecksums = c.Checksums,
                Privacy = c.OurPrivacy,
                PathManagerLimits = new PathManagerLimits(subflows: 8, addAddrAccepted: 8),
            }, new Random());
            TunDevice device = Topology.Stack.Namespace.Run(() => TunDevice.Open(Topology.TunName!));
            _host = new TunStackHost(device, endpoint);

            using var timeout = new CancellationTokenSource(options.TransferTimeout);
            (TransferTally client, TransferTally server) = direction == InteropDirection.OursToKernel
                ? RunOursToKernel(timeout.Token)
                : RunKernelToOurs(timeout.Token);

            _capture.Dispose();
            _capture = null;
            outcome.Capture = capturePath;
            foreach ((string name, long value) in MibCounters.Delta(countersBefore, kernel.MibTable()))
            {
                // Named as nstat names them (the table, then the counter).
                outcome.KernelCounters["MPTcpExt" + name] = value;
            }

            Check(client, server);
        }

        private IPAddress KernelAddress(int path) => _v6 ? Topology.Path(path).KernelAddress6 : Topology.Path(path).KernelAddress4;

        private IPAddress StackAddress(int path) => _v6 ? Topology.Path(path).StackAddress6 : Topology.Path(path).StackAddress4;

        private (TransferTally Client, TransferTally Server) RunOursToKernel(CancellationToken cancellation)
        {
            TopologyHost kernel = Topology.Kernel;
            foreach (int path in c.ServerAnnounces)
            {
                kernel.PathManager.AddEndpoint(KernelAddress(path), MptcpEndpointFlags.Signal, Topology.Path(path).KernelDevice, c.AnnouncedPort);
            }

            _kernelListener = kernel.Namespace.Run(() => KernelMptcpSocket.Create(c.Family));
            _kernelListener.Bind(new IPEndPoint(_v6 ? IPAddress.IPv6Any : IPAddress.Any, ServerPort));
            _kernelListener.Listen(4);
            for (int path = 1; path <= c.Paths; path++)
            {
                Host.AddAddress(IpAddressBytes.FromIPAddress(StackAddress(path)), path == 1 ? EndpointFlags.None : c.ClientJoinsFrom.Contains(path) ? EndpointFlags.Subflow : null);
            }

            IPAddress service = _v6 ? InteropTopology.ServiceAddress6 : InteropTopology.ServiceAddress4;
            _ours = Host.Connect(IpAddressBytes.FromIPAddress(StackAddress(1)), IpAddressBytes.FromIPAddress(service), ServerPort);

            if (c.Expectation == InteropExpectation.Refusal)
            {
                return RefusedByOurClient();
            }

            Task<TransferTally> server = Task.Run(async () =>
            {
                _kernelSocket = await _kernelListener.AcceptAsync(cancellation).ConfigureAwait(false);
                await using var stream = new NetworkStream(_kernelSocket, ownsSocket: false);
                await WaitForSubflowsAsync(ours: false, cancellation).ConfigureAwait(false);
                return await KernelTransfer(c.ServerBytes, c.Midway == InteropMidway.ServerAborts).RunAsync(stream, () => _kernelSocket.Shutdown(SocketShutdown.Send), cancellation).ConfigureAwait(false);
            }, cancellation);

            Task<TransferTally> client = Task.Run(async () =>
            {
                await using var stream = new MptcpStream(_ours, Host);
                await WaitForSubflowsAsync(ours: true, cancellation).ConfigureAwait(false);
                return await OurTransfer(stream, c.ClientBytes, client: true).RunAsync(stream, () => CloseOurs(), cancellation).ConfigureAwait(false);
            }, cancellation);

            return (Wait(client, "our client"), Wait(server, "the kernel's server"));
        }

        private (TransferTally Client, TransferTally Server) RunKernelToOurs(CancellationToken cancellation)
        {
            TopologyHost kernel = Topology.Kernel;
            foreach (int path in c.ClientJoinsFrom)
            {
                kernel.PathManager.AddEndpoint(KernelAddress(path), MptcpEndpointFlags.Subflow, Topology.Path(path).KernelDevice);
            }

            // The kernel connects to our service address (reachable over every path, as its own is),
            // so a join's replies leave by the path the join came in on.
            Host.AddAddress(IpAddressBytes.FromIPAddress(_v6 ? InteropTopology.StackServiceAddress6 : InteropTopology.StackServiceAddress4), EndpointFlags.None);
            for (int path = 1; path <= c.Paths; path++)
            {
                if (c.ServerAnnounces.Contains(path))
                {
                    lock (Host.Gate)
                    {
                        Host.Endpoint.AddEndpoint(IpAddressBytes.FromIPAddress(StackAddress(path)), EndpointFlags.Signal, c.AnnouncedPort, Host.Now);
                    }

                    Host.AddAddress(IpAddressBytes.FromIPAddress(StackAddress(path)), null);
                }
                else
                {
                    Host.AddAddress(IpAddressBytes.FromIPAddress(StackAddress(path)), EndpointFlags.None);
                }
            }

            lock (Host.Gate)
            {
                Host.Listen(ServerPort);
                if (c.AnnouncedPort is { } port)
                {
                    Host.Listen(port);
                }
            }

            if (c.Expectation == InteropExpectation.Refusal)
            {
                return RefusedByOurServer();
            }

            Task<TransferTally> server = Task.Run(async () =>
            {
                _ours = await Host.AcceptAsync(cancellation).ConfigureAwait(false);
                await using var stream = new MptcpStream(_ours, Host);
                await WaitForSubflowsAsync(ours: true, cancellation).ConfigureAwait(false);
                return await OurTransfer(stream, c.ServerBytes, client: false).RunAsync(stream, () => CloseOurs(), cancellation).ConfigureAwait(false);
            }, cancellation);

            _kernelSocket = kernel.Namespace.Run(() => KernelMptcpSocket.Create(c.Family));
            Task<TransferTally> client = Task.Run(async () =>
            {
                await _kernelSocket.ConnectAsync(new IPEndPoint(_v6 ? InteropTopology.StackServiceAddress6 : InteropTopology.StackServiceAddress4, ServerPort), cancellation).ConfigureAwait(false);
                await using var stream = new NetworkStream(_kernelSocket, ownsSocket: false);
                await WaitForSubflowsAsync(ours: false, cancellation).ConfigureAwait(false);
                return await KernelTransfer(c.ClientBytes, c.Midway == InteropMidway.ClientAborts).RunAsync(stream, () => _kernelSocket.Shutdown(SocketShutdown.Send), cancellation).ConfigureAwait(false);
            }, cancellation);

            return (Wait(client, "the kernel's client"), Wait(server, "our server"));
        }

        /// <summary>Our client requires the profile: it must reset after the kernel's SYN/ACK, and the kernel must accept nothing.</summary>
        private (TransferTally Client, TransferTally Server) RefusedByOurClient()
        {
            var deadline = Stopwatch.StartNew();
            while (!OurConnectionClosed() && deadline.Elapsed < RefusalTimeout)
            {
                Thread.Sleep(10);
            }

            bool closed = OurConnectionClosed();

            // A connection the kernel completed would wait in its accept queue: look for one a while.
            _kernelAccepted = _kernelListener!.Poll(RefusalWatch, SelectMode.SelectRead);
            if (_kernelAccepted)
            {
                _kernelSocket = _kernelListener.Accept();
                NoteKernelSubflows();
            }

            return (Untransferred(closed, closed ? null : $"our client was still open after {RefusalTimeout.TotalSeconds:0} s"),
                Untransferred(false, _kernelAccepted ? "the kernel accepted a connection" : null));
        }

        /// <summary>Our server requires the profile: the kernel's SYN must be answered with a reset, and nothing accepted.</summary>
        private (TransferTally Client, TransferTally Server) RefusedByOurServer()
        {
            _kernelSocket = Topology.Kernel.Namespace.Run(() => KernelMptcpSocket.Create(c.Family));
            using (var connectLimit = new CancellationTokenSource(RefusalTimeout))
            {
                try
                {
                    _kernelSocket.ConnectAsync(new IPEndPoint(_v6 ? InteropTopology.StackServiceAddress6 : InteropTopology.StackServiceAddress4, ServerPort), connectLimit.Token).AsTask().GetAwaiter().GetResult();
                    NoteKernelSubflows();
                }
                catch (SocketException e)
                {
                    _kernelConnectError = e.SocketErrorCode;
                }
                catch (OperationCanceledException)
                {
                    _kernelConnectError = SocketError.TimedOut;
                }
            }

            using (var acceptLimit = new CancellationTokenSource(RefusalWatch))
            {
                try
                {
                    _ours = Host.AcceptAsync(acceptLimit.Token).GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    // Nothing accepted: as it should be.
                }
            }

            return (Untransferred(_kernelConnectError is not null, _kernelConnectError is { } error ? $"the kernel's connect failed: {error}" : null),
                Untransferred(false, _ours is null ? null : "our server accepted a connection"));
        }

        private static TransferTally Untransferred(bool reset, string? error) => new(0, "", 0, "", reset, error);

        private static TransferTally Wait(Task<TransferTally> transfer, string who)
        {
            try
            {
                return transfer.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return new TransferTally(0, "", 0, "", false, $"{who} timed out");
            }
            catch (Exception e) when (e is SocketException or IOException or InvalidOperationException or LibcException)
            {
                return new TransferTally(0, "", 0, "", true, $"{who}: {e.Message}");
            }
        }

        private void CloseOurs()
        {
            lock (Host.Gate)
            {
                _ours!.Close();
            }

            Host.Wake();
        }

        /// <summary>The kernel's end of the transfer; when <paramref name="aborts"/>, it closes abortively (MP_FASTCLOSE) halfway.</summary>
        private DuplexTransfer KernelTransfer(long bytes, bool aborts) => new()
        {
            BytesToSend = bytes,
            Seed = 2,
            StopAfterHalfway = aborts,
            Halfway = async () =>
            {
                NoteKernelSubflows();
                if (aborts)
                {
                    KernelMptcpSocket.SetAbortiveClose(_kernelSocket!);
                    _kernelSocket!.Close();
                }
                else if (IsClient(ours: false))
                {
                    await ClientMidwayAsync().ConfigureAwait(false);
                }
            },
        };

        private DuplexTransfer OurTransfer(MptcpStream stream, long bytes, bool client) => new()
        {
            BytesToSend = bytes,
            Seed = 3,
            StopAfterHalfway = client ? c.Midway == InteropMidway.ClientAborts : c.Midway == InteropMidway.ServerAborts,
            Halfway = async () =>
            {
                NoteOurSubflows();
                bool aborts = client ? c.Midway == InteropMidway.ClientAborts : c.Midway == InteropMidway.ServerAborts;
                if (aborts)
                {
                    lock (Host.Gate)
                    {
                        stream.Abort(Host.Now);
                    }

                    Host.Wake();
                }
                else if (client)
                {
                    await ClientMidwayAsync().ConfigureAwait(false);
                }
            },
        };

        private bool IsClient(bool ours) => ours == (direction == InteropDirection.OursToKernel);

        /// <summary>The client's midway event: a path down, an address withdrawn, a path made backup.</summary>
        private Task ClientMidwayAsync()
        {
            bool oursIsClient = direction == InteropDirection.OursToKernel;
            switch (c.Midway)
            {
                case InteropMidway.FirstPathDown:
                    Topology.SetPathDown(1);
                    break;
                case InteropMidway.ClientRemovesAddress when oursIsClient:
                    lock (Host.Gate)
                    {
                        Host.Endpoint.RemoveEndpoint(IpAddressBytes.FromIPAddress(StackAddress(2)), Host.Now);
                    }

                    Host.Wake();
                    break;
                case InteropMidway.ClientRemovesAddress:
                    Topology.Kernel.PathManager.DeleteEndpoint(Topology.Kernel.PathManager.FindEndpoint(KernelAddress(2)) ?? throw new InvalidOperationException("the kernel's second endpoint is gone"));
                    break;
                case InteropMidway.ClientSetsBackup when oursIsClient:
                    lock (Host.Gate)
                    {
                        Host.Endpoint.SetEndpointBackup(IpAddressBytes.FromIPAddress(StackAddress(2)), true, Host.Now);
                    }

                    Host.Wake();
                    break;
                case InteropMidway.ClientSetsBackup:
                    Topology.Kernel.PathManager.SetBackup(Topology.Kernel.PathManager.FindEndpoint(KernelAddress(2)) ?? throw new InvalidOperationException("the kernel's second endpoint is gone"), true);
                    break;
            }

            return Task.CompletedTask;
        }

        /// <summary>Waits (bounded) until the client has the case's subflows, so the data sees every path.</summary>
        private async Task WaitForSubflowsAsync(bool ours, CancellationToken cancellation)
        {
            if (c.Strip != InteropStrip.None)
            {
                return;
            }

            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < options.JoinTimeout)
            {
                int established = ours ? NoteOurSubflows() : NoteKernelSubflows();
                if (established >= c.ExpectedSubflows || (ours ? OurConnectionClosed() : _kernelSocket is null || _kernelSocket.SafeHandle.IsClosed))
                {
                    return;
                }

                await Task.Delay(10, cancellation).ConfigureAwait(false);
            }
        }

        private int NoteOurSubflows()
        {
            lock (Host.Gate)
            {
                // From the events, so a subflow that came and went between two looks still counts.
                int established = 0;
                foreach (MptcpEvent e in _ours?.Events ?? [])
                {
                    established += e.Kind switch
                    {
                        MptcpEventKind.SubflowEstablished => 1,
                        MptcpEventKind.SubflowClosed => -1,
                        _ => 0,
                    };
                    _peakOurs = Math.Max(_peakOurs, established);
                }

                return established;
            }
        }

        private bool OurConnectionClosed()
        {
            lock (Host.Gate)
            {
                return _ours is { State: MptcpConnectionState.Closed };
            }
        }

        private int NoteKernelSubflows()
        {
            if (_kernelSocket is null || _kernelSocket.SafeHandle.IsClosed)
            {
                return 0;
            }

            try
            {
                bool mptcp = KernelMptcpSocket.IsMptcp(_kernelSocket);
                _kernelWasMptcp |= mptcp;
                int subflows = mptcp ? KernelMptcpSocket.Subflows(_kernelSocket) + 1 : 1;
                _peakKernel = Math.Max(_peakKernel, subflows);
                return subflows;
            }
            catch (LibcException)
            {
                return 0;
            }
        }

        private void Check(TransferTally client, TransferTally server)
        {
            bool oursIsClient = direction == InteropDirection.OursToKernel;
            lock (Host.Gate)
            {
                foreach (MptcpEvent e in _ours?.Events ?? [])
                {
                    outcome.OurEvents.Add($"{e.Time.TotalSeconds:0.000} {e.Kind} {e.Subflow} {e.Detail} {e.ResetReason}".TrimEnd());
                }
            }

            if (Host.Failure is { } failure)
            {
                outcome.Check("our TUN host kept running", false, failure.ToString());
            }

            outcome.Client = Side(client, ours: oursIsClient);
            outcome.Server = Side(server, ours: !oursIsClient);

            IReadOnlyList<CapturedSegment> segments = c.OffersProfile ? HandshakeCapture.Read(capturePath) : [];
            if (c.Expectation == InteropExpectation.Refusal)
            {
                CheckRefusal(oursIsClient, segments);
            }
            else if (c.ExpectComplete)
            {
                outcome.Check("upload", client.Error is null && server.Error is null && client.BytesSent == c.ClientBytes && client.Sha256Sent == server.Sha256Received,
                    $"client sent {client.BytesSent} B (SHA-256 {Short(client.Sha256Sent)}), server received {server.BytesReceived} B ({Short(server.Sha256Received)}){Errors(client, server)}");
                outcome.Check("download", server.BytesSent == c.ServerBytes && server.Sha256Sent == client.Sha256Received,
                    $"server sent {server.BytesSent} B ({Short(server.Sha256Sent)}), client received {client.BytesReceived} B ({Short(client.Sha256Received)})");
            }
            else
            {
                bool clientAborts = c.Midway == InteropMidway.ClientAborts;
                TransferTally victim = clientAborts ? server : client;
                outcome.Check("abort seen", victim.Reset || victim.Error is not null || victim.BytesReceived < (clientAborts ? c.ClientBytes : c.ServerBytes),
                    $"the {(clientAborts ? "server" : "client")} {(victim.Reset ? "saw a reset" : "saw no reset")} after {victim.BytesReceived} B");
                bool kernelReceives = clientAborts == oursIsClient;
                if (kernelReceives)
                {
                    CheckCounter("MPTcpExtMPFastcloseRx", 1);
                    CheckCounter("MPTcpExtMPRstRx", 1);
                }
                else
                {
                    CheckCounter("MPTcpExtMPFastcloseTx", 1);
                    CheckCounter("MPTcpExtMPRstTx", 1);
                    lock (Host.Gate)
                    {
                        MptcpEvent[] resets = _ours!.Events.Where(e => e.ResetReason is not null).ToArray();
                        outcome.Check("our stack decoded the kernel's MP_TCPRST", resets.Length > 0,
                            resets.Length > 0 ? string.Join(", ", resets.Select(e => e.ResetReason!.Value.ToString()).Distinct()) : "no reset reason recorded");
                    }
                }
            }

            if (c.Expectation != InteropExpectation.Refusal)
            {
                CheckConnection(oursIsClient);
            }

            if (c.OffersProfile)
            {
                CheckProfileOffer(oursIsClient, segments);
            }

            if (options.Tshark is { } tshark)
            {
                string? mismatch = TsharkGrouping.Compare(tshark, [capturePath], out int subflows);
                outcome.Check("audit grouping = tshark's", mismatch is null && (subflows > 0 || c.ExpectFallback), mismatch ?? $"{subflows} MPTCP subflows grouped alike");
            }
        }

        /// <summary>What every connection that came up is judged on: MPTCP or fallback, its subflows, the kernel's counters of the case.</summary>
        private void CheckConnection(bool oursIsClient)
        {
            outcome.Check("mptcp", outcome.Client!.Mptcp == !c.ExpectFallback && outcome.Server!.Mptcp == !c.ExpectFallback,
                $"client {(outcome.Client.Mptcp ? "MPTCP" : "plain TCP")}, server {(outcome.Server!.Mptcp ? "MPTCP" : "plain TCP")}, expected {(c.ExpectFallback ? "fallback" : "MPTCP")}");
            if (!c.ExpectFallback)
            {
                NoteOurSubflows();

                // The kernel's count is polled: a subflow that a case removes or aborts may come and
                // go between two looks, so there its joins are judged by its counters (checked below).
                bool kernelPolledReliably = c.Midway is InteropMidway.None or InteropMidway.ClientSetsBackup;
                bool kernelPeakOk = !kernelPolledReliably || _peakKernel >= c.ExpectedSubflows;
                outcome.Check("subflows", _peakOurs >= c.ExpectedSubflows && kernelPeakOk && (c.Strip != InteropStrip.Joins || _peakOurs == 1),
                    $"ours saw {_peakOurs} established at most, the kernel {_peakKernel}; expected {c.ExpectedSubflows}");
            }

            CheckCaseCounters(oursIsClient);
        }

        /// <summary>
        /// An offered profile against the kernel (docs/design/privacy-profile.md §1): the offer is in
        /// our SYN only, the kernel's handshake carries MP_CAPABLE and no kind 253/254, and, unless the
        /// profile is required, the connection runs standard MPTCP with the kernel's MP_CAPABLE accepted.
        /// </summary>
        private void CheckProfileOffer(bool oursIsClient, IReadOnlyList<CapturedSegment> segments)
        {
            CapturedSegment[] syns = segments.Where(s => s.IsSyn && s.IsInitialHandshake).ToArray();
            CapturedSegment[] synAcks = segments.Where(s => s.IsSynAck && s.IsInitialHandshake).ToArray();
            if (oursIsClient)
            {
                outcome.Check("our SYN offers the profile", syns.Length > 0 && syns.All(s => !s.SentByKernel && s.MpCapable && s.ProfileOffer is { } o && ((o.Flags & ProfileOfferFlags.Required) != 0) == c.OurPrivacy.Required), Describe(syns));
                outcome.Check("the kernel's SYN/ACK: MP_CAPABLE, no kind 253/254", synAcks.Length > 0 && synAcks.All(s => s.SentByKernel && s.MpCapable && s.Experimental == 0), Describe(synAcks));
            }
            else
            {
                outcome.Check("the kernel's SYN: MP_CAPABLE, no kind 253/254", syns.Length > 0 && syns.All(s => s.SentByKernel && s.MpCapable && s.Experimental == 0), Describe(syns));
                if (c.Expectation != InteropExpectation.Refusal)
                {
                    // As a server our stack offers back only to a client that offered: nothing extra here.
                    outcome.Check("our SYN/ACK: MP_CAPABLE, no kind 253/254", synAcks.Length > 0 && synAcks.All(s => !s.SentByKernel && s.MpCapable && s.Experimental == 0), Describe(synAcks));
                }
            }

            // Our SYN is the only place for the offer; a key share or confirmation later would mean the profile ran.
            CapturedSegment[] stray = segments.Where(s => s.Experimental > 0 && !(s.IsSyn && s.IsInitialHandshake && !s.SentByKernel)).ToArray();
            outcome.Check("no kind 253/254 beyond our SYN", stray.Length == 0, stray.Length == 0 ? $"{segments.Count} segments looked at" : Describe(stray));
            if (c.Expectation == InteropExpectation.Refusal)
            {
                return;
            }

            lock (Host.Gate)
            {
                outcome.Check("our privacy mode", _ours?.PrivacyMode == PrivacyMode.Standard, $"{_ours?.PrivacyMode.ToString() ?? "no connection"} (expected {PrivacyMode.Standard}: the kernel did not accept the offer)");
            }

            CheckCounter(oursIsClient ? "MPTcpExtMPCapableSYNRX" : "MPTcpExtMPCapableSYNACKRX", 1);
            CheckCounter(oursIsClient ? "MPTcpExtMPCapableFallbackACK" : "MPTcpExtMPCapableFallbackSYNACK", 0, exactly: true);
        }

        /// <summary>A required profile against the kernel: refused in the handshake, with a reset the kernel sees, and no byte carried.</summary>
        private void CheckRefusal(bool oursIsClient, IReadOnlyList<CapturedSegment> segments)
        {
            if (oursIsClient)
            {
                lock (Host.Gate)
                {
                    bool failed = _ours!.Events.Any(e => e.Kind == MptcpEventKind.PrivacyFailed);
                    outcome.Check("our client refused the SYN/ACK", failed && _ours.Counters.ProfileRefused > 0 && _ours.State == MptcpConnectionState.Closed,
                        $"PrivacyFailed {(failed ? "raised" : "not raised")}, ProfileRefused {_ours.Counters.ProfileRefused}, state {_ours.State}");
                }

                outcome.Check("the kernel accepted nothing", !_kernelAccepted, _kernelAccepted ? "a connection reached the kernel's accept queue" : $"no connection within {RefusalWatch.TotalMilliseconds:0} ms of our reset");
                CapturedSegment[] resets = segments.Where(s => s.IsRst && !s.SentByKernel).ToArray();
                CapturedSegment? synAck = segments.FirstOrDefault(s => s.IsSynAck && s.SentByKernel);
                string delay = resets.Length > 0 && synAck is not null ? $", {(resets[0].TimeNs - synAck.TimeNs) / 1_000_000} ms after the kernel's first SYN/ACK" : "";
                outcome.Check("the kernel received our reset", resets.Length > 0, resets.Length > 0 ? Describe(resets) + delay : "no RST from our stack in the capture");
                CheckCounter("MPTcpExtMPCapableSYNRX", 1);
                CheckCounter("MPTcpExtMPCapableACKRX", 0, exactly: true);
            }
            else
            {
                long refusals;
                lock (Host.Gate)
                {
                    refusals = Host.Endpoint.ProfileRefusals;
                }

                outcome.Check("our server refused the SYN", refusals > 0 && _ours is null, $"ProfileRefusals {refusals}, {(_ours is null ? "nothing accepted" : "a connection accepted")}");
                outcome.Check("the kernel's connect was refused", _kernelConnectError == SocketError.ConnectionRefused, _kernelConnectError?.ToString() ?? "the connect succeeded");
                CapturedSegment[] synAcks = segments.Where(s => s.IsSynAck && !s.SentByKernel).ToArray();
                CapturedSegment[] resets = segments.Where(s => s.IsRst && !s.SentByKernel).ToArray();
                outcome.Check("our stack answered the SYN with a reset", resets.Length > 0 && synAcks.Length == 0 && resets.All(s => s.ResetReason == MpTcpRstReason.AdministrativelyProhibited), $"{Describe(resets)}; {synAcks.Length} SYN/ACK(s) from us");
                CheckCounter("MPTcpExtMPCapableSYNACKRX", 0, exactly: true);
            }

            long payload = segments.Sum(s => (long)s.PayloadLength);
            outcome.Check("no data", payload == 0 && outcome.Client!.BytesReceived == 0 && outcome.Server!.BytesReceived == 0, $"{payload} B of TCP payload in the capture");
        }

        private static string Describe(IReadOnlyCollection<CapturedSegment> segments) =>
            segments.Count == 0 ? "none in the capture" : string.Join("; ", segments.Select(s => $"{(s.SentByKernel ? "kernel" : "ours")}: {s.Describe()}").Distinct());

        /// <summary>The kernel's counters that prove what the case is about reached (or left) it.</summary>
        private void CheckCaseCounters(bool oursIsClient)
        {
            if (c.Checksums)
            {
                CheckCounter("MPTcpExtDataCsumErr", 0, exactly: true);
            }

            if (c.ExpectFallback)
            {
                return;
            }

            int joins = c.Strip == InteropStrip.Joins ? 0 : c.ExpectedSubflows - 1;
            if (c.Strip == InteropStrip.Joins)
            {
                CheckCounter(oursIsClient ? "MPTcpExtMPJoinSynRx" : "MPTcpExtMPJoinSynAckRx", 0, exactly: true);
            }
            else if (joins > 0)
            {
                CheckCounter(oursIsClient ? "MPTcpExtMPJoinAckRx" : "MPTcpExtMPJoinSynAckRx", joins);
            }

            if (c.ServerAnnounces.Count > 0)
            {
                CheckCounter(oursIsClient ? "MPTcpExtEchoAdd" : "MPTcpExtAddAddr", c.ServerAnnounces.Count);
                if (c.AnnouncedPort is not null)
                {
                    CheckCounter(oursIsClient ? "MPTcpExtMPJoinPortSynRx" : "MPTcpExtPortAdd", 1);
                }
            }

            switch (c.Midway)
            {
                case InteropMidway.ClientRemovesAddress:
                    CheckCounter(oursIsClient ? "MPTcpExtRmAddr" : "MPTcpExtRmAddrTx", 1);
                    break;
                case InteropMidway.ClientSetsBackup:
                    CheckCounter(oursIsClient ? "MPTcpExtMPPrioRx" : "MPTcpExtMPPrioTx", 1);
                    break;
            }
        }

        private void CheckCounter(string name, long atLeast, bool exactly = false)
        {
            long value = outcome.KernelCounters.GetValueOrDefault(name);
            outcome.Check($"kernel {name}", exactly ? value == atLeast : value >= atLeast, $"{value} (expected {(exactly ? "" : "at least ")}{atLeast})");
        }

        private InteropSide Side(TransferTally tally, bool ours)
        {
            if (ours)
            {
                lock (Host.Gate)
                {
                    return new InteropSide("ours", tally.BytesSent, tally.Sha256Sent, tally.BytesReceived, tally.Sha256Received, _ours is { IsFallback: false }, _peakOurs);
                }
            }

            // Read while the socket is open (an aborting kernel closed it halfway, after the last note).
            NoteKernelSubflows();
            return new InteropSide("kernel", tally.BytesSent, tally.Sha256Sent, tally.BytesReceived, tally.Sha256Received, _kernelWasMptcp, _peakKernel);
        }

        private static string Short(string sha) => sha.Length >= 12 ? sha[..12] : sha;

        private static string Errors(TransferTally client, TransferTally server) =>
            (client.Error, server.Error) switch
            {
                (null, null) => string.Empty,
                _ => $"; client: {client.Error ?? "ok"}, server: {server.Error ?? "ok"}",
            };

        public void Dispose()
        {
            _host?.Dispose();
            _kernelSocket?.Dispose();
            _kernelListener?.Dispose();
            _capture?.Dispose();
            _stackCapture?.Dispose();
            _topology?.Dispose();
        }
    }
}
