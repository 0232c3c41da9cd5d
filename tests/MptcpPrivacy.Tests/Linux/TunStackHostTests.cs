using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using MptcpPrivacy.Linux.Sockets;
using MptcpPrivacy.Linux.Tun;
using MptcpPrivacy.Stack.Api;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Linux;

/// <summary>
/// Our stack on a TUN device against the kernel's MPTCP in the same namespace, both directions:
/// data both ways with equal SHA-256 at both ends, MPTCP kept (no fallback) on both sides.
/// </summary>
public class TunStackHostTests
{
    private const int Size = 2 * 1024 * 1024;

    [Fact]
    public async Task OurClientExchangesDataWithAKernelServerOverIpv4()
    {
        Privileges.RequireRoot("TUN devices");
        using TunTestbed bed = TunTestbed.Create(new MptcpOptions(), seed: 11);
        await OurClientToKernelServer(bed, TunTestbed.Ours4, TunTestbed.Kernel4, 5001);
    }

    [Fact]
    public async Task OurClientExchangesDataWithAKernelServerOverIpv6()
    {
        Privileges.RequireRoot("TUN devices");
        using TunTestbed bed = TunTestbed.Create(new MptcpOptions(), seed: 12);
        await OurClientToKernelServer(bed, TunTestbed.Ours6, TunTestbed.Kernel6, 5001);
    }

    [Fact]
    public async Task RfcSection3_3_DssChecksumsAreUsedWhenBothSidesAskForThem()
    {
        Privileges.RequireRoot("TUN devices");
        using TunTestbed bed = TunTestbed.Create(new MptcpOptions { RequireChecksums = true }, seed: 13, kernelChecksums: true);
        MptcpConnection connection = await OurClientToKernelServer(bed, TunTestbed.Ours4, TunTestbed.Kernel4, 5001);
        lock (bed.Host.Gate)
        {
            Assert.True(connection.Checksums);
        }
    }

    [Fact]
    public async Task AKernelClientExchangesDataWithOurServer()
    {
        Privileges.RequireRoot("TUN devices");
        using TunTestbed bed = TunTestbed.Create(new MptcpOptions(), seed: 14);
        bed.Host.AddAddress(TunTestbed.Ours4, EndpointFlags.None);
        bed.Host.Listen(5002);
        using var cts = Limit();
        using Socket client = bed.KernelSocket(AddressFamily.InterNetwork);
        client.Bind(new IPEndPoint(TunTestbed.Kernel4, 0));
        await client.ConnectAsync(new IPEndPoint(TunTestbed.Ours4.ToIPAddress(), 5002), cts.Token);
        MptcpConnection connection = await bed.Host.AcceptAsync(cts.Token);
        await using var stream = new MptcpStream(connection, bed.Host);

        await ExchangeBothWaysAsync(stream, bed.Host, client, seed: 1, cts.Token);
        Assert.True(KernelMptcpSocket.IsMptcp(client));
        lock (bed.Host.Gate)
        {
            Assert.False(connection.IsFallback);
        }
    }

    [Fact]
    public async Task RfcSection3_2_OurJoinFromASecondAddressIsCountedByTheKernel()
    {
        Privileges.RequireRoot("TUN devices");
        using TunTestbed bed = TunTestbed.Create(new MptcpOptions(), seed: 15);
        bed.Host.AddAddress(TunTestbed.Ours4Second, EndpointFlags.Subflow);
        using var cts = Limit();
        using Socket listener = bed.KernelListener(TunTestbed.Kernel4, 5003);
        bed.Host.AddAddress(TunTestbed.Ours4, EndpointFlags.Subflow);
        MptcpConnection connection = bed.Host.Connect(TunTestbed.Ours4, IpAddressBytes.FromIPAddress(TunTestbed.Kernel4), 5003);
        using Socket server = await listener.AcceptAsync(cts.Token);
        await using var stream = new MptcpStream(connection, bed.Host);

        Assert.True(TunTestbed.WaitUntil(() => KernelMptcpSocket.Subflows(server) >= 1, TimeSpan.FromSeconds(30)), "the kernel never counted our join");
        await ExchangeBothWaysAsync(stream, bed.Host, server, seed: 3, cts.Token);
        Assert.Equal(1, KernelMptcpSocket.Subflows(server));
        lock (bed.Host.Gate)
        {
            Assert.Contains(connection.Subflows, s => s.Tuple.LocalAddress == TunTestbed.Ours4Second);
        }
    }

    [Fact]
    public async Task RfcSection3_4_2_WithdrawingOurSecondAddressRemovesItsSubflowAtTheKernel()
    {
        Privileges.RequireRoot("TUN devices");
        using TunTestbed bed = TunTestbed.Create(new MptcpOptions(), seed: 17);
        bed.Host.AddAddress(TunTestbed.Ours4Second, EndpointFlags.Subflow);
        using var cts = Limit();
        using Socket listener = bed.KernelListener(TunTestbed.Kernel4, 5004);
        bed.Host.AddAddress(TunTestbed.Ours4, EndpointFlags.Subflow);
        MptcpConnection connection = bed.Host.Connect(TunTestbed.Ours4, IpAddressBytes.FromIPAddress(TunTestbed.Kernel4), 5004);
        using Socket server = await listener.AcceptAsync(cts.Token);
        await using var stream = new MptcpStream(connection, bed.Host);
        Assert.True(TunTestbed.WaitUntil(() => KernelMptcpSocket.Subflows(server) == 1, TimeSpan.FromSeconds(30)), "the kernel never counted our join");

        bed.Host.Invoke((endpoint, now) => endpoint.RemoveEndpoint(TunTestbed.Ours4Second, now));

        Assert.True(TunTestbed.WaitUntil(() => KernelMptcpSocket.Subflows(server) == 0, TimeSpan.FromSeconds(30)), "the kernel kept the subflow of the withdrawn address");
        await ExchangeBothWaysAsync(stream, bed.Host, server, seed: 7, cts.Token);
    }

    [Fact]
    public void PacketsForAddressesTheHostDoesNotOwnAreCountedAndDropped()
    {
        Privileges.RequireRoot("TUN devices");
        using TunTestbed bed = TunTestbed.Create(new MptcpOptions(), seed: 16);
        bed.Host.AddAddress(TunTestbed.Ours4, EndpointFlags.None);

        // A kernel SYN to an address routed to the TUN that the host does not own.
        bed.Namespace.Exec("ip", "route", "add", "198.51.100.9/32", "dev", TunTestbed.DeviceName);
        using Socket stray = bed.KernelSocket(AddressFamily.InterNetwork);
        _ = stray.ConnectAsync(new IPEndPoint(IPAddress.Parse("198.51.100.9"), 9), TestContext.Current.CancellationToken);
        Assert.True(TunTestbed.WaitUntil(() => Read(bed, c => c.NotForUs) >= 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(0, Read(bed, c => c.SegmentsDelivered));
    }

    [Fact]
    public void RfcSection3_1_ASegmentWithAWrongChecksumIsCountedAndNotDelivered()
    {
        Privileges.RequireRoot("TUN devices");
        using TunTestbed bed = TunTestbed.Create(new MptcpOptions(), seed: 18);
        bed.Host.AddAddress(TunTestbed.Ours4, EndpointFlags.None);
        bed.Host.Listen(5005);

        // A SYN to a listening port, its checksum off by one, sent as it is through a raw socket.
        byte[] segment = new byte[TcpHeader.MinimumLength];
        new TcpHeaderFields { SourcePort = 40000, DestinationPort = 5005, SequenceNumber = 1, Flags = TcpFlags.Syn, Window = 65535 }.Encode(segment);
        Span<byte> source = stackalloc byte[4];
        Span<byte> destination = stackalloc byte[4];
        IpAddressBytes.FromIPAddress(TunTestbed.Kernel4).CopyTo(source);
        TunTestbed.Ours4.CopyTo(destination);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(TcpChecksum.FieldOffset), (ushort)(TcpChecksum.Compute(source, destination, segment) ^ 1));
        using Socket raw = bed.Namespace.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Tcp));
        raw.Bind(new IPEndPoint(TunTestbed.Kernel4, 0));
        raw.SendTo(segment, new IPEndPoint(TunTestbed.Ours4.ToIPAddress(), 0));

        Assert.True(TunTestbed.WaitUntil(() => Read(bed, c => c.BadChecksum) == 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(0, Read(bed, c => c.SegmentsDelivered));
        lock (bed.Host.Gate)
        {
            Assert.Empty(bed.Host.Endpoint.Connections);
        }
    }

    /// <summary>Sends a few megabytes each way at once (a little more from the kernel) and checks that both ends read exactly what the other sent.</summary>
    private static async Task ExchangeBothWaysAsync(MptcpStream stream, TunStackHost host, Socket kernel, int seed, CancellationToken cancellationToken)
    {
        byte[] ours = TunTestbed.RandomBytes(Size, seed);
        byte[] theirs = TunTestbed.RandomBytes(Size + 1234, seed + 1);
        Task<byte[]> atKernel = TunTestbed.ExchangeAsync(kernel, theirs, cancellationToken);
        byte[] atOurs = await TunTestbed.ExchangeAsync(stream, host, ours, cancellationToken);

        Assert.Equal(SHA256.HashData(theirs), SHA256.HashData(atOurs));
        Assert.Equal(SHA256.HashData(ours), SHA256.HashData(await atKernel));
    }

    private static long Read(TunTestbed bed, Func<TunHostCounters, long> counter)
    {
        lock (bed.Host.Gate)
        {
            return counter(bed.Host.Counters);
        }
    }

    private static CancellationTokenSource Limit()
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(60));
        return cts;
    }

    private static async Task<MptcpConnection> OurClientToKernelServer(TunTestbed bed, IpAddressBytes ours, IPAddress kernel, int port)
    {
        using var cts = Limit();
        using Socket listener = bed.KernelListener(kernel, port);
        bed.Host.AddAddress(ours, EndpointFlags.Subflow);
        MptcpConnection connection = bed.Host.Connect(ours, IpAddressBytes.FromIPAddress(kernel), (ushort)port);
        using Socket server = await listener.AcceptAsync(cts.Token);
        await using var stream = new MptcpStream(connection, bed.Host);

        await ExchangeBothWaysAsync(stream, bed.Host, server, seed: 5, cts.Token);
        Assert.True(KernelMptcpSocket.IsMptcp(server), "the kernel fell back to TCP");
        lock (bed.Host.Gate)
        {
            Assert.False(connection.IsFallback);
        }

        return connection;
    }
}
