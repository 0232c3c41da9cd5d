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
        using var cts = Limit();
        using Pair pair = await Pair.ConnectAsync(AddressFamily.InterNetwork, mptcpServer: true, cts.Token);

        await pair.Client.SendAsync("ping"u8.ToArray(), SocketFlags.None, cts.Token);
        byte[] buffer = new byte[4];
        Assert.Equal(4, await pair.Server.ReceiveAsync(buffer, SocketFlags.None, cts.Token));
        Assert.True(KernelMptcpSocket.IsMptcp(pair.Client));
        Assert.True(KernelMptcpSocket.IsMptcp(pair.Server));
        Assert.Equal(0, KernelMptcpSocket.Subflows(pair.Server));
    }

    [Fact]
    public async Task APlainTcpSocketIsNotMptcpAndHasNoMptcpInfo()
    {
        Privileges.RequireRoot("network namespaces");
        using var cts = Limit();
        using Pair pair = await Pair.ConnectAsync(AddressFamily.InterNetwork, mptcpServer: false, cts.Token);

        // The MPTCP client fell back: the server answered without MP_CAPABLE.
        Assert.False(KernelMptcpSocket.IsMptcp(pair.Server));
        Assert.False(KernelMptcpSocket.IsMptcp(pair.Client));
        Assert.Throws<LibcException>(() => KernelMptcpSocket.Subflows(pair.Server));
    }

    [Fact]
    public async Task AnAbortiveCloseResetsThePeer()
    {
        Privileges.RequireRoot("network namespaces");
        using var cts = Limit();
        using Pair pair = await Pair.ConnectAsync(AddressFamily.InterNetworkV6, mptcpServer: true, cts.Token);

        KernelMptcpSocket.SetAbortiveClose(pair.Client);
        pair.Client.Close();
        byte[] buffer = new byte[16];
        var reset = await Assert.ThrowsAsync<SocketException>(async () => await pair.Server.ReceiveAsync(buffer, SocketFlags.None, cts.Token));
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

    /// <summary>An MPTCP client connected over loopback to a server socket (MPTCP or plain TCP) in a namespace of its own; dispose deletes it all.</summary>
    private sealed class Pair : IDisposable
    {
        private readonly NetworkNamespace _ns;
        private readonly Socket _listener;

        private Pair(NetworkNamespace ns, Socket listener, Socket client)
        {
            _ns = ns;
            _listener = listener;
            Client = client;
        }

        public Socket Client { get; }

        public Socket Server { get; private set; } = null!;

        public static async Task<Pair> ConnectAsync(AddressFamily family, bool mptcpServer, CancellationToken cancellationToken)
        {
            NetworkNamespace ns = NetworkNamespace.Create($"mpt{Environment.ProcessId}-ksock{Interlocked.Increment(ref _count)}");
            Pair? pair = null;
            try
            {
                Socket listener = ns.Run(() => mptcpServer ? KernelMptcpSocket.Create(family) : new Socket(family, SocketType.Stream, ProtocolType.Tcp));
                pair = new Pair(ns, listener, ns.Run(() => KernelMptcpSocket.Create(family)));
                listener.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback, 0));
                listener.Listen(1);
                await pair.Client.ConnectAsync(listener.LocalEndPoint!, cancellationToken);
                pair.Server = await listener.AcceptAsync(cancellationToken);
                return pair;
            }
            catch
            {
                pair?.Dispose();
                ns.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            Server?.Dispose();
            Client.Dispose();
            _listener.Dispose();
            _ns.Dispose();
        }
    }
}
