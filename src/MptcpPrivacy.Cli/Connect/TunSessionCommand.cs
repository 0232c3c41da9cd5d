using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using MptcpPrivacy.Linux.Native;
using MptcpPrivacy.Linux.Tun;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Api;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Cli.Connect;

/// <summary>
/// <c>mptcp-privacy connect REMOTE PORT</c> and <c>mptcp-privacy listen --port P</c>: the userspace
/// stack on a TUN device as a small netcat. One connection; the input (a file or standard input)
/// is sent and then this direction closed, while everything the peer sends goes to the output (a
/// file or standard output) until the peer closes. A summary goes to standard error. Every address
/// given is the stack's own, one per path: a client opens a join from each after the first
/// (<c>subflow</c> endpoints), a server announces them (<c>signal</c> endpoints).
/// </summary>
internal static class TunSessionCommand
{
    /// <summary>Exit code: both directions completed.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code: the connection was refused, reset or timed out.</summary>
    public const int ExitConnectionFailed = 1;

    /// <summary>Exit code: a bad option, or a file that cannot be read or written.</summary>
    public const int ExitBadInput = 2;

    /// <summary>Exit code: not root, or no TUN device or namespace could be used.</summary>
    public const int ExitEnvironment = 3;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Runs the request; received bytes go to <paramref name="stdout"/> unless an output file is given, sent ones come from <paramref name="stdin"/> unless an input file is.</summary>
    public static int Run(TunSessionRequest request, Stream stdin, Stream stdout, TextWriter errors)
    {
        string verb = request.Role == TunSessionRole.Connect ? "connect" : "listen";
        if (!TryCheck(request, out Checked settings, out string? problem))
        {
            errors.WriteLine($"{verb}: {problem}");
            return ExitBadInput;
        }

        if (!ProcessCredentials.IsRoot)
        {
            errors.WriteLine($"{verb}: needs root (CAP_NET_ADMIN) to open the TUN device {request.Tun} and set its routes; run it with sudo");
            return ExitEnvironment;
        }

        Stream input;
        Stream output;
        try
        {
            input = request.Input is { } i ? File.OpenRead(i) : stdin;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"{verb}: cannot read the input {request.Input}: {e.Message}");
            return ExitBadInput;
        }

        using var inputOwner = request.Input is null ? null : input;
        try
        {
            output = request.Output is { } o ? new FileStream(o, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16) : stdout;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"{verb}: cannot write the output {request.Output}: {e.Message}");
            return ExitBadInput;
        }

        using var outputOwner = request.Output is null ? null : output;
        PcapngPacketTap? tap = null;
        if (request.Pcap is { } pcap)
        {
            try
            {
                tap = new PcapngPacketTap(pcap, request.Tun);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.WriteLine($"{verb}: cannot write the capture {pcap}: {e.Message}");
                return ExitBadInput;
            }
        }

        using (tap)
        {
            TunSetup setup;
            try
            {
                setup = TunSetup.Prepare(request.Tun, request.Netns, settings.Addresses);
            }
            catch (Exception e)
            {
                errors.WriteLine($"{verb}: cannot use the TUN device {request.Tun}{(request.Netns is { } ns ? $" in namespace {ns}" : "")}: {e.Message}");
                return ExitEnvironment;
            }

            using (setup)
            {
                var endpoint = new MptcpEndpoint(new MptcpOptions { RequireChecksums = request.Checksums, Privacy = settings.Privacy }, new Random());
                using var host = new TunStackHost(setup.Device, endpoint, tap);
                setup.DeviceOwnedByHost();
                EndpointFlags flags = request.Role == TunSessionRole.Connect ? EndpointFlags.Subflow : EndpointFlags.Signal;
                foreach (IpAddressBytes address in settings.Addresses)
                {
                    host.AddAddress(address, flags);
                }

                using var cts = new CancellationTokenSource(settings.Timeout);
                try
                {
                    return RunAsync(request.Role, host, settings, input, output, errors, verb, cts.Token).GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    errors.WriteLine($"{verb}: timed out after {FormatSeconds(settings.Timeout)}");
                    return ExitConnectionFailed;
                }
            }
        }
    }

    private static async Task<int> RunAsync(TunSessionRole role, TunStackHost host, Checked settings, Stream input, Stream output, TextWriter errors, string verb, CancellationToken cancellationToken)
    {
        MptcpConnection connection;
        if (role == TunSessionRole.Connect)
        {
            connection = host.Connect(settings.Addresses[0], settings.Remote, settings.Port);
            if (await WaitConnectedAsync(host, connection, cancellationToken) is { } failure)
            {
                errors.WriteLine($"{verb}: {settings.Remote}:{settings.Port}: {failure}");
                return ExitConnectionFailed;
            }
        }
        else
        {
            host.Listen(settings.Port);
            connection = await host.AcceptAsync(cancellationToken);
        }

        using var sentHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var receivedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long sent = 0;
        long received = 0;
        await using var stream = new MptcpStream(connection, host);
        try
        {
            Task send = Task.Run(
                async () =>
                {
                    byte[] buffer = new byte[64 * 1024];
                    int n;
                    while ((n = await input.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                        sentHash.AppendData(buffer, 0, n);
                        sent += n;
                    }

                    lock (host.Gate)
                    {
                        connection.Close();
                        host.Wake();
                    }
                },
                cancellationToken);
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                receivedHash.AppendData(buffer, 0, n);
                received += n;
            }

            await output.FlushAsync(cancellationToken);
            await send;
            await WaitDataAcknowledgedAsync(host, connection, cancellationToken);
        }
        catch (IOException e)
        {
            errors.WriteLine($"{verb}: the connection failed after {sent} bytes sent and {received} received: {e.Message} ({Reason(host, connection)})");
            return ExitConnectionFailed;
        }

        lock (host.Gate)
        {
            string peer = connection.Subflows.Count > 0 ? connection.Subflows[0].Tuple.RemoteAddress.ToString() : "?";
            errors.WriteLine($"{verb}: peer {peer}, {(connection.IsFallback ? "fell back to TCP" : "MPTCP")}, {connection.Subflows.Count} subflow(s), DSS checksums {(connection.Checksums ? "on" : "off")}, privacy {connection.PrivacyMode}");
        }

        errors.WriteLine($"{verb}: sent {sent} bytes, SHA-256 {Convert.ToHexStringLower(sentHash.GetHashAndReset())}");
        errors.WriteLine($"{verb}: received {received} bytes, SHA-256 {Convert.ToHexStringLower(receivedHash.GetHashAndReset())}");
        return ExitOk;
    }

    /// <summary>Waits until the connection is established (null) or closed (the reason).</summary>
    private static async Task<string?> WaitConnectedAsync(TunStackHost host, MptcpConnection connection, CancellationToken cancellationToken)
    {
        await WaitUntilAsync(host, () => connection.State != MptcpConnectionState.Connecting, cancellationToken);
        lock (host.Gate)
        {
            return connection.State == MptcpConnectionState.Closed ? Reason(host, connection) : null;
        }
    }

    /// <summary>Waits until the peer acknowledged every byte sent, so disposing the host does not cut the end short.</summary>
    private static Task WaitDataAcknowledgedAsync(TunStackHost host, MptcpConnection connection, CancellationToken cancellationToken) =>
        WaitUntilAsync(host, () => connection.Unacknowledged == 0 || connection.State is MptcpConnectionState.Closing or MptcpConnectionState.Closed, cancellationToken);

    /// <summary>Waits until <paramref name="condition"/>, checked under the gate after every round of the host, holds.</summary>
    private static async Task WaitUntilAsync(TunStackHost host, Func<bool> condition, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable registration = host.OnProgress(() =>
        {
            if (condition() || host.Failure is not null)
            {
                done.TrySetResult();
            }
        });
        host.Wake();
        await done.Task.WaitAsync(cancellationToken);
    }

    private static string Reason(TunStackHost host, MptcpConnection connection)
    {
        lock (host.Gate)
        {
            if (host.Failure is { } failure)
            {
                return $"the TUN host stopped: {failure.Message}";
            }

            // A required privacy profile the peer did not run says why better than the reset that followed.
            if (connection.Events.LastOrDefault(e => e.Kind == MptcpEventKind.PrivacyFailed) is { Detail: { } privacy })
            {
                return privacy;
            }

            // The subflow's reset says more than the connection's close ("refused" is a reset answering our SYN).
            foreach (MptcpEvent e in connection.Events.Reverse())
            {
                if (e.Kind is MptcpEventKind.SubflowClosed or MptcpEventKind.Closed && e.Detail is { } detail)
                {
                    return e.ResetReason is { } reason ? $"{detail} (MP_TCPRST reason {reason})" : detail;
                }
            }

            return "the connection closed";
        }
    }

    private static bool TryCheck(TunSessionRequest request, out Checked settings, out string? problem)
    {
        settings = default;
        problem = null;
        if (request.Addresses.Count == 0)
        {
            problem = "give the stack's own address with --address (repeatable, one per path)";
            return false;
        }

        var addresses = new List<IpAddressBytes>();
        foreach (string text in request.Addresses)
        {
            if (!IPAddress.TryParse(text, out IPAddress? address) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            {
                problem = $"--address {text} is not an IPv4 or IPv6 address";
                return false;
            }

            addresses.Add(IpAddressBytes.FromIPAddress(address));
        }

        if (addresses.Distinct().Count() != addresses.Count)
        {
            problem = "an --address is given twice";
            return false;
        }

        if (request.Port is not { } portText || !ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port) || port == 0)
        {
            problem = request.Port is null ? "give the port (--port P)" : $"port {request.Port} is not a number from 1 to 65535";
            return false;
        }

        IpAddressBytes remote = default;
        if (request.Role == TunSessionRole.Connect)
        {
            if (request.Remote is not { } remoteText || !IPAddress.TryParse(remoteText, out IPAddress? r))
            {
                problem = request.Remote is null ? "give the peer's address (REMOTE PORT, or --remote ADDR --port P)" : $"{request.Remote} is not an IP address";
                return false;
            }

            remote = IpAddressBytes.FromIPAddress(r);
            if (remote.Family != addresses[0].Family)
            {
                problem = $"the first --address {addresses[0]} and the peer {remote} are not of the same IP version";
                return false;
            }
        }

        TimeSpan timeout = DefaultTimeout;
        if (request.Timeout is { } timeoutText)
        {
            try
            {
                timeout = TimeSpan.FromTicks(ScenarioValues.ParseDuration(timeoutText) / 100);
            }
            catch (ScenarioFormatException e)
            {
                problem = $"--timeout: {e.Message}";
                return false;
            }

            if (timeout <= TimeSpan.Zero)
            {
                problem = "--timeout must be more than zero";
                return false;
            }
        }

        PrivacyMode mode;
        switch (request.Profile ?? "standard")
        {
            case "standard":
                mode = PrivacyMode.Standard;
                break;
            case "draft":
                mode = PrivacyMode.Draft;
                break;
            case "privacy":
                mode = PrivacyMode.Profile;
                break;
            default:
                problem = $"--profile is standard, draft or privacy, not '{request.Profile}'";
                return false;
        }

        if (request.ProfileRequired && mode != PrivacyMode.Profile)
        {
            problem = "--profile-required needs --profile privacy";
            return false;
        }

        settings = new Checked(addresses, remote, port, timeout, new PrivacyOptions { Mode = mode, Required = request.ProfileRequired });
        return true;
    }

    private static string FormatSeconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private readonly record struct Checked(IReadOnlyList<IpAddressBytes> Addresses, IpAddressBytes Remote, ushort Port, TimeSpan Timeout, PrivacyOptions Privacy);
}
