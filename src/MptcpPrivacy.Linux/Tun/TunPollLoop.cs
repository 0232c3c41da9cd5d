using System.Runtime.InteropServices;
using MptcpPrivacy.Linux.Native;

namespace MptcpPrivacy.Linux.Tun;

/// <summary>
/// The thread that drives whatever a TUN device hosts (<see cref="TunStackHost"/>,
/// <see cref="TunNodeHost"/>): it waits in <c>poll(2)</c> on the device and on a wake-up eventfd
/// for at most the timeout the last round asked for, then runs one more round. The host says what a
/// round does; the loop owns the thread, the wake-up and the device's lifetime.
/// </summary>
internal sealed class TunPollLoop : IDisposable
{
    /// <summary>The longest the thread sleeps without a deadline; only bounds a lost wake-up.</summary>
    public const int IdlePollMilliseconds = 1000;

    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(10);

    private readonly TunDevice _device;
    private readonly Func<int> _round;
    private readonly Action<Exception> _fail;
    private readonly EventFd _wake;
    private readonly Thread _thread;
    private int _wakePending;
    private volatile bool _stop;
    private bool _disposed;

    /// <summary>
    /// Prepares the loop over <paramref name="device"/> (owned from now on, closed on
    /// <see cref="Dispose"/>). <paramref name="round"/> runs on the loop's thread after every wake-up
    /// and returns the next poll timeout in milliseconds; <paramref name="fail"/> hears, on that
    /// thread, why the loop stopped early. Nothing runs until <see cref="Start"/>.
    /// </summary>
    /// <exception cref="LibcException">The wake-up eventfd could not be made.</exception>
    public TunPollLoop(TunDevice device, Func<int> round, Action<Exception> fail)
    {
        _device = device;
        _round = round;
        _fail = fail;
        _wake = new EventFd();
        _thread = new Thread(Run) { IsBackground = true, Name = "tun " + device.Name };
    }

    /// <summary>Gets the device.</summary>
    public TunDevice Device => _device;

    /// <summary>Starts the thread.</summary>
    public void Start() => _thread.Start();

    /// <summary>Makes the thread run a round soon, from any thread; wake-ups before it runs are merged into one.</summary>
    public void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            _wake.Signal();
        }
    }

    /// <summary>
    /// Returns the poll timeout for a deadline <paramref name="remainingNanoseconds"/> from now:
    /// rounded up to whole milliseconds (a deadline is never polled early), 0 when it has passed, and
    /// at most <see cref="IdlePollMilliseconds"/> (<see cref="long.MaxValue"/> means no deadline).
    /// </summary>
    public static int TimeoutMilliseconds(long remainingNanoseconds)
    {
        if (remainingNanoseconds <= 0)
        {
            return 0;
        }

        long milliseconds = (remainingNanoseconds / 1_000_000) + (remainingNanoseconds % 1_000_000 == 0 ? 0 : 1);
        return (int)Math.Min(milliseconds, IdlePollMilliseconds);
    }

    /// <summary>Stops the thread (waiting at most ten seconds), then closes the eventfd and the device.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop = true;
        _wake.Signal();
        bool stopped = !_thread.IsAlive || _thread.Join(JoinTimeout);
        if (stopped)
        {
            // A thread still in a round would use them: they leak rather than break it.
            _wake.Dispose();
            _device.Dispose();
        }
    }

    private unsafe void Run()
    {
        var fds = stackalloc Libc.PollFd[2];
        int timeout = 0;
        try
        {
            while (!_stop)
            {
                fds[0] = new Libc.PollFd { Fd = _device.Descriptor, Events = Libc.POLLIN };
                fds[1] = new Libc.PollFd { Fd = _wake.Descriptor, Events = Libc.POLLIN };
                if (Libc.Poll(fds, 2, timeout) < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EINTR)
                    {
                        continue;
                    }

                    throw new LibcException("poll", errno);
                }

                if ((fds[0].Revents & (Libc.POLLERR | Libc.POLLHUP)) != 0)
                {
                    throw new IOException($"The TUN device {_device.Name} reported an error or hung up.");
                }

                if (fds[1].Revents != 0)
                {
                    // Drain first, then accept new wake-ups: one arriving in between signals again.
                    _wake.Drain();
                    Volatile.Write(ref _wakePending, 0);
                }

                timeout = _round();
            }
        }
        catch (Exception e)
        {
            _fail(e);
        }
    }
}
