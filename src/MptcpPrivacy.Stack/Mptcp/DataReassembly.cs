using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Stack.Tcp;

namespace MptcpPrivacy.Stack.Mptcp;

/// <summary>
/// The data-level receive side of an MPTCP connection (RFC 8684 §3.3): bytes arrive from any
/// subflow, tagged with their data sequence numbers, in any order and possibly more than once
/// (reinjection, §3.3.6); they leave in order, once. Memory is bounded by the receive window:
/// bytes beyond it are refused, as the window the peer was told forbids them.
/// </summary>
public sealed class DataReassembly
{
    private const int InitialRanges = 8;

    // Every byte waits in one ring (which grows with use) up to the window: in-order bytes before
    // its tail, out-of-order bytes parked in its free room at their distance from the in-order edge,
    // as TcpSubflow parks a subflow's. The parked bytes are described by disjoint, sorted, never
    // touching ranges of distances from the connection's first DSN (a fixed origin, so they never
    // move as data is delivered); the arrays grow only when data really arrives in many pieces.
    private readonly DataSeqNum _origin;
    private readonly int _window;
    private readonly ByteRing _ready;
    private ulong[] _left = new ulong[InitialRanges];
    private ulong[] _right = new ulong[InitialRanges];
    private int _ranges;
    private DataSeqNum _advertisedEdge;

    /// <summary>Starts receiving at <paramref name="next"/> (the peer's IDSN + 1) with a window of <paramref name="window"/> bytes.</summary>
    public DataReassembly(DataSeqNum next, int window)
    {
        if (window <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(window), "the receive window must be positive");
        }

        Next = next;
        _origin = next;
        _advertisedEdge = next + (ulong)window;
        _window = window;
        _ready = new ByteRing(window);
    }

    /// <summary>The next data sequence number expected in order: what the Data ACK acknowledges.</summary>
    public DataSeqNum Next { get; private set; }

    /// <summary>Bytes received in order and not yet read by the application.</summary>
    public int Readable => _ready.Count;

    /// <summary>Bytes held out of order, waiting for a gap before them to fill.</summary>
    public int Buffered { get; private set; }

    /// <summary>How much more the receive window allows beyond <see cref="Next"/>.</summary>
    public int WindowFree => Math.Max(0, _window - Readable - Buffered);

    /// <summary>
    /// Records that the window was advertised as it stands now: data up to <see cref="Next"/> +
    /// <see cref="WindowFree"/> stays acceptable even if held data later narrows the window, since a
    /// sender may use any window it was offered (RFC 9293 §3.8.6: a window is never shrunk). Memory
    /// stays bounded: the edge moves at most one window past the data read.
    /// </summary>
    public void NoteAdvertised()
    {
        DataSeqNum edge = Next + (ulong)WindowFree;
        if (edge > _advertisedEdge)
        {
            _advertisedEdge = edge;
        }
    }

    /// <summary>
    /// Takes the bytes a mapping delivered, starting at <paramref name="start"/>. Bytes before
    /// <see cref="Next"/> are duplicates and dropped; bytes beyond the window are dropped too.
    /// Returns how many new bytes were accepted (in order or held).
    /// </summary>
    public int Accept(DataSeqNum start, ReadOnlySpan<byte> data)
    {
        // Trim what is already delivered.
        long behind = Next - start;
        if (behind > 0)
        {
            if (behind >= data.Length)
            {
                return 0;
            }

            data = data[(int)behind..];
            start = Next;
        }

        // Trim what the window does not allow (relative to the in-order edge).
        long offset = start - Next;
        long room = Math.Max(_window - Readable - offset, _advertisedEdge - start);
        if (room <= 0)
        {
            return 0;
        }

        if (data.Length > room)
        {
            data = data[..(int)room];
        }

        if (data.IsEmpty)
        {
            return 0;
        }

        ulong nextKey = Next.Value - _origin.Value;
        ulong key = start.Value - _origin.Value;
        int fresh = Park(nextKey, key, data);
        Buffered += fresh;
        if (_ranges > 0 && _left[0] == nextKey)
        {
            // The gap at the in-order edge is filled: everything contiguous with it is in order now.
            int length = (int)(_right[0] - nextKey);
            RemoveRanges(0, 1);
            _ready.Commit(length);
            Buffered -= length;
            Next += (ulong)length;
        }

        return fresh;
    }

    /// <summary>Copies in-order bytes to <paramref name="destination"/>; returns how many.</summary>
    public int Read(Span<byte> destination) => _ready.Read(destination);

    /// <summary>Gives the buffer's storage back to the pool when nothing is held, in order or not (the connection is done).</summary>
    internal void ReleaseIfEmpty()
    {
        if (_ready.Count == 0 && _ranges == 0)
        {
            _ready.Release();
        }
    }

    // Copies the bytes of [key, key + data.Length) that no range holds yet into the ring's free room
    // (the first copy of a byte wins, as a reinjected duplicate must not change what arrived), adds
    // the whole span to the ranges, and returns how many bytes were new.
    private int Park(ulong nextKey, ulong key, ReadOnlySpan<byte> data)
    {
        ulong end = key + (ulong)data.Length;
        int index = FirstEndingAfter(key);
        int fresh = 0;
        ulong at = key;
        for (int i = index; at < end; i++)
        {
            ulong gapEnd = i < _ranges ? Math.Min(end, _left[i]) : end;
            if (gapEnd > at)
            {
                // Accept never takes more than the window allows (the advertised edge included: what
                // was offered plus what is unread never exceeds the window), so the ring has the room.
                ReadOnlySpan<byte> gap = data.Slice((int)(at - key), (int)(gapEnd - at));
                if (_ready.WriteAt((int)(at - nextKey), gap) != gap.Length)
                {
                    throw new InvalidOperationException("data beyond the receive window");
                }

                fresh += gap.Length;
            }

            if (i >= _ranges)
            {
                break;
            }

            at = Math.Max(at, _right[i]);
        }

        AddRange(index, key, end);
        return fresh;
    }

    // Adds [key, end) to the ranges, merging every range it overlaps or touches; `first` is the first
    // range that ends after key.
    private void AddRange(int first, ulong key, ulong end)
    {
        if (first > 0 && _right[first - 1] == key)
        {
            first--;
        }

        int last = first - 1;
        while (last + 1 < _ranges && _left[last + 1] <= end)
        {
            last++;
        }

        if (last < first)
        {
            if (_ranges == _left.Length)
            {
                Array.Resize(ref _left, _ranges * 2);
                Array.Resize(ref _right, _ranges * 2);
            }

            Array.Copy(_left, first, _left, first + 1, _ranges - first);
            Array.Copy(_right, first, _right, first + 1, _ranges - first);
            _left[first] = key;
            _right[first] = end;
            _ranges++;
            return;
        }

        _left[first] = Math.Min(_left[first], key);
        _right[first] = Math.Max(_right[last], end);
        RemoveRanges(first + 1, last - first);
    }

    private void RemoveRanges(int index, int count)
    {
        if (count <= 0)
        {
            return;
        }

        int tail = _ranges - index - count;
        Array.Copy(_left, index + count, _left, index, tail);
        Array.Copy(_right, index + count, _right, index, tail);
        _ranges -= count;
    }

    // The index of the first range whose end is after key (ranges are sorted and disjoint, so their
    // ends increase), or the number of ranges.
    private int FirstEndingAfter(ulong key)
    {
        int lo = 0;
        int hi = _ranges;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_right[mid] <= key)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
