namespace MptcpPrivacy.Stack.Tcp;

/// <summary>The local choices for one TCP connection: ports, buffer sizes, options offered in the SYN and timer bounds.</summary>
public sealed record TcpSubflowOptions
{
    /// <summary>Gets the local port.</summary>
    public ushort LocalPort { get; init; }

    /// <summary>Gets the remote port for an active open; a passive open learns it from the SYN.</summary>
    public ushort RemotePort { get; init; }

    /// <summary>Gets the MSS we advertise and the largest segment we send (RFC 9293 §3.7.1), excluding TCP options.</summary>
    public ushort MaximumSegmentSize { get; init; } = 1460;

    /// <summary>Gets the capacity of the receive buffer, which bounds the advertised window.</summary>
    public int ReceiveBufferSize { get; init; } = 256 * 1024;

    /// <summary>Gets the capacity of the send buffer: bytes written but not yet acknowledged.</summary>
    public int SendBufferSize { get; init; } = 256 * 1024;

    /// <summary>Gets whether to offer the Window Scale option (RFC 7323 §2).</summary>
    public bool UseWindowScaling { get; init; } = true;

    /// <summary>Gets whether to offer the Timestamps option (RFC 7323 §3).</summary>
    public bool UseTimestamps { get; init; } = true;

    /// <summary>Gets whether to offer SACK-Permitted, and so to send SACK blocks and recover with RFC 6675 when the peer agrees (RFC 2018).</summary>
    public bool UseSack { get; init; } = true;

    /// <summary>
    /// Gets how long an ACK for in-order data may wait for a second segment or for data to ride on
    /// (RFC 9293 §3.8.6.3, RFC 1122 §4.2.3.2: under 0.5 s; Linux's minimum is 40 ms); <see cref="TimeSpan.Zero"/> acknowledges every segment at once.
    /// </summary>
    public TimeSpan DelayedAck { get; init; } = TimeSpan.FromMilliseconds(40);

    /// <summary>Gets how long a connection may stay idle before the first keep-alive probe (RFC 1122 §4.2.3.6: at least two hours by default); null turns keep-alives off.</summary>
    public TimeSpan? KeepAliveIdle { get; init; }

    /// <summary>Gets the time between unanswered keep-alive probes (Linux: 75 s).</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>Gets how many unanswered keep-alive probes end the connection (Linux: 9).</summary>
    public int KeepAliveProbes { get; init; } = 9;

    /// <summary>
    /// Gets the user timeout (RFC 9293 §3.8.5, as RFC 5482 and Linux's TCP_USER_TIMEOUT use it locally):
    /// when sent data stays unacknowledged this long without progress, the connection closes with
    /// <see cref="TcpCloseReason.TimedOut"/>; null leaves only <see cref="MaximumRetransmissions"/>.
    /// </summary>
    public TimeSpan? UserTimeout { get; init; }

    /// <summary>Gets the retransmission timeout before the first RTT sample (RFC 6298 §2.1: 1 s).</summary>
    public TimeSpan InitialRetransmissionTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the lower bound of the retransmission timeout (RFC 6298 §2.4: 1 s; Linux uses 200 ms).</summary>
    public TimeSpan MinimumRetransmissionTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the upper bound of the retransmission timeout (RFC 6298 §2.5: at least 60 s).</summary>
    public TimeSpan MaximumRetransmissionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets the clock granularity G of RFC 6298 §2.</summary>
    public TimeSpan ClockGranularity { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Gets how many retransmissions of one segment end the connection (RFC 9293 §3.8.3 R2).</summary>
    public int MaximumRetransmissions { get; init; } = 15;

    /// <summary>Gets the Maximum Segment Lifetime; TIME-WAIT lasts twice this (RFC 9293 §3.4.2).</summary>
    public TimeSpan MaximumSegmentLifetime { get; init; } = TimeSpan.FromSeconds(30);
}
