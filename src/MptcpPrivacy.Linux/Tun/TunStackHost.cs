using System.Diagnostics;
using MptcpPrivacy.Linux.Native;
using MptcpPrivacy.Stack.Api;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Packets;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Linux.Tun;

/// <summary>
/// Runs one <see cref="MptcpEndpoint"/> on a <see cref="TunDevice"/> with a thread of its own: the
/// thread waits in <c>poll(2)</c> on the device and on a wake-up eventfd until the stack's next
/// deadline, reads a batch of packets, checks them and hands the TCP segments addressed to the
/// host's addresses to the stack, then writes out everything the stack has to send, each segment
/// wrapped in an IP header from its source address. The stack and its connections are touched only
/// under <see cref="Gate"/>, so <see cref="MptcpStream"/> works on it (<see cref="IStackDriver"/>).
/// The clock is the monotonic <see cref="Stopwatch"/>, counted from the host's start.
/// </summary>
/// <remarks>
/// The kernel of the device's namespace must route the host's addresses to the device (see
/// <c>docs/design/tun-host.md</c>). Nothing is allocated per packet: one receive and one transmit
/// buffer serve every packet.
/// </remarks>
public sealed class TunStackHost : IStackDriver, IDisposable
{
    /// <summary>Packets read (or written) in one round: enough to batch a burst, few enough that ACKs are not held back long.</summary>
    private const int BatchPackets = 64;

    /// <summary>The bytes of a batch: 64 full-sized Ethernet-MTU packets, or a few of a TUN's largest.</summary>
    private const int BatchBytes = 1 << 20;

    private readonly TunDevice _device;
    private readonly IPacketTap? _tap;
    private readonly TunPollLoop _loop;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly byte[] _receive = new byte[BatchBytes];
    private readonly int[] _receivedLengths = new int[BatchPackets];
    private readonly byte[] _transmit = new byte[BatchBytes];
    private readonly int[] _transmitStarts = new int[BatchPackets];
    private readonly int[] _transmitLengths = new int[BatchPackets];
    private int _received;
    private int _transmitted;
    private readonly HashSet<IpAddressBytes> _addresses = [];
    private readonly List<Action> _progress = [];
    private Action[] _progressSnapshot = [];
    private TaskCompletionSource? _acceptWaiter;

    /// <summary>
    /// Starts running <paramref name="endpoint"/> on <paramref name="device"/>, which the host owns
    /// from now on and closes on <see cref="Dispose"/>. <paramref name="tap"/>, when given, sees
    /// every packet read or written (a capture). The host owns no address until <see cref="AddAddress"/>.
    /// </summary>
    /// <exception cref="LibcException">The wake-up eventfd could not be made.</exception>
    public TunStackHost(TunDevice device, MptcpEndpoint endpoint, IPacketTap? tap = null)
    {
        _device = device;
        Endpoint = endpoint;
        _tap = tap;
        _loop = new TunPollLoop(device, Round, Fail);
        endpoint.ConnectionAccepted += _ =>
        {
            _acceptWaiter?.TrySetResult();
            _acceptWaiter = null;
        };
        _loop.Start();
    }

    /// <summary>Gets the stack; touch it only under <see cref="Gate"/>.</summary>
    public MptcpEndpoint Endpoint { get; }

    /// <summary>Gets the device's name.</summary>
    public string DeviceName => _device.Name;

    /// <inheritdoc/>
    public object Gate { get; } = new();

    /// <summary>Gets the stack's current time: monotonic, counted from the host's start.</summary>
    public TimeSpan Now => Stopwatch.GetElapsedTime(_start);

    /// <summary>Gets what happened to the packets; read under <see cref="Gate"/>.</summary>
    public TunHostCounters Counters { get; } = new();

    /// <summary>Gets why the host's thread stopped early (the device went away, say), or null while it runs or after a clean stop.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Gets the addresses the host owns.</summary>
    public IReadOnlyCollection<IpAddressBytes> Addresses
    {
        get
        {
            lock (Gate)
            {
                return [.. _addresses];
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="address"/> one of the host's: segments to it go to the stack, and it
    /// becomes a path-manager endpoint with <paramref name="flags"/> (<see cref="EndpointFlags.Subflow"/>
    /// for a client that opens joins from it, <see cref="EndpointFlags.Signal"/> for a server that
    /// announces it), unless <paramref name="flags"/> is null.
    /// </summary>
    /// <exception cref="ArgumentException">The stack refused the endpoint (see <see cref="MptcpEndpoint.AddEndpoint"/>).</exception>
    public void AddAddress(IpAddressBytes address, EndpointFlags? flags)
    {
        lock (Gate)
        {
            if (flags is { } f)
            {
                Endpoint.AddEndpoint(address, f, now: Now);
            }

            _addresses.Add(address);
            Wake();
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the stack under the gate with the current time (to remove
    /// an endpoint, change a backup flag, abort a connection), then wakes the host so that what it
    /// queued goes out.
    /// </summary>
    public void Invoke(Action<MptcpEndpoint, TimeSpan> action)
    {
        lock (Gate)
        {
            action(Endpoint, Now);
            Wake();
        }
    }

    /// <summary>Opens a connection from <paramref name="local"/> (one of the host's addresses) to <paramref name="remote"/>:<paramref name="port"/>.</summary>
    public MptcpConnection Connect(IpAddressBytes local, IpAddressBytes remote, ushort port)
    {
        lock (Gate)
        {
            if (!_addresses.Contains(local))
            {
                throw new ArgumentException($"{local} is no address of this host.", nameof(local));
            }

            MptcpConnection connection = Endpoint.Connect(Now, local, remote, port);
            Wake();
            return connection;
        }
    }

    /// <summary>Accepts connections on <paramref name="port"/>.</summary>
    public void Listen(ushort port)
    {
        lock (Gate)
        {
            Endpoint.Listen(port);
        }
    }

    /// <summary>Waits for the next passive connection whose handshake completed.</summary>
    public async Task<MptcpConnection> AcceptAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (Gate)
            {
                if (Endpoint.TryAccept(out MptcpConnection connection))
                {
                    return connection;
                }

                if (Failure is { } failure)
                {
                    throw new IOException("The TUN host stopped.", failure);
                }

                _acceptWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _acceptWaiter.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Wake() => _loop.Wake();

    /// <inheritdoc/>
    public IDisposable OnProgress(Action onProgress)
    {
        lock (Gate)
        {
            _progress.Add(onProgress);
            _progressSnapshot = [.. _progress];
        }

        return new Registration(this, onProgress);
    }

    /// <summary>Stops the thread (waiting at most ten seconds) and closes the device.</summary>
    public void Dispose() => _loop.Dispose();

    /// <summary>
    /// Records why the thread stopped, aborts every connection and releases every waiter. Nothing
    /// may escape from here: an exception on this thread would end the process.
    /// </summary>
    private void Fail(Exception failure)
    {
        lock (Gate)
        {
            Failure = failure;
            TimeSpan now = Now;
            foreach (MptcpConnection c in Endpoint.Connections.ToArray())
            {
                try
                {
                    if (c.State != MptcpConnectionState.Closed)
                    {
                        c.Abort(now);
                    }
                }
                catch (Exception)
                {
                    // The stack's state may be what failed; the connection stays as it is.
                }
            }

            foreach (Action p in _progressSnapshot)
            {
                try
                {
                    p();
                }
                catch (Exception)
                {
                    // A waiter that cannot be told still has its own cancellation.
                }
            }

            _acceptWaiter?.TrySetResult();
            _acceptWaiter = null;
        }
    }

    /// <summary>
    /// One round: read a batch from the device, hand it to the stack and collect what it sends under
    /// the gate, then write the batch out. The device calls (and the kernel's own processing of
    /// what is written, which runs in this thread) stay outside the gate, so the application gets it
    /// between rounds. Returns the poll timeout in milliseconds.
    /// </summary>
    private int Round()
    {
        bool more = ReadBatch();
        int timeout;
        lock (Gate)
        {
            TimeSpan now = Now;
            for (int i = 0, offset = 0; i < _received; offset += _receivedLengths[i], i++)
            {
                Deliver(now, _receive.AsSpan(offset, _receivedLengths[i]));
            }

            more |= CollectTransmitBatch(now);
            NotifyProgress();
            timeout = more ? 0 : Timeout(Endpoint.NextDeadline());
        }

        WriteBatch();
        return timeout;
    }

    /// <summary>Reads packets while there are some and room for a whole one; returns whether the batch filled up.</summary>
    private bool ReadBatch()
    {
        _received = 0;
        int offset = 0;
        while (_received < BatchPackets)
        {
            if (_receive.Length - offset < TunDevice.MaximumPacketLength)
            {
                return true;
            }

            int length = _device.Read(_receive.AsSpan(offset, TunDevice.MaximumPacketLength));
            if (length == 0)
            {
                return false;
            }

            _tap?.Record(TapDirection.Received, _receive.AsSpan(offset, length));
            _receivedLengths[_received++] = length;
            offset += length;
        }

        return true;
    }

    /// <summary>Polls the stack for segments into the transmit batch, each behind its IP header; returns whether the batch filled up.</summary>
    private bool CollectTransmitBatch(TimeSpan now)
    {
        _transmitted = 0;
        int offset = 0;
        while (_transmitted < BatchPackets)
        {
            // The segment goes after room for the longest header; the real header then ends where it starts.
            if (_transmit.Length - offset < IpPacketBuilder.MaximumHeaderLength + TunDevice.MaximumPacketLength)
            {
                return true;
            }

            Span<byte> room = _transmit.AsSpan(offset + IpPacketBuilder.MaximumHeaderLength, TunDevice.MaximumPacketLength - IpPacketBuilder.MaximumHeaderLength);
            int length = Endpoint.PollTransmit(now, room, out FourTuple tuple);
            if (length == 0)
            {
                return false;
            }

            if (!_addresses.Contains(tuple.LocalAddress))
            {
                Counters.SourceNotOwned++;
                continue;
            }

            int headerLength = IpPacketBuilder.HeaderLength(tuple.LocalAddress);
            int start = offset + IpPacketBuilder.MaximumHeaderLength - headerLength;
            Span<byte> packet = _transmit.AsSpan(start, headerLength + length);
            IpPacketBuilder.WriteHeader(packet, tuple.LocalAddress, tuple.RemoteAddress, IpProtocol.Tcp, length);
            int addressOffset = tuple.LocalAddress.IsV4 ? 12 : 8;
            int addressLength = tuple.LocalAddress.Length;
            TcpChecksum.Write(packet.Slice(addressOffset, addressLength), packet.Slice(addressOffset + addressLength, addressLength), packet[headerLength..]);
            _transmitStarts[_transmitted] = start;
            _transmitLengths[_transmitted] = packet.Length;
            _transmitted++;
            offset += IpPacketBuilder.MaximumHeaderLength + length;
        }

        return true;
    }

    /// <summary>Writes the transmit batch to the device, counting what the kernel had no room for.</summary>
    private void WriteBatch()
    {
        long sent = 0;
        long dropped = 0;
        for (int i = 0; i < _transmitted; i++)
        {
            ReadOnlySpan<byte> packet = _transmit.AsSpan(_transmitStarts[i], _transmitLengths[i]);
            _tap?.Record(TapDirection.Sent, packet);
            if (_device.Write(packet))
            {
                sent++;
            }
            else
            {
                dropped++;
            }
        }

        if (_transmitted > 0)
        {
            lock (Gate)
            {
                Counters.PacketsSent += sent;
                Counters.SendDropped += dropped;
            }
        }

        _transmitted = 0;
    }

    private int Timeout(TimeSpan? deadline) =>
        deadline is { } d ? TunPollLoop.TimeoutMilliseconds((d - Now).Ticks * (1_000_000 / TimeSpan.TicksPerMillisecond)) : TunPollLoop.IdlePollMilliseconds;

    private void Deliver(TimeSpan now, ReadOnlySpan<byte> packet)
    {
        Counters.PacketsReceived++;
        if (!IpPacket.TryParse(packet, out IpPacket ip, out _))
        {
            Counters.Malformed++;
            return;
        }

        var destination = IpAddressBytes.FromSpan(ip.Destination);
        if (!_addresses.Contains(destination))
        {
            Counters.NotForUs++;
            return;
        }

        switch (TcpSegmentCheck.TryRead(ip, out TcpHeader tcp))
        {
            case TcpSegmentCheckResult.Tcp:
                Counters.SegmentsDelivered++;
                Endpoint.OnSegment(now, IpAddressBytes.FromSpan(ip.Source), destination, tcp);
                break;
            case TcpSegmentCheckResult.NotTcp:
                Counters.NotTcp++;
                break;
            case TcpSegmentCheckResult.BadChecksum:
                Counters.BadChecksum++;
                break;
            default:
                Counters.Malformed++;
                break;
        }
    }

    private void NotifyProgress()
    {
        foreach (Action p in _progressSnapshot)
        {
            p();
        }
    }

    private sealed class Registration(TunStackHost host, Action action) : IDisposable
    {
        public void Dispose()
        {
            lock (host.Gate)
            {
                host._progress.Remove(action);
                host._progressSnapshot = [.. host._progress];
            }
        }
    }
}
