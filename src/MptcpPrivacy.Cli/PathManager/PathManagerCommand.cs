using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using MptcpPrivacy.Linux.Native;
using MptcpPrivacy.Linux.Netlink;
using MptcpPrivacy.Linux.PathManager;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Cli.PathManager;

/// <summary>
/// <c>mptcp-privacy pm --policy off|backup|handover|aggregate [--endpoint ADDR[,signal|subflow|backup|fullmesh]]...
/// [--netns NAME] [--duration SECONDS]</c>: runs the privacy path policy as Linux's userspace path
/// manager (<see cref="UserspacePathManager"/>) on this host or in a network namespace until Ctrl-C
/// or the duration, printing one line per event and command. Exit code: 0 ok; 2 bad input; 1 the
/// kernel refused (no <c>mptcp_pm</c> family, the userspace path manager not selected, no privilege).
/// </summary>
internal static class PathManagerCommand
{
    /// <summary>The command as the root command registers it.</summary>
    public static Command Create()
    {
        var policy = new Option<string>("--policy") { HelpName = "MODE", Description = "off, backup, handover or aggregate (docs/design/path-policies.md).", Required = true };
        var endpoint = new Option<string[]>("--endpoint")
        {
            HelpName = "ADDR[,FLAG...]",
            Description = "Repeatable: a local address the policy may use, as 'ip mptcp endpoint' with flags signal, subflow, backup, fullmesh (default subflow).",
        };
        var netns = new Option<string?>("--netns") { HelpName = "NAME", Description = "Run in this network namespace (ip netns); default this host's." };
        var duration = new Option<string?>("--duration") { HelpName = "SECONDS", Description = "Stop after this many seconds (default: at Ctrl-C)." };
        var command = new Command("pm", "Run the privacy path policy as Linux's userspace MPTCP path manager (needs root and net.mptcp.path_manager=userspace).")
        {
            policy, endpoint, netns, duration,
        };
        command.SetAction(parse =>
        {
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler cancel = (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            Console.CancelKeyPress += cancel;
            try
            {
                return Run(parse.GetValue(policy)!, parse.GetValue(endpoint) ?? [], parse.GetValue(netns), parse.GetValue(duration), Console.Out, Console.Error, stop.Token);
            }
            finally
            {
                Console.CancelKeyPress -= cancel;
            }
        });
        return command;
    }

    /// <summary>Runs the daemon until <paramref name="stop"/> or the duration; returns the exit code.</summary>
    public static int Run(string policy, IReadOnlyList<string> endpoints, string? netns, string? duration, TextWriter stdout, TextWriter stderr, CancellationToken stop)
    {
        if (!TryPolicy(policy, out PathPolicyMode mode))
        {
            stderr.WriteLine($"mptcp-privacy pm: --policy must be off, backup, handover or aggregate, not \"{policy}\"");
            return 2;
        }

        var parsed = new List<PathEndpoint>();
        foreach (string text in endpoints)
        {
            if (!TryEndpoint(text, out PathEndpoint e, out string? problem))
            {
                stderr.WriteLine($"mptcp-privacy pm: --endpoint \"{text}\": {problem}");
                return 2;
            }

            parsed.Add(e);
        }

        TimeSpan? limit = null;
        if (duration is not null)
        {
            if (!double.TryParse(duration, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || !(seconds > 0) || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                stderr.WriteLine($"mptcp-privacy pm: --duration must be a positive number of seconds, not \"{duration}\"");
                return 2;
            }

            limit = TimeSpan.FromSeconds(seconds);
        }

        if (netns is not null && (netns.Length == 0 || netns.Contains('/', StringComparison.Ordinal) || !File.Exists($"/var/run/netns/{netns}")))
        {
            stderr.WriteLine($"mptcp-privacy pm: no network namespace \"{netns}\" (ip netns list)");
            return 2;
        }

        try
        {
            _ = new PathManagerOptions(null, parsed);
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"mptcp-privacy pm: {e.Message}");
            return 2;
        }

        if (!OperatingSystem.IsLinux())
        {
            stderr.WriteLine("mptcp-privacy pm: needs Linux");
            return 1;
        }

        return RunDaemon(new PathPolicy { Mode = mode }, parsed, netns, limit, stdout, stderr, stop);
    }

    /// <summary>Parses "ADDR[,FLAG...]" into an endpoint (ID assigned later), flags as <c>ip mptcp endpoint</c>; no flag means subflow.</summary>
    internal static bool TryEndpoint(string text, out PathEndpoint endpoint, out string? problem)
    {
        endpoint = default;
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (!IPAddress.TryParse(parts[0], out IPAddress? address) || parts[0].Contains('/', StringComparison.Ordinal))
        {
            problem = $"\"{parts[0]}\" is not an IP address";
            return false;
        }

        EndpointFlags flags = EndpointFlags.None;
        foreach (string flag in parts.Skip(1))
        {
            EndpointFlags? one = flag switch
            {
                "signal" => EndpointFlags.Signal,
                "subflow" => EndpointFlags.Subflow,
                "backup" => EndpointFlags.Backup,
                "fullmesh" => EndpointFlags.Fullmesh,
                _ => null,
            };
            if (one is null)
            {
                problem = $"unknown flag \"{flag}\" (signal, subflow, backup, fullmesh)";
                return false;
            }

            flags |= one.Value;
        }

        if ((flags & (EndpointFlags.Signal | EndpointFlags.Subflow)) == 0)
        {
            flags |= EndpointFlags.Subflow;
        }

        endpoint = new PathEndpoint(0, IpAddressBytes.FromIPAddress(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address), flags);
        problem = null;
        return true;
    }

    private static bool TryPolicy(string text, out PathPolicyMode mode)
    {
        (bool ok, mode) = text switch
        {
            "off" => (true, PathPolicyMode.Off),
            "backup" => (true, PathPolicyMode.Backup),
            "handover" => (true, PathPolicyMode.Handover),
            "aggregate" => (true, PathPolicyMode.Aggregate),
            _ => (false, PathPolicyMode.Aggregate),
        };
        return ok;
    }

    private static int RunDaemon(PathPolicy policy, List<PathEndpoint> endpoints, string? netns, TimeSpan? limit, TextWriter stdout, TextWriter stderr, CancellationToken stop)
    {
        string where = netns is null ? "this host" : $"namespace {netns}";
        try
        {
            string? selected = UserspacePathManager.SelectedPathManager(netns);
            if (selected != "userspace")
            {
                stderr.WriteLine($"mptcp-privacy pm: the kernel in {where} uses the {selected ?? "(no MPTCP)"} path manager; set net.mptcp.path_manager=userspace (older kernels: net.mptcp.pm_type=1)");
                return 1;
            }

            var clock = Stopwatch.StartNew();
            var gate = new Lock();
            void Print(string line)
            {
                lock (gate)
                {
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,8:0.000}] {line}"));
                    stdout.Flush();
                }
            }

            using UserspacePathManager daemon = UserspacePathManager.Start(netns, policy, endpoints, Print);
            stop.WaitHandle.WaitOne(limit ?? Timeout.InfiniteTimeSpan);
            daemon.Dispose();
            Print($"stopped: {daemon.Counters}");
            return 0;
        }
        catch (Exception e) when (e is NetlinkException or LibcException)
        {
            stderr.WriteLine($"mptcp-privacy pm: in {where}: {e.Message}");
            return 1;
        }
    }
}
