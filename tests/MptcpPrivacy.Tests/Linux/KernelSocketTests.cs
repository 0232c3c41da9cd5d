using System.Net;
using System.Net.Sockets;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Linux.Native;
using MptcpPrivacy.Linux.Sockets;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Linux;

/// <summary>Kernel MPTCP sockets opened through libc: they run MPTCP, plain TCP ones do not, and an abortive close resets the peer.</summary>
public class KernelSocketTests
{
    private static int _count;

    [Fact]
    public async Task AKernelMptcpConnectionOverLoopbackIsMptcpWithNoExtraSubflows()
    {
        Privileges.RequireRoot("network namespaces");
        using NetworkNamespace ns = NetworkNamespace.Create($"mpt{Environment.ProcessId}-ksock{Interlocked.Increment(ref _count)}");
        using var cts = Limit();
        using Socket listener = ns.Run(() => KernelMptcpSocket.Create(AddressFamily.InterNetwork));
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using Socket client = ns.Run(() => KernelMptcpSocket.Create(AddressFamily.InterNetwork));
        await client.ConnectAsync(listener.LocalEndPoint!, cts.Token);
        using Socket server = await listener.AcceptAsync(cts.Token);

        await client.SendAsync("ping"u8.ToArray(), SocketFlags.None, cts.Token);
        byte[] buffer = new byte[4];
        Assert.Equal(4, await server.ReceiveAsync(buffer, SocketFlags.None, cts.Token));
        Assert.True(KernelMptcpSocket.IsMptcp(client));
        Assert.True(KernelMptcpSocket.IsMptcp(server));
        Assert.Equal(0, KernelMptcpSocket.Subflows(server));
    }

    [Fact]
    public async Task APlainTcpSocketIsNotMptcpAndHasNoMptcpInfo()
    {
        Privileges.RequireRoot("network namespaces");
        using NetworkNamespace ns = NetworkNamespace.Create($"mpt{Environment.ProcessId}-ksock{Interlocked.Increment(ref _count)}");
        using var cts = Limit();
        using Socket listener = ns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using Socket client = ns.Run(() => KernelMptcpSocket.Create(AddressFamily.InterNetwork));
        await client.ConnectAsync(listener.LocalEndPoint!, cts.Token);
        using Socket server = await listener.AcceptAsync(cts.Token);

        // The MPTCP client fell back: the server answered without MP_CAPABLE.
        Assert.False(KernelMptcpSocket.IsMptcp(server));
        Assert.False(KernelMptcpSocket.IsMptcp(client));
        Assert.Throws<LibcException>(() => KernelMptcpSocket.Subflows(server));
    }

    [Fact]
    public async Task AnAbortiveCloseResetsThePeer()
    {
        Privileges.RequireRoot("network namespaces");
        using NetworkNamespace ns = NetworkNamespace.Create($"mpt{Environment.ProcessId}-ksock{Interlocked.Increment(ref _count)}");
        using var cts = Limit();
        using Socket listener = ns.Run(() => KernelMptcpSocket.Create(AddressFamily.InterNetworkV6));
        listener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        listener.Listen(1);
        using Socket client = ns.Run(() => KernelMptcpSocket.Create(AddressFamily.InterNetworkV6));
        await client.ConnectAsync(listener.LocalEndPoint!, cts.Token);
        using Socket server = await listener.AcceptAsync(cts.Token);

        KernelMptcpSocket.SetAbortiveClose(client);
        client.Close();
        byte[] buffer = new byte[16];
        var reset = await Assert.ThrowsAsync<SocketException>(async () => await server.ReceiveAsync(buffer, SocketFlags.None, cts.Token));
        Assert.Equal(SocketError.ConnectionReset, reset.SocketErrorCode);
    }

    [Fact]
    public void AFamilyOtherThanIpIsRefused() =>
        Assert.Throws<ArgumentException>(() => KernelMptcpSocket.Create(AddressFamily.Unix));

    private static CancellationTokenSource Limit()
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        return cts;
    }
}
