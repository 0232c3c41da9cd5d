using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Stack.Scripted;

/// <summary>
/// Drives one <see cref="TcpSubflow"/> as a packetimpact-style script: the test plays the peer with
/// <see cref="Send"/>, and checks what the subflow emits with <see cref="Expect"/> and <see cref="ExpectNothing"/>.
/// Before each step, every timer due by then fires at its own deadline.
/// </summary>
internal sealed class SubflowScript
{
    public const ushort LocalPort = 80;
    public const ushort PeerPort = 40000;

    private readonly byte[] _buffer = new byte[65_536];

    public SubflowScript(TcpSubflowOptions? options = null, uint iss = 1000, ICongestionControl? congestionControl = null, ISubflowHooks? hooks = null)
    {
        Subflow = new TcpSubflow(
            (options ?? new TcpSubflowOptions()) with { LocalPort = LocalPort, RemotePort = PeerPort },
            new FixedRandom(iss, 0),
            congestionControl,
            hooks);
    }

    public TcpSubflow Subflow { get; }

    public TimeSpan Now { get; private set; }

    public static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    public void Send(TimeSpan at, Seg segment)
    {
        Advance(at);
        byte[] bytes = segment.Encode(PeerPort, LocalPort);
        Assert.True(TcpHeader.TryParse(bytes, out TcpHeader header, out WireError error), error.ToString());
        Subflow.OnSegment(at, header);
    }

    public Seg Expect(TimeSpan at, Seg matcher)
    {
        Advance(at);
        int n = Subflow.PollTransmit(at, _buffer);
        Assert.True(n > 0, $"Expected a segment at {at.TotalMilliseconds} ms matching {matcher}, got nothing (state {Subflow.State}).");
        Assert.True(TcpHeader.TryParse(_buffer.AsSpan(0, n), out TcpHeader header, out _));
        Seg actual = Seg.Decode(header);
        string[] mismatches = actual.Mismatches(matcher).ToArray();
        Assert.True(mismatches.Length == 0, $"At {at.TotalMilliseconds} ms: {string.Join("; ", mismatches)} in {actual}");
        return actual;
    }

    public void ExpectNothing(TimeSpan at)
    {
        Advance(at);
        int n = Subflow.PollTransmit(at, _buffer);
        if (n > 0)
        {
            TcpHeader.TryParse(_buffer.AsSpan(0, n), out TcpHeader header, out _);
            Assert.Fail($"Expected nothing at {at.TotalMilliseconds} ms, got {Seg.Decode(header)}");
        }
    }

    /// <summary>Runs the timers due by <paramref name="at"/> and returns every segment the subflow sends then.</summary>
    public List<Seg> Drain(TimeSpan at)
    {
        Advance(at);
        var sent = new List<Seg>();
        int n;
        while ((n = Subflow.PollTransmit(at, _buffer)) > 0)
        {
            Assert.True(TcpHeader.TryParse(_buffer.AsSpan(0, n), out TcpHeader header, out _));
            sent.Add(Seg.Decode(header));
        }

        return sent;
    }

    private void Advance(TimeSpan at)
    {
        Assert.True(at >= Now, "Script steps go forward in time.");
        for (int guard = 0; guard < 1000 && Subflow.NextDeadline is { } deadline && deadline <= at; guard++)
        {
            Subflow.OnTimer(deadline);
        }

        Now = at;
    }
}
