using System.Text;
using MptcpPrivacy.Linux.Native;

using MptcpPrivacy.Linux.Namespaces;

namespace MptcpPrivacy.Linux.Tun;

/// <summary>
/// A Linux TUN interface opened through <c>/dev/net/tun</c>: whole IPv4 and IPv6 packets, no
/// link header and no packet-information prefix (<c>IFF_TUN | IFF_NO_PI</c>), non-blocking. The
/// interface lives in the network namespace of the thread that opens it (open it from
/// <see cref="Namespaces.NetworkNamespace.Run{T}"/>); it is created when missing and then goes
/// away with the last descriptor, unless it was made persistent (<c>ip tuntap add</c>).
/// </summary>
public sealed class TunDevice : IDisposable
{
    /// <summary>The largest packet a TUN interface hands out or takes (its MTU cannot exceed it).</summary>
    public const int MaximumPacketLength = 65535;

    /// <summary>_IOW('T', 202, int): attach the descriptor to an interface.</summary>
    private const uint TunSetIff = 0x400454ca;

    private const short IffTun = 0x0001;
    private const short IffNoPi = 0x1000;

    /// <summary>IFNAMSIZ: an interface name and its terminating zero.</summary>
    private const int NameSize = 16;

    private int _fd;

    private TunDevice(int fd, string name)
    {
        _fd = fd;
        Name = name;
    }

    /// <summary>Gets the interface's name.</summary>
    public string Name { get; }

    /// <summary>Gets the file descriptor, for <c>poll(2)</c>.</summary>
    internal int Descriptor => _fd >= 0 ? _fd : throw new ObjectDisposedException(nameof(TunDevice));

    /// <summary>Attaches to the TUN interface <paramref name="name"/> in the calling thread's network namespace, creating it when missing.</summary>
    /// <exception cref="ArgumentException">The name is empty or longer than 15 bytes.</exception>
    /// <exception cref="LibcException">No <c>/dev/net/tun</c>, no permission (needs CAP_NET_ADMIN), or the name belongs to another kind of interface.</exception>
    public static unsafe TunDevice Open(string name)
    {
        int nameLength = Encoding.UTF8.GetByteCount(name);
        if (nameLength is 0 or >= NameSize || name.Contains('/') || name.Contains('\0'))
        {
            throw new ArgumentException($"'{name}' is no interface name (1 to {NameSize - 1} bytes).", nameof(name));
        }

        int fd = Libc.Open("/dev/net/tun", Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (fd < 0)
        {
            throw LibcException.FromLastError("open(/dev/net/tun)");
        }

        // struct ifreq: char ifr_name[IFNAMSIZ], then a union whose first member here is short ifr_flags.
        byte* request = stackalloc byte[40];
        new Span<byte>(request, 40).Clear();
        Encoding.UTF8.GetBytes(name, new Span<byte>(request, NameSize));
        *(short*)(request + NameSize) = IffTun | IffNoPi;
        if (Libc.Ioctl(fd, TunSetIff, request) < 0)
        {
            var failure = LibcException.FromLastError($"ioctl(TUNSETIFF {name})");
            Libc.Close(fd);
            throw failure;
        }

        return new TunDevice(fd, name);
    }

    /// <summary>
    /// Attaches to the TUN interface <paramref name="name"/> in the named network namespace
    /// <paramref name="networkNamespace"/> (<c>/var/run/netns/NAME</c>, as <c>ip netns</c> makes),
    /// or in the calling thread's when it is null. The device stays in that namespace and is usable
    /// from any thread.
    /// </summary>
    /// <exception cref="ArgumentException">A bad interface or namespace name.</exception>
    /// <exception cref="LibcException">The namespace or the device could not be opened.</exception>
    public static TunDevice Open(string name, string? networkNamespace)
    {
        if (networkNamespace is null)
        {
            return Open(name);
        }

        if (networkNamespace.Length == 0 || networkNamespace.Contains('/') || networkNamespace is "." or "..")
        {
            throw new ArgumentException($"'{networkNamespace}' is no namespace name.", nameof(networkNamespace));
        }

        return NetworkNamespace.RunIn(networkNamespace, () => Open(name));
    }

    /// <summary>
    /// Reads one packet into <paramref name="buffer"/> and returns its length, or 0 when none is
    /// waiting. A packet longer than the buffer is cut (give <see cref="MaximumPacketLength"/> bytes).
    /// </summary>
    /// <exception cref="LibcException">The interface is gone or the read failed.</exception>
    public unsafe int Read(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = Libc.Read(Descriptor, p, (nuint)buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }

                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == Libc.EAGAIN)
                {
                    return 0;
                }

                if (errno != Libc.EINTR)
                {
                    throw new LibcException($"read({Name})", errno);
                }
            }
        }
    }

    /// <summary>
    /// Writes one packet to the interface: the kernel receives it as if it had arrived. Returns false
    /// when the kernel had no room for it now (it is dropped, as a full queue drops).
    /// </summary>
    /// <exception cref="LibcException">The interface is gone or the kernel refused the packet.</exception>
    public unsafe bool Write(ReadOnlySpan<byte> packet)
    {
        fixed (byte* p = packet)
        {
            while (true)
            {
                nint n = Libc.Write(Descriptor, p, (nuint)packet.Length);
                if (n >= 0)
                {
                    return true;
                }

                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno is Libc.EAGAIN or Libc.ENOBUFS)
                {
                    return false;
                }

                if (errno != Libc.EINTR)
                {
                    throw new LibcException($"write({Name})", errno);
                }
            }
        }
    }

    /// <summary>Closes the descriptor; an interface this created (not persistent) goes away.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
