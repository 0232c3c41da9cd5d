using MptcpPrivacy.Interop.Matrix;
using MptcpPrivacy.Linux.Processes;

namespace MptcpPrivacy.Cli.Interop;

/// <summary>
/// <c>mptcp-privacy interop</c>: runs the interop matrix of issue 5 (our stack on a TUN device
/// against the Linux kernel's MPTCP, in network namespaces it creates and deletes) and prints the
/// table, or JSON. Exit codes: 0 every run passed, 1 a run failed, 2 bad arguments or missing
/// privileges or tools.
/// </summary>
internal static class InteropCommand
{
    private static readonly string[] RequiredTools = ["ip", "tc", "iptables", "ip6tables", "tcpdump", "ethtool"];

    public static int Run(string[] cases, string direction, bool json, string? captures, Stream stdout, TextWriter stderr)
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            stderr.WriteLine("mptcp-privacy interop: needs root (it creates network namespaces, veth pairs, a TUN device and iptables rules); run it as root, for example with sudo");
            return 2;
        }

        string[] missing = RequiredTools.Where(t => HostCommand.Find(t) is null).ToArray();
        if (missing.Length > 0)
        {
            stderr.WriteLine($"mptcp-privacy interop: missing programs: {string.Join(", ", missing)} (Debian: apt-get install iproute2 iptables tcpdump ethtool)");
            return 2;
        }

        var selected = new List<InteropCase>();
        foreach (string name in cases)
        {
            if (InteropCatalog.Find(name) is not { } found)
            {
                stderr.WriteLine($"mptcp-privacy interop: no case named '{name}'; the cases are: {string.Join(", ", InteropCatalog.All.Select(c => c.Name))}");
                return 2;
            }

            selected.Add(found);
        }

        if (selected.Count == 0)
        {
            selected.AddRange(InteropCatalog.All);
        }

        InteropDirection[] directions = direction switch
        {
            "both" => [InteropDirection.OursToKernel, InteropDirection.KernelToOurs],
            "ours-to-kernel" => [InteropDirection.OursToKernel],
            "kernel-to-ours" => [InteropDirection.KernelToOurs],
            _ => [],
        };
        if (directions.Length == 0)
        {
            stderr.WriteLine($"mptcp-privacy interop: --direction is both, ours-to-kernel or kernel-to-ours, not '{direction}'");
            return 2;
        }

        if (HostCommand.Find("tshark") is null)
        {
            stderr.WriteLine("mptcp-privacy interop: tshark is not installed: the audit's grouping is not compared with tshark's");
        }

        var options = new InteropRunOptions { CaptureDirectory = captures is null ? null : Path.GetFullPath(captures), CaptureStackHost = captures is not null && Environment.GetEnvironmentVariable("MPTCP_INTEROP_STACK_CAPTURE") is not null };
        var outcomes = new List<InteropOutcome>();
        foreach (InteropCase c in selected)
        {
            foreach (InteropDirection d in directions)
            {
                InteropOutcome outcome = InteropRunner.Run(c, d, options);
                outcomes.Add(outcome);
                stderr.WriteLine($"{c.Name} ({InteropReport.Header(d)}): {(outcome.Passed ? "pass" : "FAIL: " + outcome.FailureReason)} ({outcome.Seconds:0.0} s)");
            }
        }

        if (json)
        {
            InteropReport.WriteJson(outcomes, stdout);
        }
        else
        {
            using var writer = new StreamWriter(stdout, leaveOpen: true);
            InteropReport.WriteText(outcomes, writer);
        }

        return outcomes.All(o => o.Passed) ? 0 : 1;
    }
}
