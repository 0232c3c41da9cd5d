using System.Globalization;
using System.Net;
using MptcpPrivacy.Linux.Processes;
using MptcpPrivacy.Linux.Tun;

namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>
/// A network namespace for an attacker that reaches a server host over a veth of its own and speaks
/// through a TUN device: the namespace routes the attacker's addresses to the device and forwards
/// between the device and the veth, and it does no reverse-path filtering, so a node on the device
/// may send from any address (an off-path attacker spoofing a user's). <see cref="Dispose"/> deletes
/// the namespace, and with it both ends of the veth. Needs root.
/// </summary>
/// <remarks>
/// <code>
///  server namespace                attacker namespace
///   [ka] 192.0.2.33/28 ───veth─── [a0] 192.0.2.34/28
///   route 192.0.2.48/28 via .34    route 192.0.2.48/28 dev atk0 (TUN), default via .33
/// </code>
/// Addresses come from RFC 5737's 192.0.2.0/24, clear of the service addresses (.1, .2) and of
/// <see cref="TopologyPath"/> 3 (192.0.2.128/25).
/// </remarks>
public sealed class AttackerNamespace : IDisposable
{
    /// <summary>The first letters of the namespace's name; the creating process's ID and a counter follow.</summary>
    public const string NamePrefix = "mpatk";

    /// <summary>The name of the veth end in the server's namespace.</summary>
    public const string ServerDevice = "ka";

    /// <summary>The name of the veth end in the attacker's namespace.</summary>
    public const string AttackerDevice = "a0";

    /// <summary>The name of the TUN device in the attacker's namespace.</summary>
    public const string TunName = "atk0";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);
    private static int _counter;
    private readonly NetworkNamespace _namespace;
    private readonly string _server;
    private bool _disposed;

    private AttackerNamespace(NetworkNamespace ns, string server)
    {
        _namespace = ns;
        _server = server;
    }

    /// <summary>Gets the server's address on the attacker's veth.</summary>
    public static IPAddress ServerSideAddress { get; } = IPAddress.Parse("192.0.2.33");

    /// <summary>Gets the attacker namespace's own address on its veth (it routes for the TUN device).</summary>
    public static IPAddress RouterAddress { get; } = IPAddress.Parse("192.0.2.34");

    /// <summary>Gets the first address a node on the TUN device may use as its own (the network 192.0.2.48/28 is routed to it).</summary>
    public static IPAddress FirstNodeAddress { get; } = IPAddress.Parse("192.0.2.49");

    /// <summary>Gets the second address a node on the TUN device may use as its own.</summary>
    public static IPAddress SecondNodeAddress { get; } = IPAddress.Parse("192.0.2.50");

    /// <summary>Gets the namespace's name.</summary>
    public string Name => _namespace.Name;

    /// <summary>
    /// Creates the attacker's namespace (<c>mpatk&lt;pid&gt;x&lt;n&gt;</c>) wired to the server's
    /// namespace <paramref name="serverNamespace"/>, which gets a route to the attacker's addresses.
    /// On failure, removes what it built and rethrows.
    /// </summary>
    /// <exception cref="HostCommandException">A command failed (not root, a missing kernel feature, no ethtool).</exception>
    public static AttackerNamespace Create(string serverNamespace)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverNamespace);
        string name = string.Create(CultureInfo.InvariantCulture, $"{NamePrefix}{Environment.ProcessId}x{Interlocked.Increment(ref _counter)}");
        var attacker = new AttackerNamespace(NetworkNamespace.Create(name), serverNamespace);
        ExitCleanup.Register(attacker);
        try
        {
            attacker.Build();
        }
        catch
        {
            attacker.Dispose();
            throw;
        }

        return attacker;
    }

    /// <summary>Attaches to the namespace's TUN device; the caller owns the returned device (hand it to a <see cref="TunNodeHost"/>).</summary>
    /// <exception cref="Native.LibcException">The device could not be opened.</exception>
    public TunDevice OpenTun() => TunDevice.Open(TunName, Name);

    /// <summary>Deletes the namespace, its TUN device and the veth pair (the server's end goes with its peer).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _namespace.Dispose();
        ExitCleanup.Unregister(this);
    }

    private void Build()
    {
        // Reverse-path filtering off before the devices exist, so they inherit it: a spoofed
        // source arrives on the TUN device while its route points at the veth.
        _namespace.Exec("sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0", "net.ipv4.ip_forward=1");
        Server("link", "add", ServerDevice, "type", "veth", "peer", "name", AttackerDevice, "netns", Name);
        string ethtool = HostCommand.Find("ethtool") ?? throw new HostCommandException("ethtool is not installed (Debian package ethtool); the attacker's veth needs its offloads off");
        HostCommand.Run("ip", ["netns", "exec", _server, "sysctl", "-q", "-w", $"net.ipv4.conf.{ServerDevice}.rp_filter=0"], CommandTimeout);
        foreach ((string ns, string device) in new[] { (_server, ServerDevice), (Name, AttackerDevice) })
        {
            // MTU-sized packets with complete checksums, as on a real wire and in captures.
            HostCommand.Run("ip", ["netns", "exec", ns, ethtool, "-K", device, "tso", "off", "gso", "off", "gro", "off", "tx", "off"], CommandTimeout);
            HostCommand.Run("ip", ["-n", ns, "link", "set", device, "up"], CommandTimeout);
        }

        Server("address", "add", $"{ServerSideAddress}/28", "dev", ServerDevice);
        Server("route", "add", "192.0.2.48/28", "via", RouterAddress.ToString(), "dev", ServerDevice);
        Own("address", "add", $"{RouterAddress}/28", "dev", AttackerDevice);
        Own("route", "add", "default", "via", ServerSideAddress.ToString(), "dev", AttackerDevice);
        Own("tuntap", "add", "dev", TunName, "mode", "tun");
        Own("link", "set", TunName, "mtu", "1500", "up");
        Own("route", "add", "192.0.2.48/28", "dev", TunName);
    }

    private void Server(params string[] arguments) => HostCommand.Run("ip", ["-n", _server, .. arguments], CommandTimeout);

    private void Own(params string[] arguments) => HostCommand.Run("ip", ["-n", Name, .. arguments], CommandTimeout);
}
