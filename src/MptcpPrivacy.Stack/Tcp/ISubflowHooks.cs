using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>
/// Lets the layer above a <see cref="TcpSubflow"/> (MPTCP, RFC 8684 §3) take part in every segment:
/// it adds its options to what the subflow sends, bounds segment payloads to its mappings, sees each
/// segment TCP accepted before its data is queued, and caps the advertised receive window.
/// </summary>
/// <remarks>
/// Option order on the wire: TCP's own (MSS, SACK-permitted, Timestamps, window scale), then the
/// hook's, then SACK blocks in whatever room is left (as Linux's <c>tcp_established_options</c>).
/// </remarks>
public interface ISubflowHooks
{
    /// <summary>Gets the option bytes the hook may add to a segment carrying data; the subflow shrinks the payload by this much so header options and payload stay within the MSS.</summary>
    int DataOptionSpace { get; }

    /// <summary>Gets the most the subflow may advertise as its receive window, in bytes (RFC 8684 §3.3.4: the connection-level window); <see cref="long.MaxValue"/> for no cap.</summary>
    long ReceiveWindowLimit { get; }

    /// <summary>
    /// Returns how many of the <paramref name="available"/> payload bytes starting at sequence
    /// <paramref name="sequence"/> may go in one segment, so a segment never spans two DSS mappings
    /// (RFC 8684 §3.3.1); at least 1 when <paramref name="available"/> is positive.
    /// </summary>
    int LimitPayload(SeqNum32 sequence, int available);

    /// <summary>Writes the hook's options for a segment about to be sent and returns the bytes written (at most <paramref name="destination"/>'s length).</summary>
    int WriteOptions(TimeSpan now, in OutgoingSegment segment, Span<byte> destination);

    /// <summary>
    /// Takes a segment TCP accepted: the SYN in LISTEN, an acceptable SYN-ACK in SYN-SENT, and in
    /// synchronized states any non-RST segment that passed the sequence check, before its data is
    /// queued. Returning false makes the subflow ignore the segment (the hook will usually have
    /// asked for an abort).
    /// </summary>
    bool OnSegmentAccepted(TimeSpan now, in TcpHeader segment);
}

/// <summary>A segment a <see cref="TcpSubflow"/> is about to send, as <see cref="ISubflowHooks.WriteOptions"/> sees it.</summary>
/// <param name="Flags">The TCP flags.</param>
/// <param name="Sequence">The sequence number of the first octet (the SYN's own for a SYN).</param>
/// <param name="PayloadLength">The payload length in bytes.</param>
/// <param name="IsRetransmission">Whether the payload or SYN/FIN was sent before.</param>
public readonly record struct OutgoingSegment(TcpFlags Flags, SeqNum32 Sequence, int PayloadLength, bool IsRetransmission);
