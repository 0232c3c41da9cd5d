using System.Runtime.InteropServices;

namespace MptcpPrivacy.Linux.Native;

/// <summary>
/// The few libc calls the TUN host and the kernel-socket helpers make, with the constants they use
/// (values of Linux on x86-64 and arm64, where they agree). Callers check the result and turn a
/// failure into a <see cref="LibcException"/>.
/// </summary>
internal static unsafe partial class Libc
{
    /// <summary>errno: interrupted by a signal; the call is repeated.</summary>
    public const int EINTR = 4;

    /// <summary>errno: nothing to read now on a non-blocking descriptor.</summary>
    public const int EAGAIN = 11;

    /// <summary>errno: no buffer space (a full queue).</summary>
    public const int ENOBUFS = 105;

    /// <summary>errno: no such device (a TUN interface that went away).</summary>
    public const int ENODEV = 19;

    /// <summary>open(2): read and write.</summary>
    public const int O_RDWR = 0x2;

    /// <summary>open(2): non-blocking.</summary>
    public const int O_NONBLOCK = 0x800;

    /// <summary>open(2): close on exec.</summary>
    public const int O_CLOEXEC = 0x80000;

    /// <summary>eventfd(2): non-blocking.</summary>
    public const int EFD_NONBLOCK = 0x800;

    /// <summary>eventfd(2): close on exec.</summary>
    public const int EFD_CLOEXEC = 0x80000;

    /// <summary>poll(2): data to read.</summary>
    public const short POLLIN = 0x1;

    /// <summary>poll(2): an error condition.</summary>
    public const short POLLERR = 0x8;

    /// <summary>poll(2): hung up.</summary>
    public const short POLLHUP = 0x10;

    /// <summary>socket(2): a byte stream.</summary>
    public const int SOCK_STREAM = 1;

    /// <summary>socket(2): close on exec.</summary>
    public const int SOCK_CLOEXEC = 0x80000;

    /// <summary>socket(2): IPPROTO_MPTCP.</summary>
    public const int IPPROTO_MPTCP = 262;

    /// <summary>Address family numbers of Linux.</summary>
    public const int AF_INET = 2;

    /// <summary>Address family numbers of Linux.</summary>
    public const int AF_INET6 = 10;

    /// <summary>Socket-level options.</summary>
    public const int SOL_SOCKET = 1;

    /// <summary>SO_LINGER at SOL_SOCKET.</summary>
    public const int SO_LINGER = 13;

    /// <summary>TCP-level options (IPPROTO_TCP).</summary>
    public const int SOL_TCP = 6;

    /// <summary>TCP_IS_MPTCP at SOL_TCP: 1 when the socket runs MPTCP (not fallen back).</summary>
    public const int TCP_IS_MPTCP = 43;

    /// <summary>MPTCP-level options.</summary>
    public const int SOL_MPTCP = 284;

    /// <summary>MPTCP_INFO at SOL_MPTCP: struct mptcp_info.</summary>
    public const int MPTCP_INFO = 1;

    /// <summary>setns(2): a network namespace.</summary>
    public const int CLONE_NEWNET = 0x40000000;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEUid();

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, void* value, uint* length);

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        /// <summary>The descriptor.</summary>
        public int Fd;

        /// <summary>The events asked for.</summary>
        public short Events;

        /// <summary>The events that happened.</summary>
        public short Revents;
    }
}
