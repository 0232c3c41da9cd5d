using System.Diagnostics;
using MptcpPrivacy.Linux.Native;
using MptcpPrivacy.Simulation;

namespace MptcpPrivacy.Linux.Tun;

/// <summary>
/// Runs any simulator <see cref="INode"/> (an attacker, a middlebox, a host) on a
/// <see cref="TunDevice"/> against real kernels: packets the kernel routes to the device reach the
/// node's <see cref="INode.OnPacket"/> on interface 0, packets the node sends on interface 0 are
/// written to the device (the kernel receives them as if they had arrived there), and the node is
/// polled at its <see cref="INode.NextDeadline"/>. The node's clock is monotonic wall time in
/// nanoseconds since the host started.
/// </summary>
/// <remarks>
/// The node is touched only on the host's thread, or by callers under <see cref="Gate"/> (a live
/// capture that feeds an <see cref="ILinkObserver"/>, a reader of its counters), since nodes are
/// single-threaded. One round reads at most a batch of packets, so a flood cannot starve the node's
/// transmissions, and sleeps at most <see cref="TunPollLoop.IdlePollMilliseconds"/>.
/// </remarks>
public sealed class TunNodeHost : IDisposable
{
    /// <summary>Packets read (or written) in one round.</summary>
    private const int BatchPackets = 64;

    private readonly TunPollLoop _loop;
    private readonly NodePump _pump;
    private readonly IPacketTap? _tap;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly byte[] _receive = new byte[TunDevice.MaximumPacketLength];
    private readonly List<byte[]> _transmit = new(BatchPackets);
    private long _sent;
    private long _sendDropped;

    /// <summary>
    /// Starts running <paramref name="node"/> on <paramref name="device"/>, which the host owns from
    /// now on and closes on <see cref="Dispose"/>. <paramref name="tap"/>, when given, sees every
    /// packet read or written, on the host's thread.
    /// </summary>
    /// <exception cref="LibcException">The wake-up eventfd could not be made.</exception>
    public TunNodeHost(TunDevice device, INode node, IPacketTap? tap = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(node);
        _pump = new NodePump(node);
        _tap = tap;
        _loop = new TunPollLoop(device, Round, Fail);
        _loop.Start();
    }

    /// <summary>Gets the node; touch it only under <see cref="Gate"/>.</summary>
    public INode Node => _pump.Node;

    /// <summary>Gets the device's name.</summary>
    public string DeviceName => _loop.Device.Name;

    /// <summary>Gets the lock that guards the node: the host holds it while it calls the node.</summary>
    public object Gate { get; } = new();

    /// <summary>Gets the node's current time: monotonic nanoseconds since the host started.</summary>
    public long NowNanoseconds => (long)Stopwatch.GetElapsedTime(_start).TotalNanoseconds;

    /// <summary>Gets the packets read from the device and handed to the node.</summary>
    public long PacketsReceived
    {
        get
        {
            lock (Gate)
            {
                return _pump.PacketsDelivered;
            }
        }
    }

    /// <summary>Gets the packets written to the device.</summary>
    public long PacketsSent => Interlocked.Read(ref _sent);

    /// <summary>Gets the packets the kernel had no room for when written (dropped).</summary>
    public long SendDropped => Interlocked.Read(ref _sendDropped);

    /// <summary>Gets the packets the node sent on another interface than the device (dropped).</summary>
    public long WrongInterface
    {
        get
        {
            lock (Gate)
            {
                return _pump.WrongInterface;
            }
        }
    }

    /// <summary>Gets why the host's thread stopped early (the device went away, the node threw), or null while it runs or after a clean stop.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>
    /// Runs <paramref name="action"/> under <see cref="Gate"/> with the node's current time (to feed
    /// it what it observes elsewhere), then wakes the host so that what the node queued goes out.
    /// </summary>
    public void Invoke(Action<long> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (Gate)
        {
            action(NowNanoseconds);
        }

        Wake();
    }

    /// <summary>Makes the host poll the node soon, from any thread.</summary>
    public void Wake() => _loop.Wake();

    /// <summary>Stops the thread (waiting at most ten seconds) and closes the device.</summary>
    public void Dispose() => _loop.Dispose();

    /// <summary>Records why the thread stopped; nothing may escape from here (it would end the process).</summary>
    private void Fail(Exception failure)
    {
        lock (Gate)
        {
            Failure = failure;
        }
    }

    /// <summary>One round: read a batch and hand it to the node, collect what it sends, write that out; returns the poll timeout.</summary>
    private int Round()
    {
        bool more = false;
        int timeout;
        lock (Gate)
        {
            // The node sees the packets as they are read; a node is cheap next to the device calls.
            int read = 0;
            for (; read < BatchPackets; read++)
            {
                int length = _loop.Device.Read(_receive);
                if (length == 0)
                {
                    break;
                }

                _tap?.Record(TapDirection.Received, _receive.AsSpan(0, length));
                _pump.Deliver(NowNanoseconds, _receive.AsSpan(0, length));
            }

            more |= read == BatchPackets;
            long now = NowNanoseconds;
            more |= _pump.Collect(now, BatchPackets, _transmit);
            timeout = _pump.Timeout(now, more);
        }

        foreach (byte[] packet in _transmit)
        {
            _tap?.Record(TapDirection.Sent, packet);
            if (_loop.Device.Write(packet))
            {
                Interlocked.Increment(ref _sent);
            }
            else
            {
                Interlocked.Increment(ref _sendDropped);
            }
        }

        _transmit.Clear();
        return timeout;
    }
}
