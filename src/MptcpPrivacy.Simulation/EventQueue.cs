namespace MptcpPrivacy.Simulation;

/// <summary>
/// Orders simulator events by virtual time, and events at the same time by the order they were
/// scheduled, so that a run never depends on heap internals.
/// </summary>
internal sealed class EventQueue
{
    private readonly PriorityQueue<Action<long>, (long Time, long Sequence)> _queue = new();
    private long _nextSequence;

    /// <summary>Gets how many events are waiting.</summary>
    public int Count => _queue.Count;

    /// <summary>Adds an event that runs <paramref name="action"/> with the time it fires at.</summary>
    public void Schedule(long time, Action<long> action) => _queue.Enqueue(action, (time, _nextSequence++));

    /// <summary>Returns the time of the earliest event, or false when there is none.</summary>
    public bool TryPeekTime(out long time)
    {
        if (_queue.TryPeek(out _, out var priority))
        {
            time = priority.Time;
            return true;
        }

        time = 0;
        return false;
    }

    /// <summary>Removes the earliest event.</summary>
    public (long Time, Action<long> Action) Dequeue()
    {
        _queue.TryDequeue(out var action, out var priority);
        return (priority.Time, action!);
    }
}
