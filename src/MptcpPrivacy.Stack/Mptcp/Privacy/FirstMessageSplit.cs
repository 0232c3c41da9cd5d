namespace MptcpPrivacy.Stack.Mptcp.Privacy;

/// <summary>
/// The blog's ClientHello defence ("Is MPTCP less secure than TCP?"): the first
/// <see cref="HeadBytes"/> bytes the client sends go on the initial path, the next
/// <see cref="TailBytes"/> only on the first join, so an observer of one path sees only part of the
/// first message (a TLS ClientHello and its server name). It fails closed: when the connection
/// falls back to one path, or no join is up within <see cref="JoinTimeout"/>, or the join dies
/// before the tail is acknowledged, the connection is aborted rather than the tail sent on the
/// initial path.
/// </summary>
/// <param name="HeadBytes">Bytes of the first message on the initial subflow.</param>
/// <param name="TailBytes">The bytes after them that go only on the first join.</param>
/// <param name="JoinTimeout">How long the tail waits for a join after the connection is established.</param>
public sealed record FirstMessageSplit(int HeadBytes, int TailBytes, TimeSpan JoinTimeout)
{
    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A length is not positive or the timeout is not.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(HeadBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(TailBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(JoinTimeout, TimeSpan.Zero);
    }
}
