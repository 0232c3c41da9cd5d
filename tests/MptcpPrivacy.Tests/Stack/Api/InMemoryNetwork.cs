using MptcpPrivacy.Stack.Api;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Stack.Api;

/// <summary>
/// Two endpoints joined by an in-memory wire and run by one background thread on a real clock
/// (an injected <see cref="TimeProvider"/>): the smallest real driver for <see cref="MptcpStream"/>.
/// </summary>
internal sealed class InMemoryNetwork : IStackDriver, IDisposable
{
    private readonly List<Action> _progress = [];
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private readonly TimeProvider _clock;
    private readonly long _start;
    private readonly byte[] _buffer = new byte[65536];
    private volatile bool _stop;

    public InMemoryNetwork(MptcpEndpoint a, MptcpEndpoint b, TimeProvider clock)
    {
        A = a;
        B = b;
        _clock = clock;
        _start = clock.GetTimestamp();
        _thread = new Thread(Loop) { IsBackground = true, Name = "in-memory network" };
        _thread.Start();
    }

    public MptcpEndpoint A { get; }

    public MptcpEndpoint B { get; }

    public object Gate { get; } = new();

    public TimeSpan Now => _clock.GetElapsedTime(_start);

    public void Wake() => _wake.Set();

    public IDisposable OnProgress(Action onProgress)
    {
        lock (Gate)
        {
            _progress.Add(onProgress);
        }

        return new Registration(this, onProgress);
    }

    public void Dispose()
    {
        _stop = true;
        _wake.Set();
        _thread.Join(TimeSpan.FromSeconds(10));
        _wake.Dispose();
    }

    private void Loop()
    {
        while (!_stop)
        {
            TimeSpan? next;
            lock (Gate)
            {
                TimeSpan now = Now;
                for (int i = 0; i < 100_000; i++)
                {
                    if (!Move(A, B, now) && !Move(B, A, now))
                    {
                        break;
                    }
                }

                foreach (Action p in _progress.ToArray())
                {
                    p();
                }

                next = Earliest(A.NextDeadline(), B.NextDeadline());
            }

            TimeSpan wait = next is { } n ? n - Now : TimeSpan.FromMilliseconds(50);
            _wake.WaitOne(wait < TimeSpan.Zero ? TimeSpan.Zero : wait > TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : wait);
        }
    }

    private bool Move(MptcpEndpoint from, MptcpEndpoint to, TimeSpan now)
    {
        int n = from.PollTransmit(now, _buffer, out FourTuple tuple);
        if (n == 0)
        {
            return false;
        }

        if (TcpHeader.TryParse(_buffer.AsSpan(0, n), out TcpHeader tcp, out _))
        {
            to.OnSegment(now, tuple.LocalAddress, tuple.RemoteAddress, tcp);
        }

        return true;
    }

    private static TimeSpan? Earliest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private sealed class Registration(InMemoryNetwork network, Action action) : IDisposable
    {
        public void Dispose()
        {
            lock (network.Gate)
            {
                network._progress.Remove(action);
            }
        }
    }
}
