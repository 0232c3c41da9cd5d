using System.Security.Cryptography;
using MptcpPrivacy.Stack.Api;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Tests.Stack.Mptcp;

namespace MptcpPrivacy.Tests.Stack.Api;

/// <summary>The Stream API over a real-time driver: async reads and writes both ways, end of stream, cancellation, events.</summary>
public class MptcpStreamTests
{
    [Fact]
    public async Task BytesWrittenOnOneStreamAreReadOnTheOtherAndEndWithZero()
    {
        var client = new MptcpEndpoint(new MptcpOptions(), new Random(1));
        var server = new MptcpEndpoint(new MptcpOptions(), new Random(2));
        client.AddEndpoint(EndpointPair.ClientB, EndpointFlags.Subflow);
        server.AddEndpoint(EndpointPair.Server);
        server.Listen(EndpointPair.Port);
        using var network = new InMemoryNetwork(client, server, TimeProvider.System);
        var accepted = new TaskCompletionSource<MptcpConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.ConnectionAccepted += c => accepted.TrySetResult(c);
        var events = new List<MptcpEventKind>();

        MptcpConnection connection;
        lock (network.Gate)
        {
            connection = client.Connect(network.Now, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
            connection.EventRaised += (_, e) => events.Add(e.Kind);
        }

        network.Wake();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(60));
        await using var clientStream = new MptcpStream(connection, network);
        await using var serverStream = new MptcpStream(await accepted.Task.WaitAsync(cts.Token), network);

        byte[] data = new byte[3_000_000];
        new Random(5).NextBytes(data);
        Task writer = Task.Run(
            async () =>
            {
                await clientStream.WriteAsync(data, cts.Token);
                clientStream.Dispose();
            },
            cts.Token);

        using var received = new MemoryStream();
        byte[] buffer = new byte[50_000];
        int n;
        while ((n = await serverStream.ReadAsync(buffer, cts.Token)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        await writer;
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(received.ToArray()));
        lock (network.Gate)
        {
            Assert.Contains(MptcpEventKind.Established, events);
            Assert.Contains(MptcpEventKind.SubflowEstablished, events);
        }
    }

    [Fact]
    public async Task AReadWaitingForDataIsCancelled()
    {
        var client = new MptcpEndpoint(new MptcpOptions(), new Random(1));
        var server = new MptcpEndpoint(new MptcpOptions(), new Random(2));
        server.AddEndpoint(EndpointPair.Server);
        server.Listen(EndpointPair.Port);
        using var network = new InMemoryNetwork(client, server, TimeProvider.System);
        MptcpConnection connection;
        lock (network.Gate)
        {
            connection = client.Connect(network.Now, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
        }

        network.Wake();
        await using var stream = new MptcpStream(connection, network);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        ValueTask<int> read = stream.ReadAsync(new byte[10], cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await read);
    }
}
