namespace MptcpPrivacy.Stack.Mptcp.Scheduling;

/// <summary>
/// Sends each chunk on every allowed subflow that has room (the out-of-tree Linux "redundant"
/// scheduler): lowest latency at the cost of capacity. Backups join only when no regular subflow
/// is usable (RFC 8684 §3.3.8). The receiver's data-level reassembly drops the copies.
/// </summary>
public sealed class Redundant : IPacketScheduler
{
    /// <inheritdoc/>
    public string Name => "redundant";

    /// <inheritdoc/>
    public int Select(ReadOnlySpan<SubflowSchedulingState> subflows, Span<int> chosen)
    {
        SchedulingTier tier = SchedulingTiers.Of(subflows);
        int count = 0;
        foreach (SubflowSchedulingState s in subflows)
        {
            if (SchedulingTiers.IsCandidate(s, tier))
            {
                chosen[count++] = s.Id;
            }
        }

        return count;
    }
}
