using System.Runtime.InteropServices;

namespace MptcpPrivacy.Linux.Netlink;

/// <summary>
/// The libc calls a netlink socket needs beyond those of <see cref="Native.Libc"/> (which opens,
/// polls and closes it), in the same style: callers check the result and turn a failure into a
/// <see cref="Native.LibcException"/>.
/// </summary>
internal static unsafe partial class NetlinkNative
{
    /// <summary>recv(2) flag: do not block.</summary>
    public const int MSG_DONTWAIT = 0x40;

    /// <summary>recv(2) flag: report the datagram's full length even when the buffer is shorter.</summary>
    public const int MSG_TRUNC = 0x20;

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, SockAddrNetlink* address, uint length);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    public static partial int GetSockName(int fd, SockAddrNetlink* address, uint* length);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, byte* buffer, nuint length, int flags, SockAddrNetlink* address, uint addressLength);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, byte* buffer, nuint length, int flags);

    /// <summary>struct sockaddr_nl.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrNetlink
    {
        /// <summary>AF_NETLINK.</summary>
        public ushort Family;

        /// <summary>Zero.</summary>
        public ushort Pad;

        /// <summary>The port ID: 0 for the kernel, or to let the kernel assign ours at bind.</summary>
        public uint PortId;

        /// <summary>A bit mask of multicast groups 1 to 32 (rtnetlink's legacy RTMGRP_* masks).</summary>
        public uint Groups;
    }
}
