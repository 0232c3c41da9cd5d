using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Stack.Mptcp;

/// <summary>
/// Two <see cref="MptcpEndpoint"/>s wired back to back with no network in between: every segment
/// one side emits reaches the other after <see cref="OneWayDelay"/>, unless <see cref="Filter"/>
/// drops or changes it. Time is virtual and jumps to the next deadline, so handshakes and
/// signalling can be tested exactly and quickly. Every segment is kept in <see cref="Trace"/>.
/// </summary>
internal sealed class EndpointPair
{
    public static readonly IpAddressBytes ClientA = IpAddressBytes.Parse("198.51.100.2");
    public static readonly IpAddressBytes ClientB = IpAddressBytes.Parse("203.0.113.2");
    public static readonly IpAddressBytes Server = IpAddressBytes.Parse("192.0.2.1");
    public static readonly IpAddressBytes ServerB = IpAddressBytes.Parse("192.0.2.2");
    public const ushort Port = 10000;

    private readonly List<(TimeSpan At, bool ToServer, IpAddressBytes Source, IpAddressBytes Destination, byte[] Segment)> _inFlight = [];
    private readonly byte[] _buffer = new byte[65536];

    public EndpointPair(MptcpOptions? client = null, MptcpOptions? server = null, int seed = 1)
    {
        Client = new MptcpEndpoint(client ?? new MptcpOptions(), new Random(seed));
        ServerEndpoint = new MptcpEndpoint(server ?? new MptcpOptions(), new Random(seed + 1000));
        ServerEndpoint.AddEndpoint(Server);
        ServerEndpoint.Listen(Port);
    }

    public MptcpEndpoint Client { get; }

    public MptcpEndpoint ServerEndpoint { get; }

    public TimeSpan Now { get; private set; }

    public TimeSpan OneWayDelay { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Gets or sets a filter: returns the segment to deliver (possibly changed) or null to drop it.</summary>
    public Func<bool, byte[], byte[]?>? Filter { get; set; }

    public List<(TimeSpan At, bool ToServer, byte[] Segment)> Trace { get; } = [];

    /// <summary>Injects a segment as if it came from <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public void Inject(bool toServer, IpAddressBytes source, IpAddressBytes destination, byte[] segment)
    {
        Assert.True(TcpHeader.TryParse(segment, out TcpHeader tcp, out WireError error), error.ToString());
        (toServer ? ServerEndpoint : Client).OnSegment(Now, source, destination, tcp);
    }

    /// <summary>Runs until <paramref name="until"/> or until nothing is left to do; bounded in steps.</summary>
    public void Run(TimeSpan until, Action? application = null, int maxSteps = 2_000_000)
    {
        for (int step = 0; step < maxSteps; step++)
        {
            application?.Invoke();
            Drain(Client, toServer: true);
            Drain(ServerEndpoint, toServer: false);

            TimeSpan? next = null;
            foreach (var f in _inFlight)
            {
                next = next is null || f.At < next ? f.At : next;
            }

            foreach (TimeSpan? d in new[] { Client.NextDeadline(), ServerEndpoint.NextDeadline() })
            {
                if (d is { } dd && (next is null || dd < next))
                {
                    next = dd;
                }
            }

            if (next is null || next > until)
            {
                Now = until;
                return;
            }

            Now = next.Value > Now ? next.Value : Now;
            for (int i = 0; i < _inFlight.Count; i++)
            {
                var f = _inFlight[i];
                if (f.At <= Now)
                {
                    _inFlight.RemoveAt(i--);
                    Assert.True(TcpHeader.TryParse(f.Segment, out TcpHeader tcp, out _));
                    (f.ToServer ? ServerEndpoint : Client).OnSegment(Now, f.Source, f.Destination, tcp);
                }
            }
        }

        Assert.Fail("the pair did not settle within the step bound");
    }

    private void Drain(MptcpEndpoint endpoint, bool toServer)
    {
        for (int i = 0; i < 100_000; i++)
        {
            int n = endpoint.PollTransmit(Now, _buffer, out FourTuple tuple);
            if (n == 0)
            {
                return;
            }

            byte[] segment = _buffer.AsSpan(0, n).ToArray();
            Trace.Add((Now, toServer, segment));
            byte[]? delivered = Filter is null ? segment : Filter(toServer, segment);
            if (delivered is not null)
            {
                _inFlight.Add((Now + OneWayDelay, toServer, tuple.LocalAddress, tuple.RemoteAddress, delivered));
            }
        }
    }
}
