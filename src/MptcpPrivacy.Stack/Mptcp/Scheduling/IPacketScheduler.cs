namespace MptcpPrivacy.Stack.Mptcp.Scheduling;

/// <summary>
/// Chooses which subflow or subflows carry the next chunk of connection-level data (Linux's
/// <c>struct mptcp_sched_ops</c> and its <c>get_send</c>). Pure: it sees only the snapshots it is
/// given and whatever state it keeps between calls (a round-robin position); it sends nothing.
/// </summary>
/// <remarks>
/// The connection calls <see cref="Select"/> whenever it has data to send and again after each
/// chunk (or ACK), sizing the chunk to the chosen subflow's <see cref="SubflowSchedulingState.SendableBytes"/>
/// and MSS. An empty choice means "wait": every usable subflow's window is full.
/// </remarks>
public interface IPacketScheduler
{
    /// <summary>Gets the scheduler's name, as Linux names its schedulers (<c>net.mptcp.scheduler</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Writes the ids of the subflows that get the next chunk into <paramref name="chosen"/> (at least
    /// as long as <paramref name="subflows"/>) and returns how many: 0 to wait, 1 normally, more for a
    /// redundant scheduler that sends the same data on several.
    /// </summary>
    int Select(ReadOnlySpan<SubflowSchedulingState> subflows, Span<int> chosen);
}
