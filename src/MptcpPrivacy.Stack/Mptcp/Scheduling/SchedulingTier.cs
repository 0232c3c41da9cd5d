namespace MptcpPrivacy.Stack.Mptcp.Scheduling;

/// <summary>
/// Which class of subflows may carry data now, RFC 8684 §3.3.8: regular subflows while any is usable;
/// backup subflows only when no regular one is; and, when every established subflow is stale, the
/// stale ones, so data is never stuck while a subflow might still get through.
/// </summary>
internal enum SchedulingTier
{
    /// <summary>No subflow is established.</summary>
    None,

    /// <summary>Established, non-stale, non-backup subflows.</summary>
    Regular,

    /// <summary>Established, non-stale backup subflows: no regular subflow is usable.</summary>
    Backup,

    /// <summary>Every established subflow is stale.</summary>
    Stale,
}

/// <summary>The RFC 8684 §3.3.8 rule every scheduler applies before its own preference.</summary>
internal static class SchedulingTiers
{
    /// <summary>Returns the tier data may use now.</summary>
    public static SchedulingTier Of(ReadOnlySpan<SubflowSchedulingState> subflows)
    {
        bool regular = false, backup = false, established = false;
        foreach (SubflowSchedulingState s in subflows)
        {
            if (!s.IsEstablished)
            {
                continue;
            }

            established = true;
            if (!s.IsStale)
            {
                regular |= !s.IsBackup;
                backup |= s.IsBackup;
            }
        }

        return regular ? SchedulingTier.Regular
            : backup ? SchedulingTier.Backup
            : established ? SchedulingTier.Stale
            : SchedulingTier.None;
    }

    /// <summary>Returns whether <paramref name="s"/> belongs to <paramref name="tier"/> and can send now.</summary>
    public static bool IsCandidate(in SubflowSchedulingState s, SchedulingTier tier) => s.CanSendNow && tier switch
    {
        SchedulingTier.Regular => !s.IsStale && !s.IsBackup,
        SchedulingTier.Backup => !s.IsStale && s.IsBackup,
        SchedulingTier.Stale => true,
        _ => false,
    };
}
