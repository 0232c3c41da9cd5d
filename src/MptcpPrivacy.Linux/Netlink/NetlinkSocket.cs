using System.Diagnostics;
using MptcpPrivacy.Linux.Native;

namespace MptcpPrivacy.Linux.Netlink;

/// <summary>What <see cref="NetlinkSocket.Receive"/> got.</summary>
public enum NetlinkReceive
{
    /// <summary>A datagram.</summary>
    Datagram,

    /// <summary>Nothing within the timeout.</summary>
    TimedOut,

    /// <summary>The socket's queue overflowed (ENOBUFS): messages were lost; the socket works on.</summary>
    Overrun,
}

/// <summary>
/// A netlink socket (<c>socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol)</c>), bound, with
/// extended ACKs on. It belongs to the network namespace of the thread that opens it and is usable
/// from any thread afterwards, one at a time. Every wait is bounded by a timeout.
/// </summary>
public sealed unsafe class NetlinkSocket : IDisposable
{
    private int _fd;
    private uint _sequence;

    private NetlinkSocket(int fd, uint portId)
    {
        _fd = fd;
        PortId = portId;
        _sequence = (uint)Environment.TickCount;
    }

    /// <summary>Gets the descriptor, for <c>poll(2)</c>.</summary>
    public int Descriptor => _fd;

    /// <summary>Gets the port ID the kernel gave the socket.</summary>
    public uint PortId { get; }

    /// <summary>
    /// Opens a socket of netlink <paramref name="protocol"/> (<see cref="Netlink.NETLINK_GENERIC"/>,
    /// <see cref="Netlink.NETLINK_ROUTE"/>) in the calling thread's network namespace, bound to the
    /// legacy multicast groups of <paramref name="groupMask"/> (rtnetlink's RTMGRP_* bits; 0 for none).
    /// </summary>
    /// <exception cref="LibcException">The kernel refused.</exception>
    public static NetlinkSocket Open(int protocol, uint groupMask = 0)
    {
        int fd = Libc.Socket(Netlink.AF_NETLINK, Netlink.SOCK_RAW | Libc.SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            throw LibcException.FromLastError($"socket(AF_NETLINK, SOCK_RAW, {protocol})");
        }

        try
        {
            int on = 1;
            Check(Libc.SetSockOpt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, &on, sizeof(int)), "setsockopt(NETLINK_CAP_ACK)");
            Check(Libc.SetSockOpt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, &on, sizeof(int)), "setsockopt(NETLINK_EXT_ACK)");
            var address = new NetlinkNative.SockAddrNetlink { Family = Netlink.AF_NETLINK, Groups = groupMask };
            Check(NetlinkNative.Bind(fd, &address, (uint)sizeof(NetlinkNative.SockAddrNetlink)), $"bind(netlink protocol {protocol}, groups 0x{groupMask:x})");
            uint length = (uint)sizeof(NetlinkNative.SockAddrNetlink);
            Check(NetlinkNative.GetSockName(fd, &address, &length), "getsockname(netlink)");
            return new NetlinkSocket(fd, address.PortId);
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    /// <summary>Joins multicast group <paramref name="group"/> (a generic netlink family's group ID, see <see cref="GenericNetlinkFamily"/>).</summary>
    /// <exception cref="LibcException">The kernel refused (EPERM without CAP_NET_ADMIN for a privileged group).</exception>
    public void JoinGroup(uint group)
    {
        uint value = group;
        Check(Libc.SetSockOpt(_fd, Netlink.SOL_NETLINK, Netlink.NETLINK_ADD_MEMBERSHIP, &value, sizeof(uint)), $"setsockopt(NETLINK_ADD_MEMBERSHIP {group})");
    }

    /// <summary>Returns a fresh sequence number for a request.</summary>
    public uint NextSequence() => ++_sequence == 0 ? ++_sequence : _sequence;

    /// <summary>Sends <paramref name="message"/> to the kernel.</summary>
    /// <exception cref="LibcException">The send failed; the message names <paramref name="what"/>.</exception>
    public void Send(ReadOnlySpan<byte> message, string what)
    {
        var kernel = new NetlinkNative.SockAddrNetlink { Family = Netlink.AF_NETLINK };
        fixed (byte* bytes = message)
        {
            while (true)
            {
                nint sent = NetlinkNative.SendTo(_fd, bytes, (nuint)message.Length, 0, &kernel, (uint)sizeof(NetlinkNative.SockAddrNetlink));
                if (sent >= 0)
                {
                    return;
                }

                LibcException error = LibcException.FromLastError($"sendto(netlink, {what})");
                if (error.Errno != Libc.EINTR)
                {
                    throw error;
                }
            }
        }
    }

    /// <summary>
    /// Waits at most <paramref name="timeout"/> for a datagram and copies it into
    /// <paramref name="buffer"/> (<paramref name="length"/> bytes; a longer one is cut, which the
    /// parsers then report). Overrun and timeout are results, not exceptions.
    /// </summary>
    /// <exception cref="LibcException">poll or recv failed otherwise.</exception>
    public NetlinkReceive Receive(Span<byte> buffer, TimeSpan timeout, out int length)
    {
        length = 0;
        var pollFd = new Libc.PollFd { Fd = _fd, Events = Libc.POLLIN };
        int ready = Libc.Poll(&pollFd, 1, (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue));
        if (ready < 0)
        {
            LibcException error = LibcException.FromLastError("poll(netlink)");
            return error.Errno == Libc.EINTR ? NetlinkReceive.TimedOut : throw error;
        }

        return ready == 0 ? NetlinkReceive.TimedOut : ReceiveNow(buffer, out length);
    }

    /// <summary>Reads one datagram if one is queued, without waiting.</summary>
    /// <exception cref="LibcException">recv failed (other than nothing to read or an overrun).</exception>
    public NetlinkReceive ReceiveNow(Span<byte> buffer, out int length)
    {
        length = 0;
        fixed (byte* bytes = buffer)
        {
            nint received = NetlinkNative.Recv(_fd, bytes, (nuint)buffer.Length, NetlinkNative.MSG_DONTWAIT);
            if (received >= 0)
            {
                length = (int)received;
                return NetlinkReceive.Datagram;
            }

            LibcException error = LibcException.FromLastError("recv(netlink)");
            return error.Errno switch
            {
                Libc.EAGAIN or Libc.EINTR => NetlinkReceive.TimedOut,
                Libc.ENOBUFS => NetlinkReceive.Overrun,
                _ => throw error,
            };
        }
    }

    /// <summary>
    /// Sends request <paramref name="message"/> (which asked for an ACK, with sequence number
    /// <paramref name="sequence"/>) and collects the replies to it until the kernel's
    /// acknowledgement, waiting at most <paramref name="timeout"/> in all.
    /// </summary>
    /// <exception cref="NetlinkException">The kernel refused (its errno and explanation), answered with bytes that do not parse, or not at all.</exception>
    public IReadOnlyList<byte[]> Request(byte[] message, uint sequence, string what, TimeSpan timeout)
    {
        Send(message, what);
        var replies = new List<byte[]>();
        byte[] buffer = new byte[65536];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            NetlinkReceive got = Receive(buffer, timeout - clock.Elapsed, out int length);
            if (got == NetlinkReceive.Overrun)
            {
                throw new NetlinkException(what, Libc.ENOBUFS, "the reply was lost (socket queue overrun)");
            }

            if (got != NetlinkReceive.Datagram)
            {
                continue;
            }

            var reader = new NetlinkMessageReader(buffer.AsSpan(0, length));
            while (reader.MoveNext(out NetlinkMessage reply))
            {
                if (reply.Sequence != sequence)
                {
                    continue; // an event or a late answer to an earlier request
                }

                if (reply.Type != Netlink.NLMSG_ERROR)
                {
                    replies.Add(buffer.AsSpan(reply.Offset, Netlink.MessageHeaderLength + reply.Payload.Length).ToArray());
                    continue;
                }

                if (!reply.TryReadError(out int errno, out _, out string? explanation, out NetlinkError bad))
                {
                    throw new NetlinkException(what, 0, $"unreadable answer: {bad}");
                }

                return errno == 0 ? replies : throw new NetlinkException(what, errno, explanation);
            }

            if (reader.Error is { } error)
            {
                throw new NetlinkException(what, 0, $"unreadable answer: {error}");
            }
        }

        throw new NetlinkException(what, 0, $"no answer within {timeout.TotalMilliseconds:0} ms");
    }

    /// <summary>Closes the socket.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }

    private static void Check(int result, string call)
    {
        if (result < 0)
        {
            throw LibcException.FromLastError(call);
        }
    }
}
