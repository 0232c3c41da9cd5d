using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>
/// A bounded, sorted set of disjoint half-open sequence ranges [Left, Right), merged as they touch:
/// the out-of-order data a receiver holds (RFC 2018 §4) and the data a sender knows was SACKed
/// (RFC 6675 §3, the scoreboard). Each range remembers when it last grew, so that the receiver can
/// report the most recent first.
/// </summary>
/// <remarks>
/// All ranges lie within one window of each other, far less than 2^31, so sequence comparison is
/// meaningful among them. Storage is fixed when made: adding never allocates.
/// </remarks>
internal sealed class SequenceRanges
{
    private readonly SeqNum32[] _left;
    private readonly SeqNum32[] _right;
    private readonly long[] _stamp;
    private long _clock;

    /// <summary>Creates an empty set that holds at most <paramref name="capacity"/> disjoint ranges.</summary>
    public SequenceRanges(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _left = new SeqNum32[capacity];
        _right = new SeqNum32[capacity];
        _stamp = new long[capacity];
    }

    /// <summary>Gets the number of disjoint ranges.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the most ranges the set holds.</summary>
    public int Capacity => _left.Length;

    /// <summary>Gets whether the set is empty.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Gets the first sequence number of the range at <paramref name="index"/> (ranges are in sequence order).</summary>
    public SeqNum32 Left(int index) => _left[index];

    /// <summary>Gets the sequence number just after the range at <paramref name="index"/>.</summary>
    public SeqNum32 Right(int index) => _right[index];

    /// <summary>Gets the number of octets in the range at <paramref name="index"/>.</summary>
    public int Length(int index) => (int)_left[index].DistanceTo(_right[index]);

    /// <summary>Empties the set.</summary>
    public void Clear() => Count = 0;

    /// <summary>
    /// Adds [<paramref name="left"/>, <paramref name="right"/>), merging it with every range it
    /// overlaps or touches, and marks the result as the most recent. Returns false, changing nothing,
    /// when the range is empty or would need a slot and the set is full.
    /// </summary>
    public bool Add(SeqNum32 left, SeqNum32 right)
    {
        if (right <= left)
        {
            return false;
        }

        // first: the first range that ends at or after left; last: the last that starts at or before right.
        int first = 0;
        while (first < Count && _right[first] < left)
        {
            first++;
        }

        int last = first - 1;
        while (last + 1 < Count && _left[last + 1] <= right)
        {
            last++;
        }

        if (last < first)
        {
            if (Count == _left.Length)
            {
                return false;
            }

            Array.Copy(_left, first, _left, first + 1, Count - first);
            Array.Copy(_right, first, _right, first + 1, Count - first);
            Array.Copy(_stamp, first, _stamp, first + 1, Count - first);
            _left[first] = left;
            _right[first] = right;
            _stamp[first] = ++_clock;
            Count++;
            return true;
        }

        _left[first] = SeqNum32.Min(_left[first], left);
        _right[first] = SeqNum32.Max(_right[last], right);
        _stamp[first] = ++_clock;
        RemoveRange(first + 1, last - first);
        return true;
    }

    /// <summary>Returns whether [<paramref name="left"/>, <paramref name="right"/>) lies wholly inside one range.</summary>
    public bool Covers(SeqNum32 left, SeqNum32 right)
    {
        for (int i = 0; i < Count; i++)
        {
            if (_left[i] <= left && right <= _right[i])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns the end of the range holding <paramref name="seq"/>, or <paramref name="seq"/> itself when no range holds it.</summary>
    public SeqNum32 SkipCovered(SeqNum32 seq)
    {
        for (int i = 0; i < Count; i++)
        {
            if (_left[i] <= seq && seq < _right[i])
            {
                return _right[i];
            }
        }

        return seq;
    }

    /// <summary>Returns the start of the first range after <paramref name="seq"/>, or <paramref name="limit"/> when none starts before it.</summary>
    public SeqNum32 NextStartAfter(SeqNum32 seq, SeqNum32 limit)
    {
        for (int i = 0; i < Count; i++)
        {
            if (_left[i] > seq)
            {
                return SeqNum32.Min(_left[i], limit);
            }
        }

        return limit;
    }

    /// <summary>Returns how many octets of [<paramref name="from"/>, <paramref name="to"/>) the ranges cover.</summary>
    public int CoveredBetween(SeqNum32 from, SeqNum32 to)
    {
        int covered = 0;
        for (int i = 0; i < Count; i++)
        {
            SeqNum32 l = SeqNum32.Max(_left[i], from);
            SeqNum32 r = SeqNum32.Min(_right[i], to);
            if (r > l)
            {
                covered += r - l;
            }
        }

        return covered;
    }

    /// <summary>Drops everything before <paramref name="seq"/>: whole ranges below it, and the part of a range that straddles it.</summary>
    public void TrimBelow(SeqNum32 seq)
    {
        int drop = 0;
        while (drop < Count && _right[drop] <= seq)
        {
            drop++;
        }

        RemoveRange(0, drop);
        if (Count > 0 && _left[0] < seq)
        {
            _left[0] = seq;
        }
    }

    /// <summary>
    /// Removes the first range when it starts at or before <paramref name="next"/> and returns the
    /// sequence number after it (at least <paramref name="next"/>); returns <paramref name="next"/>
    /// unchanged otherwise. Repeating this takes in all data made contiguous by a filled gap.
    /// </summary>
    public SeqNum32 TakeContiguous(SeqNum32 next)
    {
        while (Count > 0 && _left[0] <= next)
        {
            next = SeqNum32.Max(next, _right[0]);
            RemoveRange(0, 1);
        }

        return next;
    }

    /// <summary>
    /// Writes up to <paramref name="destination"/>.Length ranges, the most recently grown first
    /// (RFC 2018 §4: the first block holds the latest segment, the rest repeat recent ones), and
    /// returns how many.
    /// </summary>
    public int MostRecentFirst(Span<SackBlock> destination)
    {
        int n = 0;
        long below = long.MaxValue;
        while (n < destination.Length)
        {
            int best = -1;
            for (int i = 0; i < Count; i++)
            {
                if (_stamp[i] < below && (best < 0 || _stamp[i] > _stamp[best]))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                break;
            }

            destination[n++] = new SackBlock(_left[best].Value, _right[best].Value);
            below = _stamp[best];
        }

        return n;
    }

    private void RemoveRange(int index, int count)
    {
        if (count <= 0)
        {
            return;
        }

        int tail = Count - index - count;
        Array.Copy(_left, index + count, _left, index, tail);
        Array.Copy(_right, index + count, _right, index, tail);
        Array.Copy(_stamp, index + count, _stamp, index, tail);
        Count -= count;
    }
}
