using System.Net;
using System.Net.Sockets;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Linux.Tun;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Linux;

/// <summary>
/// <see cref="TunNodeHost"/>: its round logic (<see cref="NodePump"/>, the timeout rounding of
/// <see cref="TunPollLoop"/>) with a scripted node and a manual clock, and, as root, a node on a real
/// TUN device answering the kernel.
/// </summary>
public sealed class TunNodeHostTests
{
    [Fact]
    public void APacketReadReachesTheNodeOnInterfaceZeroAtTheTimeGiven()
    {
        var node = new ScriptedNode();
        var pump = new NodePump(node);

        pump.Deliver(1_234, [0x45, 1, 2]);

        (long now, int interfaceIndex, byte[] packet) = Assert.Single(node.Received);
        Assert.Equal(1_234, now);
        Assert.Equal(0, interfaceIndex);
        Assert.Equal(new byte[] { 0x45, 1, 2 }, packet);
        Assert.Equal(1, pump.PacketsDelivered);
    }

    [Fact]
    public void CollectTakesAtMostTheLimitAndSaysWhenTheNodeMayHaveMore()
    {
        var node = new ScriptedNode();
        for (int i = 0; i < 5; i++)
        {
            node.Outbox.Enqueue(new OutgoingPacket(0, [(byte)i]));
        }

        var pump = new NodePump(node);
        var taken = new List<byte[]>();

        Assert.True(pump.Collect(now: 7, limit: 3, taken));
        Assert.Equal(3, taken.Count);
        Assert.False(pump.Collect(now: 8, limit: 3, taken));
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4 }, taken.Select(p => p[0]));
        Assert.Equal(new long[] { 7, 7, 7, 8, 8, 8 }, node.PolledAt);
    }

    [Fact]
    public void APacketForAnotherInterfaceIsDroppedAndCounted()
    {
        var node = new ScriptedNode();
        node.Outbox.Enqueue(new OutgoingPacket(1, [9]));
        node.Outbox.Enqueue(new OutgoingPacket(0, [8]));
        var pump = new NodePump(node);
        var taken = new List<byte[]>();

        Assert.False(pump.Collect(now: 0, limit: 4, taken));

        Assert.Equal(new byte[] { 8 }, Assert.Single(taken));
        Assert.Equal(1, pump.WrongInterface);
    }

    [Theory]
    [InlineData(5_000_000L, 5_000_000L, 0)]      // due now
    [InlineData(5_000_000L, 4_000_000L, 0)]      // overdue
    [InlineData(0L, 1L, 1)]                      // one nanosecond away: never polled early
    [InlineData(0L, 1_000_000L, 1)]
    [InlineData(0L, 1_000_001L, 2)]
    [InlineData(0L, 999_000_000_000L, TunPollLoop.IdlePollMilliseconds)]
    [InlineData(3L, long.MaxValue, TunPollLoop.IdlePollMilliseconds)] // no deadline
    public void TheNodesDeadlineBecomesAPollTimeoutRoundedUpAndBounded(long now, long deadline, int expected)
    {
        var node = new ScriptedNode { Deadline = deadline };
        Assert.Equal(expected, new NodePump(node).Timeout(now, more: false));
        Assert.Equal(now, node.DeadlineAskedAt);
    }

    [Fact]
    public void AFullBatchAsksForTheNextRoundAtOnce()
    {
        var node = new ScriptedNode { Deadline = long.MaxValue };
        Assert.Equal(0, new NodePump(node).Timeout(0, more: true));
    }

    [Fact]
    public void ANodeOnATunDeviceAnswersTheKernelAndStopsOnDispose()
    {
        Privileges.RequireRoot("TUN devices");
        using NetworkNamespace ns = TunTestbed.CreateNamespace();
        var echo = new UdpEcho();
        var host = new TunNodeHost(ns.Run(() => TunDevice.Open(TunTestbed.DeviceName)), echo);
        try
        {
            // 198.51.100.2 is routed to the TUN device; the node sends each datagram back.
            using Socket socket = ns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
            socket.Bind(new IPEndPoint(TunTestbed.Kernel4, 0));
            socket.ReceiveTimeout = 5000;
            byte[] reply = new byte[64];
            for (int i = 0; i < 3; i++)
            {
                byte[] message = [(byte)'e', (byte)'c', (byte)'h', (byte)'o', (byte)i];
                socket.SendTo(message, new IPEndPoint(TunTestbed.Ours4.ToIPAddress(), 7));
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int n = socket.ReceiveFrom(reply, ref from);
                Assert.Equal(message, reply[..n]);
                Assert.Equal(new IPEndPoint(TunTestbed.Ours4.ToIPAddress(), 7), from);
            }

            Assert.Null(host.Failure);
            lock (host.Gate)
            {
                Assert.True(echo.Echoed >= 3);
                Assert.True(echo.LastNow > 0, "the node's clock did not run");
            }
        }
        finally
        {
            host.Dispose();
        }

        // Counted once the host's thread has stopped: it counts a write after the write returns,
        // by when the kernel may already have handed the reply to the socket above.
        Assert.True(host.PacketsSent >= 3);
        Assert.Null(host.Failure);
    }

    /// <summary>A node whose transmissions and deadline the test sets, and which records its calls.</summary>
    private sealed class ScriptedNode : INode
    {
        public string Name => "scripted";

        public List<(long Now, int InterfaceIndex, byte[] Packet)> Received { get; } = [];

        public Queue<OutgoingPacket> Outbox { get; } = new();

        public List<long> PolledAt { get; } = [];

        public long Deadline { get; init; } = long.MaxValue;

        public long? DeadlineAskedAt { get; private set; }

        public void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket) => Received.Add((now, interfaceIndex, ipPacket.ToArray()));

        public bool PollTransmit(long now, out OutgoingPacket packet)
        {
            PolledAt.Add(now);
            return Outbox.TryDequeue(out packet);
        }

        public long NextDeadline(long now)
        {
            DeadlineAskedAt = now;
            return Deadline;
        }
    }

    /// <summary>
    /// Sends every IPv4 UDP datagram back with addresses and ports swapped (the checksums, sums of
    /// the same words, stay right).
    /// </summary>
    private sealed class UdpEcho : INode
    {
        private readonly Queue<byte[]> _out = new();

        public string Name => "echo";

        public int Echoed { get; private set; }

        public long LastNow { get; private set; }

        public void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket)
        {
            LastNow = now;
            if (ipPacket.Length < 28 || ipPacket[0] >> 4 != 4 || ipPacket[9] != 17)
            {
                return;
            }

            byte[] reply = ipPacket.ToArray();
            int udp = (reply[0] & 0xF) * 4;
            Swap(reply.AsSpan(12, 4), reply.AsSpan(16, 4));
            Swap(reply.AsSpan(udp, 2), reply.AsSpan(udp + 2, 2));
            _out.Enqueue(reply);
            Echoed++;
        }

        public bool PollTransmit(long now, out OutgoingPacket packet)
        {
            bool any = _out.TryDequeue(out byte[]? data);
            packet = any ? new OutgoingPacket(0, data!) : default;
            return any;
        }

        public long NextDeadline(long now) => _out.Count > 0 ? now : long.MaxValue;

        private static void Swap(Span<byte> a, Span<byte> b)
        {
            Span<byte> t = stackalloc byte[a.Length];
            a.CopyTo(t);
            b.CopyTo(a);
            t.CopyTo(b);
        }
    }
}
