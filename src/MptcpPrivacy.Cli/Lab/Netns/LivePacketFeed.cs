using MptcpPrivacy.Capture;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Cli.Lab.Netns;

/// <summary>Takes one IP packet seen on a watched interface; the span is borrowed for the call only.</summary>
/// <param name="timestampNanoseconds">The capture time, in nanoseconds since the Unix epoch.</param>
/// <param name="ipPacket">The IPv4 or IPv6 packet, without its link header.</param>
internal delegate void LivePacketHandler(long timestampNanoseconds, ReadOnlySpan<byte> ipPacket);

/// <summary>
/// A live view of one interface of a network namespace: <c>tcpdump -U -w -</c> on it, its pcap
/// stream read as it comes with the project's <see cref="CaptureReader"/>, and each IP packet handed
/// to a callback on the feed's own thread. This is how an observer of a real path (an on-path
/// attacker) sees the path as the simulator's <c>ILinkObserver</c> sees a link.
/// </summary>
internal sealed class LivePacketFeed : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(3);
    private readonly BackgroundProcess _tcpdump;
    private readonly LivePacketHandler _handler;
    private readonly Thread _reader;
    private long _packets;
    private bool _disposed;

    private LivePacketFeed(BackgroundProcess tcpdump, LivePacketHandler handler, string device)
    {
        _tcpdump = tcpdump;
        _handler = handler;
        _reader = new Thread(Read) { IsBackground = true, Name = "live " + device };
    }

    /// <summary>Gets the IP packets handed to the callback so far.</summary>
    public long Packets => Interlocked.Read(ref _packets);

    /// <summary>Gets why reading stopped early (a fault of the stream, the callback threw), or null.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Gets what tcpdump wrote to its standard error (after <see cref="Dispose"/>: how many packets it captured and dropped).</summary>
    public string Report => _tcpdump.Errors;

    /// <summary>
    /// Starts watching interface <paramref name="device"/> of namespace <paramref name="namespaceName"/>
    /// (packets matching the pcap <paramref name="filter"/>, every packet when null) and returns once
    /// tcpdump listens (at most 10 s). <paramref name="handler"/> runs on the feed's thread.
    /// </summary>
    /// <exception cref="InvalidOperationException">tcpdump did not start listening.</exception>
    public static LivePacketFeed Start(string namespaceName, string device, LivePacketHandler handler, string? filter = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        string[] arguments = ["-i", device, "--immediate-mode", "-U", "-n", "-s", "0", "-w", "-"];
        if (!string.IsNullOrWhiteSpace(filter))
        {
            arguments = [.. arguments, filter];
        }

        BackgroundProcess tcpdump = BackgroundProcess.StartStreaming(namespaceName, "tcpdump", arguments);
        if (!tcpdump.WaitForText("listening on", StartTimeout))
        {
            string errors = tcpdump.Errors.Trim();
            tcpdump.Dispose();
            throw new InvalidOperationException($"tcpdump on {device} in {namespaceName} did not start listening: {errors}");
        }

        var feed = new LivePacketFeed(tcpdump, handler, device);
        feed._reader.Start();
        return feed;
    }

    /// <summary>Stops tcpdump (SIGTERM, so it flushes) and waits a bounded time for the reader to see the end of the stream.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _tcpdump.Stop(StopGrace);
        if (!_reader.Join(StopGrace))
        {
            // The pipe is still open somehow: killing the process closes it and ends the read.
            _tcpdump.Dispose();
            _reader.Join(StopGrace);
        }

        _tcpdump.Dispose();
    }

    private void Read()
    {
        try
        {
            // The pcap header comes with the first flush, so the reader opens here, not in Start.
            using CaptureReader reader = CaptureReader.Open(_tcpdump.OutputStream, leaveOpen: true);
            while (reader.TryReadNext(out CapturedFrame frame))
            {
                if (LinkFrame.TryParse(frame.LinkType, frame.Data, out LinkFrame link, out _)
                    && link.NetworkProtocol is NetworkProtocol.Ipv4 or NetworkProtocol.Ipv6)
                {
                    Interlocked.Increment(ref _packets);
                    _handler(frame.TimestampNanoseconds, link.Payload);
                }
            }

            if (reader.Error is { } error && !_disposed)
            {
                Failure = new InvalidDataException($"the live capture stopped: {error}");
            }
        }
        catch (Exception e)
        {
            // Nothing may escape a thread of ours: the process would end.
            Failure = e;
        }
    }
}
