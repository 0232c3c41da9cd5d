namespace MptcpPrivacy.Stack.Tcp;

/// <summary>Why a connection reached CLOSED (RFC 9293 §3.10 "error:" messages).</summary>
public enum TcpCloseReason
{
    /// <summary>The connection has not closed, or was never opened.</summary>
    None,

    /// <summary>Both FINs were exchanged and acknowledged.</summary>
    Normal,

    /// <summary>The peer answered our SYN with an acceptable RST ("connection refused").</summary>
    Refused,

    /// <summary>An acceptable RST arrived on a synchronized connection ("connection reset").</summary>
    Reset,

    /// <summary>The local user called <see cref="TcpSubflow.Abort"/>.</summary>
    Aborted,

    /// <summary>A segment was retransmitted too many times without an acknowledgment (RFC 9293 §3.8.3 R2), or sent data stayed unacknowledged past the user timeout (RFC 9293 §3.8.5).</summary>
    TimedOut,

    /// <summary>The peer answered none of the keep-alive probes (RFC 1122 §4.2.3.6).</summary>
    KeepAliveTimedOut,
}
