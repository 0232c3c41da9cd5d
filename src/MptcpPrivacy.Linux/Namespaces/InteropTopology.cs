using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using MptcpPrivacy.Linux.Processes;

namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>
/// Two network namespaces wired for testing the project's MPTCP stack against Linux's: a "stack"
/// host S and a "kernel" host K joined by 1 to 3 direct veth paths (see <see cref="TopologyPath"/>
/// for the addresses), with source routing on both sides so that each subflow crosses the path of
/// its source address, optional HTB rate limits per path and an optional middlebox that strips the
/// MPTCP option. <see cref="Dispose"/> always removes everything, and a setup that fails halfway
/// removes what it had built before the exception leaves <see cref="Create(TopologyOptions)"/>.
/// Needs root. Design: docs/design/interop-topology.md.
/// </summary>
public sealed partial class InteropTopology : IDisposable
{
    /// <summary>The first letters of the namespace names; the creating process's ID follows.</summary>
    public const string NamePrefix = "mpi";

    private static int _counter;
    private readonly List<NetworkNamespace> _namespaces = [];
    private readonly List<TopologyHost> _hosts = [];
    private TopologyHost? _stack;
    private TopologyHost? _kernel;
    private int _disposed;

    private InteropTopology(TopologyOptions options, string baseName)
    {
        Options = options;
        BaseName = baseName;
        Paths = [.. Enumerable.Range(1, options.Paths).Select(TopologyPath.For)];
    }

    /// <summary>Gets the kernel host's IPv4 service address (on its <c>lo</c>, reachable over every path).</summary>
    public static IPAddress ServiceAddress4 { get; } = IPAddress.Parse("192.0.2.1");

    /// <summary>Gets the kernel host's IPv6 service address (on its <c>lo</c>, reachable over every path).</summary>
    public static IPAddress ServiceAddress6 { get; } = IPAddress.Parse("2001:db8::1");

    /// <summary>
    /// Gets the stack host's IPv4 service address, reachable over every path (routed to the TUN
    /// device, or on the namespace's <c>lo</c> when the stack side is the kernel). A join from the
    /// kernel's path-2 address to it is answered over path 2, since its replies follow the
    /// destination; one to the stack's path-1 address would be answered over path 1.
    /// </summary>
    public static IPAddress StackServiceAddress4 { get; } = IPAddress.Parse("192.0.2.2");

    /// <summary>Gets the stack host's IPv6 service address, reachable over every path.</summary>
    public static IPAddress StackServiceAddress6 { get; } = IPAddress.Parse("2001:db8::2");

    /// <summary>Gets what the topology was built with.</summary>
    public TopologyOptions Options { get; }

    /// <summary>Gets the common start of both namespace names (<c>mpi&lt;pid&gt;x&lt;n&gt;</c>).</summary>
    public string BaseName { get; }

    /// <summary>Gets the stack host S: the userspace stack's router (TUN side) or the reference kernel (kernel side).</summary>
    public TopologyHost Stack => _stack ?? throw new InvalidOperationException("the topology is not built");

    /// <summary>Gets the kernel host K, which runs Linux's MPTCP.</summary>
    public TopologyHost Kernel => _kernel ?? throw new InvalidOperationException("the topology is not built");

    /// <summary>Gets the paths, in order of their numbers.</summary>
    public IReadOnlyList<TopologyPath> Paths { get; }

    /// <summary>
    /// Gets what went wrong while <see cref="Dispose"/> stopped programs (it does not throw, so that
    /// it never hides a test's own failure; the namespaces are deleted regardless).
    /// </summary>
    public IReadOnlyList<Exception> TeardownFailures { get; private set; } = [];

    /// <summary>Gets the name of the TUN device in the stack host, or null when the stack side is the kernel.</summary>
    public string? TunName => Options.StackSide == StackSide.Tun ? Options.TunName : null;

    /// <summary>Builds a topology; on failure, removes what was built and rethrows.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="HostCommandException">A command failed (not root, a missing kernel feature).</exception>
    public static InteropTopology Create(TopologyOptions options) => Create(options, afterStep: null);

    /// <summary>Builds a topology, calling <paramref name="afterStep"/> after each step with its name (tests make it throw).</summary>
    internal static InteropTopology Create(TopologyOptions options, Action<InteropTopology, string>? afterStep)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string baseName = string.Create(CultureInfo.InvariantCulture, $"{NamePrefix}{Environment.ProcessId}x{Interlocked.Increment(ref _counter)}");
        var topology = new InteropTopology(options, baseName);
        ExitCleanup.Register(topology);
        try
        {
            topology.Build(step => afterStep?.Invoke(topology, step));
        }
        catch
        {
            topology.Dispose();
            throw;
        }

        return topology;
    }

    /// <summary>Returns path <paramref name="number"/> (1-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The topology has no such path.</exception>
    public TopologyPath Path(int number) =>
        number >= 1 && number <= Paths.Count
            ? Paths[number - 1]
            : throw new ArgumentOutOfRangeException(nameof(number), number, $"the topology has paths 1 to {Paths.Count}");

    /// <summary>Sets path <paramref name="number"/> down at both ends: its packets are dropped from now on.</summary>
    public void SetPathDown(int number)
    {
        TopologyPath path = Path(number);
        Stack.Ip("link", "set", path.StackDevice, "down");
        Kernel.Ip("link", "set", path.KernelDevice, "down");
    }

    /// <summary>
    /// Sets path <paramref name="number"/> up again and restores what the kernel removed with the
    /// link (routes through it, proxy neighbour entries).
    /// </summary>
    public void SetPathUp(int number)
    {
        TopologyPath path = Path(number);
        Stack.Ip("link", "set", path.StackDevice, "up");
        Kernel.Ip("link", "set", path.KernelDevice, "up");
        RoutePath(path);
    }

    /// <summary>
    /// Shapes path <paramref name="number"/> to <paramref name="bitsPerSecond"/> in each direction
    /// (HTB on the egress of both ends), or removes the shaping when it is null.
    /// </summary>
    public void SetRate(int number, long? bitsPerSecond)
    {
        TopologyPath path = Path(number);
        if (bitsPerSecond is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bitsPerSecond), bitsPerSecond, "a rate must be positive");
        }

        foreach ((TopologyHost host, string device) in new[] { (Stack, path.StackDevice), (Kernel, path.KernelDevice) })
        {
            if (bitsPerSecond is { } rate)
            {
                Tc(host, "qdisc", "replace", "dev", device, "root", "handle", "1:", "htb", "default", "10");
                Tc(host, "class", "replace", "dev", device, "parent", "1:", "classid", "1:10", "htb", "rate", string.Create(CultureInfo.InvariantCulture, $"{rate}bit"));
            }
            else if (host.ShapedBytes(device) is not null)
            {
                Tc(host, "qdisc", "del", "dev", device, "root");
            }
        }
    }

    /// <summary>
    /// Returns the topology as environment variables for scripts that drive it with
    /// <c>ip netns exec</c>: <c>MPI_STACK_NS</c>, <c>MPI_KERNEL_NS</c>, <c>MPI_STACK_SIDE</c>
    /// (<c>tun</c> or <c>kernel</c>), <c>MPI_TUN</c> (empty on the kernel side), <c>MPI_PATHS</c>,
    /// <c>MPI_RATE</c> (bit/s, empty when unshaped), <c>MPI_STRIP</c>, <c>MPI_SERVICE4</c>,
    /// <c>MPI_SERVICE6</c>, and per path i <c>MPI_S{i}_DEV</c>, <c>MPI_K{i}_DEV</c>,
    /// <c>MPI_STACK{i}_4</c>, <c>MPI_STACK{i}_6</c>, <c>MPI_KERNEL{i}_4</c>, <c>MPI_KERNEL{i}_6</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ShellVariables()
    {
        var variables = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["MPI_STACK_NS"] = Stack.Name,
            ["MPI_KERNEL_NS"] = Kernel.Name,
            ["MPI_STACK_SIDE"] = Options.StackSide == StackSide.Tun ? "tun" : "kernel",
            ["MPI_TUN"] = TunName ?? "",
            ["MPI_PATHS"] = Paths.Count.ToString(CultureInfo.InvariantCulture),
            ["MPI_RATE"] = Options.RateBitsPerSecond?.ToString(CultureInfo.InvariantCulture) ?? "",
            ["MPI_STRIP"] = Options.OptionStrip switch { OptionStrip.All => "all", OptionStrip.JoinsOnly => "joins", _ => "none" },
            ["MPI_SERVICE4"] = ServiceAddress4.ToString(),
            ["MPI_SERVICE6"] = ServiceAddress6.ToString(),
            ["MPI_STACK_SERVICE4"] = StackServiceAddress4.ToString(),
            ["MPI_STACK_SERVICE6"] = StackServiceAddress6.ToString(),
        };
        foreach (TopologyPath path in Paths)
        {
            int i = path.Number;
            variables[$"MPI_S{i}_DEV"] = path.StackDevice;
            variables[$"MPI_K{i}_DEV"] = path.KernelDevice;
            variables[$"MPI_STACK{i}_4"] = path.StackAddress4.ToString();
            variables[$"MPI_STACK{i}_6"] = path.StackAddress6.ToString();
            variables[$"MPI_KERNEL{i}_4"] = path.KernelAddress4.ToString();
            variables[$"MPI_KERNEL{i}_6"] = path.KernelAddress6.ToString();
        }

        return variables;
    }

    /// <summary>
    /// Deletes the namespaces of topologies whose creating process is gone (the process ID is in
    /// the name), with whatever still runs inside them, and returns their names.
    /// </summary>
    public static IReadOnlyList<string> SweepLeftovers()
    {
        var deleted = new List<string>();
        string list = HostCommand.Run("ip", ["netns", "list"], TimeSpan.FromSeconds(20));
        foreach (string line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string name = line.Split(' ', 2)[0];
            Match match = OurName().Match(name);
            if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                || pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            KillInside(name, []);
            try
            {
                HostCommand.Run("ip", ["netns", "del", name], TimeSpan.FromSeconds(20));
                deleted.Add(name);
            }
            catch (HostCommandException)
            {
                // Deleted by someone else meanwhile.
            }
        }

        return deleted;
    }

    /// <summary>
    /// Stops captures cleanly, kills background programs and anything else still running inside,
    /// and deletes both namespaces (their devices, qdiscs and iptables rules go with them).
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var failures = new List<Exception>();
        foreach (TopologyHost host in _hosts)
        {
            host.StopEverything(failures);
        }

        foreach (NetworkNamespace ns in _namespaces)
        {
            KillInside(ns.Name, failures);
            ns.Dispose();
        }

        ExitCleanup.Unregister(this);
        TeardownFailures = failures;
    }

    private void Build(Action<string> afterStep)
    {
        _stack = AddHost(BaseName + "-s");
        _kernel = AddHost(BaseName + "-k");
        bool tun = Options.StackSide == StackSide.Tun;
        foreach (TopologyHost host in _hosts)
        {
            host.SetSysctls(
                "net.ipv4.conf.all.rp_filter=0",
                "net.ipv4.conf.default.rp_filter=0",
                "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0",
                "net.ipv6.conf.all.keep_addr_on_down=1",
                "net.ipv6.conf.default.keep_addr_on_down=1",
                "net.mptcp.enabled=1");
        }

        if (tun)
        {
            Stack.SetSysctls("net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
        }

        Kernel.Ip("address", "add", $"{ServiceAddress4}/32", "dev", "lo");
        Kernel.Ip("-6", "address", "add", $"{ServiceAddress6}/128", "dev", "lo", "nodad");
        if (!tun)
        {
            Stack.Ip("address", "add", $"{StackServiceAddress4}/32", "dev", "lo");
            Stack.Ip("-6", "address", "add", $"{StackServiceAddress6}/128", "dev", "lo", "nodad");
        }

        afterStep("namespaces");

        string ethtool = HostCommand.Find("ethtool") ?? throw new HostCommandException("ethtool is not installed (Debian package ethtool); the topology turns veth offloads off with it");
        foreach (TopologyPath path in Paths)
        {
            string index = path.InterfaceIndex.ToString(CultureInfo.InvariantCulture);
            Stack.Ip("link", "add", path.StackDevice, "index", index, "type", "veth", "peer", "name", path.KernelDevice, "index", index, "netns", Kernel.Name);
            foreach ((TopologyHost host, string device) in new[] { (Stack, path.StackDevice), (Kernel, path.KernelDevice) })
            {
                // MTU-sized packets with complete checksums, as on a real wire and in captures.
                host.Exec(ethtool, "-K", device, "tso", "off", "gso", "off", "gro", "off", "tx", "off");
                host.Ip("link", "set", device, "up");
            }

            (IPAddress s4, IPAddress s6) = tun ? (path.RouterAddress4, path.RouterAddress6) : (path.StackAddress4, path.StackAddress6);
            Stack.Ip("address", "add", $"{s4}/{path.PrefixLength4}", "dev", path.StackDevice);
            Stack.Ip("-6", "address", "add", $"{s6}/{path.PrefixLength6}", "dev", path.StackDevice, "nodad");
            Kernel.Ip("address", "add", $"{path.KernelAddress4}/{path.PrefixLength4}", "dev", path.KernelDevice);
            Kernel.Ip("-6", "address", "add", $"{path.KernelAddress6}/{path.PrefixLength6}", "dev", path.KernelDevice, "nodad");
            if (tun)
            {
                // K finds the stack's addresses on-link: S answers ARP and NDP for them on the path.
                // proxy_delay 0: proxy replies to broadcast requests otherwise wait up to 0.8 s at random.
                Stack.SetSysctls(
                    $"net.ipv4.conf.{path.StackDevice}.proxy_arp=1",
                    $"net.ipv4.neigh.{path.StackDevice}.proxy_delay=0",
                    $"net.ipv6.conf.{path.StackDevice}.proxy_ndp=1",
                    $"net.ipv6.neigh.{path.StackDevice}.proxy_delay=0");
            }
        }

        afterStep("paths");

        if (tun)
        {
            Stack.Ip("tuntap", "add", "dev", Options.TunName, "mode", "tun");
            Stack.Ip("link", "set", Options.TunName, "mtu", "1500", "up");
            afterStep("tun");
        }

        foreach (TopologyPath path in Paths)
        {
            string table = path.RoutingTable.ToString(CultureInfo.InvariantCulture);
            string preference = (1000 + path.Number).ToString(CultureInfo.InvariantCulture);
            Stack.Ip("rule", "add", "from", path.StackAddress4.ToString(), "table", table, "pref", preference);
            Stack.Ip("-6", "rule", "add", "from", path.StackAddress6.ToString(), "table", table, "pref", preference);
            Kernel.Ip("rule", "add", "from", path.KernelAddress4.ToString(), "table", table, "pref", preference);
            Kernel.Ip("-6", "rule", "add", "from", path.KernelAddress6.ToString(), "table", table, "pref", preference);
            RoutePath(path);
        }

        afterStep("routing");

        if (Options.RateBitsPerSecond is { } rate)
        {
            foreach (TopologyPath path in Paths)
            {
                SetRate(path.Number, rate);
            }

            afterStep("shaping");
        }

        if (Options.OptionStrip != OptionStrip.None)
        {
            InstallStripRules();
            afterStep("strip");
        }
    }

    private TopologyHost AddHost(string name)
    {
        NetworkNamespace ns = NetworkNamespace.Create(name);
        _namespaces.Add(ns);
        var host = new TopologyHost(ns);
        _hosts.Add(host);
        return host;
    }

    /// <summary>The routes of one path; idempotent, since a path set up again has lost them.</summary>
    private void RoutePath(TopologyPath path)
    {
        string table = path.RoutingTable.ToString(CultureInfo.InvariantCulture);
        if (Options.StackSide == StackSide.Tun)
        {
            Stack.Ip("route", "replace", $"{path.StackAddress4}/32", "dev", Options.TunName);
            Stack.Ip("-6", "route", "replace", $"{path.StackAddress6}/128", "dev", Options.TunName);
            Stack.Ip("-6", "neigh", "replace", "proxy", path.StackAddress6.ToString(), "dev", path.StackDevice);
            Stack.Ip("route", "replace", $"{StackServiceAddress4}/32", "dev", Options.TunName);
            Stack.Ip("-6", "route", "replace", $"{StackServiceAddress6}/128", "dev", Options.TunName);
        }

        // Source routing: each host's path-i address leaves through path i, whatever the destination.
        Stack.Ip("route", "replace", "default", "via", path.KernelAddress4.ToString(), "dev", path.StackDevice, "table", table);
        Stack.Ip("-6", "route", "replace", "default", "via", path.KernelAddress6.ToString(), "dev", path.StackDevice, "table", table);
        Kernel.Ip("route", "replace", "default", "via", path.StackAddress4.ToString(), "dev", path.KernelDevice, "table", table);
        Kernel.Ip("-6", "route", "replace", "default", "via", path.StackAddress6.ToString(), "dev", path.KernelDevice, "table", table);
        if (path.Number == 1)
        {
            // Everything else (the service addresses, unbound sockets) goes over path 1.
            Stack.Ip("route", "replace", "default", "via", path.KernelAddress4.ToString(), "dev", path.StackDevice);
            Stack.Ip("-6", "route", "replace", "default", "via", path.KernelAddress6.ToString(), "dev", path.StackDevice);
            Kernel.Ip("route", "replace", "default", "via", path.StackAddress4.ToString(), "dev", path.KernelDevice);
            Kernel.Ip("-6", "route", "replace", "default", "via", path.StackAddress6.ToString(), "dev", path.KernelDevice);
        }
    }

    /// <summary>
    /// TCPOPTSTRIP in S's mangle PREROUTING (from the path) and POSTROUTING (to the path): these
    /// chains see forwarded segments (TUN side) and S's own (kernel side) alike.
    /// </summary>
    private void InstallStripRules()
    {
        bool joinsOnly = Options.OptionStrip == OptionStrip.JoinsOnly;
        foreach (TopologyPath path in Paths.Where(p => !joinsOnly || p.Number > 1))
        {
            string[] match = joinsOnly ? ["-p", "tcp", "--tcp-flags", "SYN", "SYN"] : ["-p", "tcp"];
            string[] strip = ["-j", "TCPOPTSTRIP", "--strip-options", "30"];
            foreach (string tool in (string[])["iptables", "ip6tables"])
            {
                Stack.Exec(tool, ["-t", "mangle", "-A", "PREROUTING", "-i", path.StackDevice, .. match, .. strip]);
                Stack.Exec(tool, ["-t", "mangle", "-A", "POSTROUTING", "-o", path.StackDevice, .. match, .. strip]);
            }
        }
    }

    private static void Tc(TopologyHost host, params string[] arguments) =>
        HostCommand.Run("tc", ["-n", host.Name, .. arguments], TimeSpan.FromSeconds(20));

    /// <summary>Kills the processes still inside namespace <paramref name="name"/>, never this one.</summary>
    private static void KillInside(string name, List<Exception> failures)
    {
        string pids;
        try
        {
            pids = HostCommand.Run("ip", ["netns", "pids", name], TimeSpan.FromSeconds(20));
        }
        catch (HostCommandException)
        {
            return;
        }

        foreach (string word in pids.Split((char[])['\n', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
            catch (ArgumentException)
            {
                // Ended meanwhile.
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                failures.Add(e);
            }
        }
    }

    [GeneratedRegex(@"^mpi(\d+)x\d+-[sk]$")]
    private static partial Regex OurName();
}
