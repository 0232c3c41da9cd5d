using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Linux.Processes;

namespace MptcpPrivacy.Cli.Interop;

/// <summary>
/// <c>mptcp-privacy interop-topology [OPTIONS] -- COMMAND [ARGS...]</c> (hidden): builds the interop
/// topology (<see cref="InteropTopology"/>), runs COMMAND in the root namespace with the topology
/// described in <c>MPI_*</c> environment variables (<see cref="InteropTopology.ShellVariables"/>),
/// and tears the topology down when COMMAND ends, overruns <c>--timeout</c>, or this process gets
/// SIGINT, SIGTERM or SIGHUP. Scripts such as bench/interop-goodput.sh use it so that they run on
/// the very topology the tests and the interop matrix use. Exit code: COMMAND's; 124 when it
/// overran; 2 for bad arguments or no root; 3 when the topology could not be built.
/// </summary>
internal static class TopologyCommand
{
    /// <summary>The command as the root command registers it.</summary>
    public static Command Create()
    {
        var paths = new Option<int>("--paths") { HelpName = "N", Description = "Number of veth paths, 1 to 3.", DefaultValueFactory = _ => 2 };
        var side = new Option<string>("--stack-side") { HelpName = "SIDE", Description = "tun (our stack on a TUN device, default) or kernel (the stack namespace's own MPTCP).", DefaultValueFactory = _ => "tun" };
        var rate = new Option<string?>("--rate") { HelpName = "RATE", Description = "HTB limit per path and direction: bits per second, or with k/M/G (\"50M\"). Default: unshaped." };
        var strip = new Option<string>("--strip") { HelpName = "WHICH", Description = "none (default), all or joins: segments that lose option 30 (MPTCP).", DefaultValueFactory = _ => "none" };
        var timeout = new Option<int>("--timeout") { HelpName = "SECONDS", Description = "Longest COMMAND may run before it is killed (default 600).", DefaultValueFactory = _ => 600 };
        var command = new Argument<string[]>("COMMAND") { Description = "The program to run, with its arguments (after --).", Arity = ArgumentArity.OneOrMore };
        var result = new Command("interop-topology", "Build the interop namespaces, run COMMAND with them described in MPI_* variables, tear them down.")
        {
            paths, side, rate, strip, timeout, command,
        };
        result.Hidden = true;
        result.SetAction(parse => Run(
            parse.GetValue(paths),
            parse.GetValue(side)!,
            parse.GetValue(rate),
            parse.GetValue(strip)!,
            parse.GetValue(timeout),
            parse.GetValue(command)!,
            Console.Error));
        return result;
    }

    /// <summary>Builds the topology, runs <paramref name="command"/> with it and tears it down; returns the exit code.</summary>
    public static int Run(int paths, string side, string? rate, string strip, int timeoutSeconds, string[] command, TextWriter stderr)
    {
        if (!TryOptions(paths, side, rate, strip, out TopologyOptions? options, out string? problem) || timeoutSeconds <= 0 || command.Length == 0)
        {
            stderr.WriteLine($"mptcp-privacy interop-topology: {problem ?? (command.Length == 0 ? "no COMMAND to run" : "--timeout must be positive")}");
            return 2;
        }

        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            stderr.WriteLine("mptcp-privacy interop-topology: needs root (network namespaces, veth pairs, qdiscs, iptables)");
            return 2;
        }

        InteropTopology topology;
        try
        {
            topology = InteropTopology.Create(options!);
        }
        catch (Exception e) when (e is HostCommandException or TimeoutException or IOException or InvalidOperationException)
        {
            stderr.WriteLine($"mptcp-privacy interop-topology: the topology could not be built: {e.Message}");
            return 3;
        }

        using (topology)
        {
            var start = new ProcessStartInfo(command[0]) { UseShellExecute = false };
            foreach (string argument in command.Skip(1))
            {
                start.ArgumentList.Add(argument);
            }

            foreach ((string name, string value) in topology.ShellVariables())
            {
                start.Environment[name] = value;
            }

            Process child;
            try
            {
                child = Process.Start(start) ?? throw new InvalidOperationException("no process");
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                stderr.WriteLine($"mptcp-privacy interop-topology: could not start {command[0]}: {e.Message}");
                return 2;
            }

            using (child)
            {
                int? signalled = null;
                void OnSignal(PosixSignalContext context)
                {
                    // Keep running to tear down; the child goes first.
                    context.Cancel = true;
                    signalled = 128 + context.Signal switch { PosixSignal.SIGINT => 2, PosixSignal.SIGHUP => 1, _ => 15 };
                    KillQuietly(child);
                }

                using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
                using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
                using PosixSignalRegistration hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
                if (!child.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
                {
                    stderr.WriteLine($"mptcp-privacy interop-topology: {command[0]} ran longer than {timeoutSeconds} s; killed");
                    KillQuietly(child);
                    return 124;
                }

                child.WaitForExit();
                return signalled ?? child.ExitCode;
            }
        }
    }

    /// <summary>Turns the command-line words into options; false with a message when one is wrong.</summary>
    internal static bool TryOptions(int paths, string side, string? rate, string strip, out TopologyOptions? options, out string? problem)
    {
        options = null;
        problem = null;
        StackSide? stackSide = side switch { "tun" => StackSide.Tun, "kernel" => StackSide.Kernel, _ => null };
        OptionStrip? optionStrip = strip switch { "none" => OptionStrip.None, "all" => OptionStrip.All, "joins" => OptionStrip.JoinsOnly, _ => null };
        long? bits = null;
        if (rate is not null)
        {
            bits = ParseRate(rate);
            if (bits is null)
            {
                problem = $"--rate is bits per second, optionally with k, M or G (\"50M\"), not \"{rate}\"";
                return false;
            }
        }

        if (stackSide is null || optionStrip is null)
        {
            problem = stackSide is null ? $"--stack-side is tun or kernel, not \"{side}\"" : $"--strip is none, all or joins, not \"{strip}\"";
            return false;
        }

        var candidate = new TopologyOptions { Paths = paths, StackSide = stackSide.Value, RateBitsPerSecond = bits, OptionStrip = optionStrip.Value };
        try
        {
            candidate.Validate();
        }
        catch (ArgumentException e)
        {
            problem = e.Message;
            return false;
        }

        options = candidate;
        return true;
    }

    /// <summary>"50M" → 50 000 000; null when the text is not a positive rate.</summary>
    internal static long? ParseRate(string text)
    {
        text = text.Trim();
        long scale = 1;
        if (text.Length > 0 && char.ToUpperInvariant(text[^1]) is 'K' or 'M' or 'G')
        {
            scale = char.ToUpperInvariant(text[^1]) switch { 'K' => 1_000, 'M' => 1_000_000, _ => 1_000_000_000 };
            text = text[..^1];
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value > 0 && value <= long.MaxValue / scale
            ? value * scale
            : null;
    }

    private static void KillQuietly(Process child)
    {
        try
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already ended.
        }
    }
}
