namespace MptcpPrivacy.Stack.Mptcp.Scheduling;

/// <summary>
/// The default scheduler: among the subflows the RFC 8684 §3.3.8 rule allows and that have room in
/// both windows, the one with the lowest smoothed RTT; subflows without an RTT sample come last,
/// ties go to the lower id. With every subflow stale it prefers a regular one over a backup.
/// </summary>
public sealed class LowestRttFirst : IPacketScheduler
{
    /// <inheritdoc/>
    public string Name => "default";

    /// <inheritdoc/>
    public int Select(ReadOnlySpan<SubflowSchedulingState> subflows, Span<int> chosen)
    {
        SchedulingTier tier = SchedulingTiers.Of(subflows);
        int best = -1;
        for (int i = 0; i < subflows.Length; i++)
        {
            if (SchedulingTiers.IsCandidate(subflows[i], tier) && (best < 0 || IsBetter(subflows[i], subflows[best])))
            {
                best = i;
            }
        }

        if (best < 0)
        {
            return 0;
        }

        chosen[0] = subflows[best].Id;
        return 1;
    }

    private static bool IsBetter(in SubflowSchedulingState a, in SubflowSchedulingState b)
    {
        if (a.IsBackup != b.IsBackup)
        {
            return !a.IsBackup; // only differs in the stale tier
        }

        if (a.SmoothedRtt != b.SmoothedRtt)
        {
            return b.SmoothedRtt is null || (a.SmoothedRtt is { } rtt && rtt < b.SmoothedRtt.Value);
        }

        return a.Id < b.Id;
    }
}
