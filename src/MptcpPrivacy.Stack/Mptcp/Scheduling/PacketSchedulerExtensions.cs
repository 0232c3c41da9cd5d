namespace MptcpPrivacy.Stack.Mptcp.Scheduling;

/// <summary>Conveniences over <see cref="IPacketScheduler"/>.</summary>
public static class PacketSchedulerExtensions
{
    /// <summary>Returns the first subflow <paramref name="scheduler"/> chooses for the next chunk, or null to wait.</summary>
    public static int? SelectOne(this IPacketScheduler scheduler, ReadOnlySpan<SubflowSchedulingState> subflows)
    {
        Span<int> chosen = subflows.Length <= 16 ? stackalloc int[16] : new int[subflows.Length];
        return scheduler.Select(subflows, chosen) > 0 ? chosen[0] : null;
    }
}
