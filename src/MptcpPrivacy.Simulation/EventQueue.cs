namespace MptcpPrivacy.Simulation;

/// <summary>
/// Orders simulator events by virtual time, and events at the same time by the order they were
/// scheduled, so that a run never depends on heap internals.
/// </summary>
/// <remarks>
/// A four-ary min-heap of event values in one array: an event is its target and the target's own
/// state and argument, so scheduling allocates nothing once the array has grown to the run's
/// largest backlog. Four children per node make the heap half as deep as a binary one, and the
/// children sit next to each other in memory.
/// </remarks>
internal sealed class EventQueue
{
    private const int Arity = 4;

    private Event[] _heap = new Event[64];
    private int _count;
    private long _nextSequence;

    /// <summary>Gets how many events are waiting.</summary>
    public int Count => _count;

    /// <summary>Adds an event that calls <paramref name="target"/> with the other arguments at <paramref name="time"/>.</summary>
    public void Schedule(long time, IEventTarget target, int kind, object? state, long argument)
    {
        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        var added = new Event(time, _nextSequence++, target, kind, state, argument);
        Event[] heap = _heap;
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) / Arity;
            if (!Precedes(added, heap[parent]))
            {
                break;
            }

            heap[i] = heap[parent];
            i = parent;
        }

        heap[i] = added;
    }

    /// <summary>Returns the time of the earliest event, or false when there is none.</summary>
    public bool TryPeekTime(out long time)
    {
        if (_count == 0)
        {
            time = 0;
            return false;
        }

        time = _heap[0].Time;
        return true;
    }

    /// <summary>Removes the earliest event; there must be one.</summary>
    public Event Dequeue()
    {
        Event[] heap = _heap;
        Event earliest = heap[0];
        int count = --_count;
        Event last = heap[count];
        heap[count] = default;
        if (count > 0)
        {
            int i = 0;
            while (true)
            {
                int first = (i * Arity) + 1;
                if (first >= count)
                {
                    break;
                }

                int end = Math.Min(first + Arity, count);
                int least = first;
                for (int child = first + 1; child < end; child++)
                {
                    if (Precedes(heap[child], heap[least]))
                    {
                        least = child;
                    }
                }

                if (!Precedes(heap[least], last))
                {
                    break;
                }

                heap[i] = heap[least];
                i = least;
            }

            heap[i] = last;
        }

        return earliest;
    }

    private static bool Precedes(in Event a, in Event b) => a.Time < b.Time || (a.Time == b.Time && a.Sequence < b.Sequence);

    /// <summary>One scheduled event: when, its place among events of the same time, and what it calls with what.</summary>
    internal readonly record struct Event(long Time, long Sequence, IEventTarget Target, int Kind, object? State, long Argument)
    {
        /// <summary>Calls the target.</summary>
        public void Fire() => Target.Fire(Time, Kind, State, Argument);
    }
}
