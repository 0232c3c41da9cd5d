namespace MptcpPrivacy.Simulation;

/// <summary>
/// Orders simulator events by virtual time, and events at the same time by the order they were
/// scheduled, so that a run never depends on heap internals.
/// </summary>
/// <remarks>
/// <para>
/// A four-ary min-heap of event values in one array: an event is its target and the target's own
/// state and argument, so scheduling allocates nothing once the arrays have grown to the run's
/// largest backlog.
/// </para>
/// <para>
/// Most events are packet arrivals, and one link direction schedules its arrivals in time order
/// (a constant delay behind a FIFO line). Such a source gets a <see cref="Lane"/>: a FIFO of its
/// events of which only the first is in the heap, so the heap holds a few entries, one per busy
/// lane, instead of every packet in flight (a profile of the simulator alone had a quarter of its
/// time in taking the earliest event off a heap of hundreds). An event earlier than its lane's last
/// (jitter, reordering) goes into the heap by itself. Either way events run in (time, order
/// scheduled), exactly as with one heap of everything.
/// </para>
/// </remarks>
internal sealed class EventQueue
{
    private const int Arity = 4;

    private Entry[] _heap = new Entry[16];
    private int _count;
    private long _nextSequence;

    /// <summary>Gets how many events are in the heap (a lane's events after its first are not counted).</summary>
    public int HeapCount => _count;

    /// <summary>Adds an event that calls <paramref name="target"/> with the other arguments at <paramref name="time"/>.</summary>
    /// <param name="time">When it fires.</param>
    /// <param name="target">What it calls.</param>
    /// <param name="kind">The target's kind of event.</param>
    /// <param name="state">The target's state for it.</param>
    /// <param name="argument">The target's number for it.</param>
    /// <param name="lane">The lane of the source scheduling it, or null.</param>
    public void Schedule(long time, IEventTarget target, int kind, object? state, long argument, Lane? lane = null)
    {
        var added = new Event(time, _nextSequence++, target, kind, state, argument);
        if (lane is null)
        {
            Push(new Entry(added, null));
        }
        else if (lane.IsEmpty)
        {
            lane.Append(added);
            Push(new Entry(added, lane));
        }
        else if (time >= lane.LastTime)
        {
            // Behind the lane's first event, which is in the heap already.
            lane.Append(added);
        }
        else
        {
            Push(new Entry(added, null));
        }
    }

    /// <summary>Returns the time of the earliest event, or false when there is none.</summary>
    public bool TryPeekTime(out long time)
    {
        if (_count == 0)
        {
            time = 0;
            return false;
        }

        time = _heap[0].Event.Time;
        return true;
    }

    /// <summary>Removes the earliest event; there must be one.</summary>
    public Event Dequeue()
    {
        Entry earliest = _heap[0];
        if (earliest.Lane is { } lane)
        {
            lane.RemoveFirst();
            if (!lane.IsEmpty)
            {
                SiftDown(new Entry(lane.First, lane), _count);
                return earliest.Event;
            }
        }

        int count = --_count;
        Entry last = _heap[count];
        _heap[count] = default;
        if (count > 0)
        {
            SiftDown(last, count);
        }

        return earliest.Event;
    }

    private static bool Precedes(in Event a, in Event b) => a.Time < b.Time || (a.Time == b.Time && a.Sequence < b.Sequence);

    private void Push(Entry added)
    {
        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        Entry[] heap = _heap;
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) / Arity;
            if (!Precedes(added.Event, heap[parent].Event))
            {
                break;
            }

            heap[i] = heap[parent];
            i = parent;
        }

        heap[i] = added;
    }

    /// <summary>Puts <paramref name="entry"/> at the root of a heap of <paramref name="count"/> entries and moves it down to its place.</summary>
    private void SiftDown(Entry entry, int count)
    {
        Entry[] heap = _heap;
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
                if (Precedes(heap[child].Event, heap[least].Event))
                {
                    least = child;
                }
            }

            if (!Precedes(heap[least].Event, entry.Event))
            {
                break;
            }

            heap[i] = heap[least];
            i = least;
        }

        heap[i] = entry;
    }

    /// <summary>One scheduled event: when, its place among events of the same time, and what it calls with what.</summary>
    internal readonly record struct Event(long Time, long Sequence, IEventTarget Target, int Kind, object? State, long Argument)
    {
        /// <summary>Calls the target.</summary>
        public void Fire() => Target.Fire(Time, Kind, State, Argument);
    }

    /// <summary>
    /// The events of one source that schedules in time order, first to last; the queue keeps the
    /// first in its heap. A ring that grows to the source's largest backlog.
    /// </summary>
    internal sealed class Lane
    {
        private Event[] _ring = new Event[16];
        private int _head;
        private int _count;

        /// <summary>Gets whether the lane has no event.</summary>
        public bool IsEmpty => _count == 0;

        /// <summary>Gets the first event; the lane must not be empty.</summary>
        public Event First => _ring[_head];

        /// <summary>Gets the time of the last event; the lane must not be empty.</summary>
        public long LastTime => _ring[(_head + _count - 1) & (_ring.Length - 1)].Time;

        /// <summary>Adds an event at the end.</summary>
        public void Append(in Event e)
        {
            if (_count == _ring.Length)
            {
                var larger = new Event[_ring.Length * 2];
                for (int i = 0; i < _count; i++)
                {
                    larger[i] = _ring[(_head + i) & (_ring.Length - 1)];
                }

                (_ring, _head) = (larger, 0);
            }

            _ring[(_head + _count) & (_ring.Length - 1)] = e;
            _count++;
        }

        /// <summary>Removes the first event.</summary>
        public void RemoveFirst()
        {
            _ring[_head] = default;
            _head = (_head + 1) & (_ring.Length - 1);
            _count--;
        }
    }

    /// <summary>One heap entry: an event, and the lane it heads, if any.</summary>
    private readonly record struct Entry(Event Event, Lane? Lane);
}
