using System.Net.Sockets;
using MptcpPrivacy.Linux.Native;

namespace MptcpPrivacy.Linux.Sockets;

/// <summary>
/// Sockets of the Linux kernel's own MPTCP (<c>IPPROTO_MPTCP</c> = 262), the peer our stack is
/// tested against. .NET refuses protocol 262 in <see cref="Socket"/>'s constructors, so the socket
/// is opened through libc and wrapped; after that it is an ordinary stream <see cref="Socket"/>.
/// A socket belongs to the network namespace of the thread that opens it.
/// </summary>
public static unsafe class KernelMptcpSocket
{
    /// <summary>The protocol number of MPTCP for <c>socket(2)</c>.</summary>
    public const int ProtocolNumber = Libc.IPPROTO_MPTCP;

    /// <summary>Opens an MPTCP stream socket of <paramref name="family"/> in the calling thread's network namespace.</summary>
    /// <exception cref="ArgumentException"><paramref name="family"/> is neither IPv4 nor IPv6.</exception>
    /// <exception cref="LibcException">The kernel has no MPTCP (<c>net.mptcp.enabled=0</c> gives ENOPROTOOPT) or refused.</exception>
    public static Socket Create(AddressFamily family)
    {
        int domain = family switch
        {
            AddressFamily.InterNetwork => Libc.AF_INET,
            AddressFamily.InterNetworkV6 => Libc.AF_INET6,
            _ => throw new ArgumentException($"MPTCP runs over IPv4 or IPv6, not {family}.", nameof(family)),
        };
        int fd = Libc.Socket(domain, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, Libc.IPPROTO_MPTCP);
        if (fd < 0)
        {
            throw LibcException.FromLastError($"socket({family}, SOCK_STREAM, IPPROTO_MPTCP)");
        }

        try
        {
            return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    /// <summary>
    /// Returns whether <paramref name="socket"/> runs MPTCP: false for a plain TCP socket and for an
    /// MPTCP socket that fell back to TCP (the peer did not answer MP_CAPABLE, say).
    /// </summary>
    /// <exception cref="LibcException">The socket is not a TCP or MPTCP socket.</exception>
    public static bool IsMptcp(Socket socket)
    {
        int value = 0;
        uint length = sizeof(int);
        Check(Libc.GetSockOpt(Descriptor(socket), Libc.SOL_TCP, Libc.TCP_IS_MPTCP, &value, &length), "getsockopt(TCP_IS_MPTCP)");
        return value != 0;
    }

    /// <summary>
    /// Returns the number of additional subflows of <paramref name="socket"/>'s connection (the
    /// kernel's <c>mptcpi_subflows</c>: joins, not counting the initial subflow).
    /// </summary>
    /// <exception cref="LibcException">The socket is not MPTCP, or fell back to TCP (EOPNOTSUPP).</exception>
    public static int Subflows(Socket socket)
    {
        // struct mptcp_info starts with __u8 mptcpi_subflows; the kernel copies no more than asked for.
        byte* info = stackalloc byte[64];
        new Span<byte>(info, 64).Clear();
        uint length = 64;
        Check(Libc.GetSockOpt(Descriptor(socket), Libc.SOL_MPTCP, Libc.MPTCP_INFO, info, &length), "getsockopt(MPTCP_INFO)");
        return info[0];
    }

    /// <summary>
    /// Sets SO_LINGER to {on, 0 s}: closing the socket then aborts the connection, which for MPTCP
    /// sends MP_FASTCLOSE (RFC 8684 §3.5) instead of a DATA_FIN.
    /// </summary>
    /// <exception cref="LibcException">The kernel refused the option.</exception>
    public static void SetAbortiveClose(Socket socket)
    {
        // struct linger { int l_onoff; int l_linger; }
        int* linger = stackalloc int[2];
        linger[0] = 1;
        linger[1] = 0;
        Check(Libc.SetSockOpt(Descriptor(socket), Libc.SOL_SOCKET, Libc.SO_LINGER, linger, 2 * sizeof(int)), "setsockopt(SO_LINGER)");
    }

    private static int Descriptor(Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();

    private static void Check(int result, string call)
    {
        if (result < 0)
        {
            throw LibcException.FromLastError(call);
        }
    }
}
