using System.Net;
using System.Net.Sockets;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Linux.Sockets;
using MptcpPrivacy.Linux.Tun;
using MptcpPrivacy.Stack.Api;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Linux;

/// <summary>
/// One network namespace holding the kernel's MPTCP and our stack on a TUN device: the kernel's
/// service addresses 192.0.2.1 and 2001:db8::1 sit on its loopback, and it routes our addresses
/// (198.51.100.2, 203.0.113.2, 2001:db8:1::2) to tun0, where <see cref="Host"/> runs the stack.
/// Dispose stops the host and deletes the namespace, whatever happened.
/// </summary>
internal sealed class TunTestbed : IDisposable
{
    public const string DeviceName = "tun0";

    public static readonly IpAddressBytes Ours4 = IpAddressBytes.Parse("198.51.100.2");
    public static readonly IpAddressBytes Ours4Second = IpAddressBytes.Parse("203.0.113.2");
    public static readonly IpAddressBytes Ours6 = IpAddressBytes.Parse("2001:db8:1::2");
    public static readonly IPAddress Kernel4 = IPAddress.Parse("192.0.2.1");
    public static readonly IPAddress Kernel6 = IPAddress.Parse("2001:db8::1");

    private static int _count;

    private TunTestbed(NetworkNamespace ns, TunStackHost host)
    {
        Namespace = ns;
        Host = host;
    }

    public NetworkNamespace Namespace { get; }

    public TunStackHost Host { get; }

    /// <summary>Makes the namespace and starts a host running a stack with <paramref name="options"/>; <paramref name="kernelChecksums"/> turns the kernel's DSS checksums on.</summary>
    public static TunTestbed Create(MptcpOptions options, int seed, bool kernelChecksums = false, IPacketTap? tap = null)
    {
        NetworkNamespace ns = CreateNamespace(kernelChecksums);
        TunDevice? device = null;
        try
        {
            device = ns.Run(() => TunDevice.Open(DeviceName));
            var host = new TunStackHost(device, new MptcpEndpoint(options, new Random(seed)), tap);
            return new TunTestbed(ns, host);
        }
        catch
        {
            device?.Dispose();
            ns.Dispose();
            throw;
        }
    }

    /// <summary>Makes a namespace set up as <see cref="Configure"/> does, with a name unique to this process; deleted again if the set-up fails.</summary>
    public static NetworkNamespace CreateNamespace(bool kernelChecksums = false)
    {
        NetworkNamespace ns = NetworkNamespace.Create($"mpt{Environment.ProcessId}-tun{Interlocked.Increment(ref _count)}");
        try
        {
            Configure(ns, kernelChecksums);
            return ns;
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    /// <summary>Sets up the namespace as the class summary says (as a shell script would with <c>ip</c> and <c>sysctl</c>).</summary>
    public static void Configure(NetworkNamespace ns, bool kernelChecksums)
    {
        ns.Exec("ip", "tuntap", "add", "dev", DeviceName, "mode", "tun");
        ns.Exec("ip", "link", "set", DeviceName, "up");
        foreach (string scope in new[] { "all", "default", DeviceName })
        {
            ns.Exec("sysctl", "-q", "-w", $"net.ipv4.conf.{scope}.rp_filter=0");
        }

        ns.Exec("sysctl", "-q", "-w", $"net.mptcp.checksum_enabled={(kernelChecksums ? 1 : 0)}");
        ns.Exec("ip", "address", "add", "192.0.2.1/32", "dev", "lo");
        ns.Exec("ip", "-6", "address", "add", "2001:db8::1/128", "dev", "lo", "nodad");
        ns.Exec("ip", "route", "add", "198.51.100.2/32", "dev", DeviceName);
        ns.Exec("ip", "route", "add", "203.0.113.2/32", "dev", DeviceName);
        ns.Exec("ip", "-6", "route", "add", "2001:db8:1::2/128", "dev", DeviceName);
        ns.Exec("ip", "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "2");
    }

    /// <summary>Opens a kernel MPTCP socket inside the namespace.</summary>
    public Socket KernelSocket(AddressFamily family) => Namespace.Run(() => KernelMptcpSocket.Create(family));

    /// <summary>Opens a kernel MPTCP listener on <paramref name="address"/>:<paramref name="port"/> inside the namespace.</summary>
    public Socket KernelListener(IPAddress address, int port)
    {
        Socket listener = KernelSocket(address.AddressFamily);
        try
        {
            listener.Bind(new IPEndPoint(address, port));
            listener.Listen(4);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="data"/> on our stream, then half-closes it, while reading everything the peer sends until its end; returns what was read.</summary>
    public static async Task<byte[]> ExchangeAsync(MptcpStream stream, TunStackHost host, byte[] data, CancellationToken cancellationToken)
    {
        Task writer = Task.Run(
            async () =>
            {
                for (int offset = 0; offset < data.Length; offset += 64 * 1024)
                {
                    await stream.WriteAsync(data.AsMemory(offset, Math.Min(64 * 1024, data.Length - offset)), cancellationToken);
                }

                lock (host.Gate)
                {
                    stream.Connection.Close();
                    host.Wake();
                }
            },
            cancellationToken);
        byte[] received = await ReadAllAsync(stream, cancellationToken);
        await writer;
        return received;
    }

    /// <summary>Sends <paramref name="data"/> on a kernel socket, then shuts its sending side, while reading until the peer's end; returns what was read.</summary>
    public static async Task<byte[]> ExchangeAsync(Socket socket, byte[] data, CancellationToken cancellationToken)
    {
        Task writer = Task.Run(
            async () =>
            {
                for (int offset = 0; offset < data.Length;)
                {
                    offset += await socket.SendAsync(data.AsMemory(offset), SocketFlags.None, cancellationToken);
                }

                socket.Shutdown(SocketShutdown.Send);
            },
            cancellationToken);
        using var received = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        await writer;
        return received.ToArray();
    }

    /// <summary>Waits (at most <paramref name="limit"/>, polling every 50 ms) until <paramref name="condition"/> holds; returns whether it did.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan limit)
    {
        for (int i = 0; i < (int)(limit.TotalMilliseconds / 50); i++)
        {
            if (condition())
            {
                return true;
            }

            Thread.Sleep(50);
        }

        return condition();
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public void Dispose()
    {
        try
        {
            Host.Dispose();
        }
        finally
        {
            Namespace.Dispose();
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        return received.ToArray();
    }
}
