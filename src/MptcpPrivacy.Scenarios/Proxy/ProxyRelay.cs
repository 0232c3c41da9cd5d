using MptcpPrivacy.Stack.Mptcp;

namespace MptcpPrivacy.Scenarios.Proxy;

/// <summary>
/// One user connection through a <see cref="TerminatingProxyNode"/>: the user's MPTCP connection,
/// which ends at the proxy (<see cref="Front"/>), and the proxy's own TCP connection to the origin
/// (<see cref="Back"/>). Sans-I/O: <see cref="Pump"/> moves what each side has read into the other
/// side's send buffer, never more than that buffer takes, so a slow side stalls the other through
/// its receive window (backpressure); it forwards each side's end of stream as a close of the other
/// side's sending direction, and a reset of either side as an abort of the other.
/// </summary>
/// <remarks>
/// The relay holds no buffer of its own beyond a caller's scratch span: the bytes in flight are in
/// the two stacks' buffers, whose sizes their <see cref="MptcpOptions"/> bound.
/// </remarks>
public sealed class ProxyRelay
{
    /// <summary>Makes the relay between the accepted <paramref name="front"/> and the opened <paramref name="back"/>.</summary>
    /// <param name="front">The user's connection, accepted by the proxy's MPTCP stack.</param>
    /// <param name="back">The proxy's connection to the origin, just opened.</param>
    public ProxyRelay(MptcpConnection front, MptcpConnection back)
    {
        ArgumentNullException.ThrowIfNull(front);
        ArgumentNullException.ThrowIfNull(back);
        Front = front;
        Back = back;
    }

    /// <summary>Gets the user's connection, which ends at the proxy (the proxy is the user's MPTCP peer).</summary>
    public MptcpConnection Front { get; }

    /// <summary>Gets the proxy's connection from its own address to the origin.</summary>
    public MptcpConnection Back { get; }

    /// <summary>Gets the bytes read from the user and queued to the origin.</summary>
    public long BytesToOrigin { get; private set; }

    /// <summary>Gets the bytes read from the origin and queued to the user.</summary>
    public long BytesToUser { get; private set; }

    /// <summary>Gets whether the user's end of stream (DATA_FIN) was passed on to the origin as a FIN.</summary>
    public bool UserFinForwarded { get; private set; }

    /// <summary>Gets whether the origin's end of stream (FIN) was passed on to the user as a DATA_FIN.</summary>
    public bool OriginFinForwarded { get; private set; }

    /// <summary>Gets which side's reset (or failure) the relay passed on to the other by aborting it, or null when none was.</summary>
    public ProxySide? ResetFrom { get; private set; }

    /// <summary>Gets whether both connections are closed.</summary>
    public bool Finished => Front.State == MptcpConnectionState.Closed && Back.State == MptcpConnectionState.Closed;

    /// <summary>
    /// Moves bytes both ways through <paramref name="scratch"/>, passes on ends of stream and resets;
    /// call it whenever the proxy is polled. Returns whether anything moved or changed.
    /// </summary>
    /// <param name="now">The time, on the stacks' clock (used to abort a side).</param>
    /// <param name="scratch">A buffer to copy through; any length above zero works, larger moves more per call.</param>
    /// <exception cref="ArgumentException"><paramref name="scratch"/> is empty.</exception>
    public bool Pump(TimeSpan now, Span<byte> scratch)
    {
        if (scratch.IsEmpty)
        {
            throw new ArgumentException("The relay needs a scratch buffer of at least one byte.", nameof(scratch));
        }

        long before = BytesToOrigin + BytesToUser;
        bool finsBefore = UserFinForwarded && OriginFinForwarded;
        BytesToOrigin += Move(Front, Back, scratch, UserFinForwarded);
        BytesToUser += Move(Back, Front, scratch, OriginFinForwarded);

        // A side whose peer finished and whose bytes are all read and queued: close the other side's
        // sending direction, after what was queued (a FIN, or a DATA_FIN towards the user).
        if (!UserFinForwarded && Front.ReadCompleted && Back.State != MptcpConnectionState.Closed)
        {
            Back.Close();
            UserFinForwarded = true;
        }

        if (!OriginFinForwarded && Back.ReadCompleted && Front.State != MptcpConnectionState.Closed)
        {
            Front.Close();
            OriginFinForwarded = true;
        }

        bool reset = PropagateReset(now);
        return reset || BytesToOrigin + BytesToUser != before || (UserFinForwarded && OriginFinForwarded) != finsBefore;
    }

    // Reads from one side only as much as the other side's send buffer takes: what stays unread
    // keeps the reading side's receive window closed towards its peer.
    private static long Move(MptcpConnection from, MptcpConnection to, Span<byte> scratch, bool closedForWriting)
    {
        long moved = 0;
        if (closedForWriting || to.State == MptcpConnectionState.Closed)
        {
            return 0;
        }

        while (true)
        {
            int room = Math.Min(to.WriteSpace, scratch.Length);
            if (room == 0)
            {
                return moved;
            }

            int n = from.Read(scratch[..room]);
            if (n == 0)
            {
                return moved;
            }

            int written = to.Write(scratch[..n]);
            if (written != n)
            {
                // WriteSpace said the bytes fit: a stack that then takes fewer broke its own contract.
                throw new InvalidOperationException($"The proxy's relay read {n} bytes that the other side's send buffer promised to take, and it took {written}.");
            }

            moved += n;
        }
    }

    // A side that closed without a clean end in both directions (its peer never finished, or what we
    // sent it was not all acknowledged) was reset or failed: abort the other side rather than let it
    // think the stream ended well.
    private bool PropagateReset(TimeSpan now)
    {
        if (ResetFrom is not null)
        {
            return false;
        }

        if (Front.State == MptcpConnectionState.Closed && !ClosedCleanly(Front, OriginFinForwarded) && Back.State != MptcpConnectionState.Closed)
        {
            ResetFrom = ProxySide.User;
            Back.Abort(now);
            return true;
        }

        if (Back.State == MptcpConnectionState.Closed && !ClosedCleanly(Back, UserFinForwarded) && Front.State != MptcpConnectionState.Closed)
        {
            ResetFrom = ProxySide.Origin;
            Front.Abort(now);
            return true;
        }

        return false;
    }

    private static bool ClosedCleanly(MptcpConnection connection, bool weClosed) =>
        connection.PeerFinished && weClosed && connection.Unacknowledged == 0;
}
