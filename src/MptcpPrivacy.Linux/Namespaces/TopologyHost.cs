using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using MptcpPrivacy.Linux.Processes;

namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>
/// One host of an <see cref="InteropTopology"/>: its network namespace, its kernel's MPTCP path
/// manager, and the captures and background programs started in it, which the topology ends when
/// it is disposed.
/// </summary>
public sealed partial class TopologyHost
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);
    private readonly List<PacketCapture> _captures = [];
    private readonly List<BackgroundProcess> _processes = [];
    private readonly Lock _gate = new();

    internal TopologyHost(NetworkNamespace ns)
    {
        Namespace = ns;
        PathManager = new KernelPathManager(ns);
    }

    /// <summary>Gets the host's network namespace.</summary>
    public NetworkNamespace Namespace { get; }

    /// <summary>Gets the namespace's name.</summary>
    public string Name => Namespace.Name;

    /// <summary>Gets the kernel's in-kernel MPTCP path manager in this host (<c>ip mptcp</c>).</summary>
    public KernelPathManager PathManager { get; }

    /// <summary>Runs a program inside the host and returns its standard output (throws on a non-zero exit).</summary>
    public string Exec(string program, params string[] arguments) => Namespace.Exec(program, arguments);

    /// <summary>Runs <c>ip -n NAMESPACE ARGUMENTS</c> and returns its standard output.</summary>
    public string Ip(params string[] arguments) => HostCommand.Run("ip", ["-n", Name, .. arguments], CommandTimeout);

    /// <summary>Sets sysctls in the host (<c>sysctl -q -w KEY=VALUE ...</c>).</summary>
    public void SetSysctls(params string[] assignments) => Exec("sysctl", ["-q", "-w", .. assignments]);

    /// <summary>Reads the packet and byte counters of interface <paramref name="device"/>.</summary>
    public LinkCounters Counters(string device) => LinkCounters.Parse(Ip("-j", "-s", "link", "show", "dev", device));

    /// <summary>
    /// Reads counter <paramref name="name"/> of MIB table <paramref name="table"/> (<c>MPTcpExt</c>,
    /// <c>TcpExt</c>, <c>IpExt</c> of <c>/proc/net/netstat</c>; <c>Tcp</c>, <c>Ip</c>, ... of
    /// <c>/proc/net/snmp</c>) in this host; 0 when the kernel has not created it yet.
    /// </summary>
    public long MibCounter(string name, string table = "MPTcpExt") => MibTable(table).GetValueOrDefault(name);

    /// <summary>Returns every counter of table <paramref name="table"/> (<c>/proc/net/netstat</c>, <c>/proc/net/snmp</c>) in this host by name.</summary>
    public Dictionary<string, long> MibTable(string table = "MPTcpExt") =>
        MibCounters.Table(Exec("cat", "/proc/net/netstat", "/proc/net/snmp"), table);

    /// <summary>
    /// Returns how many bytes left <paramref name="device"/> through the HTB class that shapes it,
    /// or null when the device is not shaped.
    /// </summary>
    public long? ShapedBytes(string device)
    {
        string text = HostCommand.Run("tc", ["-n", Name, "-s", "class", "show", "dev", device], CommandTimeout);
        Match match = ShapedClassSent().Match(text);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// Returns the interface the host's routing sends a packet to <paramref name="destination"/>
    /// through (<c>ip route get</c>), for a packet from <paramref name="source"/> and, when
    /// <paramref name="inputDevice"/> is given, one arriving there to be forwarded.
    /// </summary>
    public string RouteDevice(IPAddress destination, IPAddress? source = null, string? inputDevice = null)
    {
        List<string> arguments = ["route", "get", destination.ToString()];
        if (source is not null)
        {
            arguments.AddRange(["from", source.ToString()]);
        }

        if (inputDevice is not null)
        {
            arguments.AddRange(["iif", inputDevice]);
        }

        string text = Ip([.. arguments]);
        Match match = RouteOutputDevice().Match(text);
        return match.Success ? match.Groups[1].Value : throw new FormatException($"no output device in \"{text.Trim()}\"");
    }

    /// <summary>Starts a <c>tcpdump -i any</c> capture into <paramref name="file"/>, stopped when the topology is disposed if not before.</summary>
    public PacketCapture StartCapture(string file, string? filter = null, int snapLength = 0)
    {
        PacketCapture capture = PacketCapture.Start(Name, file, filter, snapLength);
        lock (_gate)
        {
            _captures.Add(capture);
        }

        return capture;
    }

    /// <summary>Starts a program in the background inside the host; it is killed when the topology is disposed if not before.</summary>
    public BackgroundProcess Start(string program, params string[] arguments)
    {
        BackgroundProcess process = BackgroundProcess.Start(Name, program, arguments);
        lock (_gate)
        {
            _processes.Add(process);
        }

        return process;
    }

    /// <summary>Stops the captures cleanly, then kills the background programs.</summary>
    internal void StopEverything(List<Exception> failures)
    {
        PacketCapture[] captures;
        BackgroundProcess[] processes;
        lock (_gate)
        {
            captures = [.. _captures];
            processes = [.. _processes];
            _captures.Clear();
            _processes.Clear();
        }

        foreach (IDisposable owned in captures.Cast<IDisposable>().Concat(processes))
        {
            try
            {
                owned.Dispose();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }
    }

    [GeneratedRegex(@"class htb 1:10 .*?\n\s*Sent (\d+) bytes", RegexOptions.Singleline)]
    private static partial Regex ShapedClassSent();

    [GeneratedRegex(@"\bdev (\S+)")]
    private static partial Regex RouteOutputDevice();
}
