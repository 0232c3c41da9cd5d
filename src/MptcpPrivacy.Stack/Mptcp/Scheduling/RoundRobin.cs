namespace MptcpPrivacy.Stack.Mptcp.Scheduling;

/// <summary>
/// Takes turns: the next allowed subflow with room, by id, after the one chosen last (wrapping). The
/// RFC 8684 §3.3.8 backup rule applies as in <see cref="LowestRttFirst"/>. For tests and comparisons.
/// </summary>
public sealed class RoundRobin : IPacketScheduler
{
    private int? _last;

    /// <inheritdoc/>
    public string Name => "roundrobin";

    /// <inheritdoc/>
    public int Select(ReadOnlySpan<SubflowSchedulingState> subflows, Span<int> chosen)
    {
        SchedulingTier tier = SchedulingTiers.Of(subflows);
        int? next = null, first = null;
        foreach (SubflowSchedulingState s in subflows)
        {
            if (!SchedulingTiers.IsCandidate(s, tier))
            {
                continue;
            }

            if (first is null || s.Id < first)
            {
                first = s.Id;
            }

            if (s.Id > _last && (next is null || s.Id < next))
            {
                next = s.Id;
            }
        }

        int? pick = next ?? first;
        if (pick is not { } id)
        {
            return 0;
        }

        _last = id;
        chosen[0] = id;
        return 1;
    }
}
