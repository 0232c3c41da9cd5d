namespace MptcpPrivacy.Stack.Tcp;

/// <summary>The states of a TCP connection (RFC 9293 §3.3.2).</summary>
public enum TcpState
{
    /// <summary>No connection: the fictional state before LISTEN or SYN-SENT and after the end.</summary>
    Closed,

    /// <summary>Waiting for a connection request from any remote TCP endpoint.</summary>
    Listen,

    /// <summary>A SYN has been sent; waiting for a matching SYN (and ACK).</summary>
    SynSent,

    /// <summary>A SYN has been both received and sent; waiting for the ACK of our SYN.</summary>
    SynReceived,

    /// <summary>An open connection: data flows both ways.</summary>
    Established,

    /// <summary>We closed; waiting for the ACK of our FIN or the peer's FIN.</summary>
    FinWait1,

    /// <summary>Our FIN is acknowledged; waiting for the peer's FIN.</summary>
    FinWait2,

    /// <summary>The peer closed; waiting for the local user to close.</summary>
    CloseWait,

    /// <summary>Both sides closed at once; waiting for the ACK of our FIN.</summary>
    Closing,

    /// <summary>The peer closed first and so did we; waiting for the ACK of our FIN.</summary>
    LastAck,

    /// <summary>Both FINs are acknowledged; waiting 2×MSL so the last ACK can be retransmitted.</summary>
    TimeWait,
}
