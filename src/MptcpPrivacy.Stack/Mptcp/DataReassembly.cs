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
    // In-order bytes wait in a ring (which grows with use) up to the window; out-of-order pieces are
    // kept disjoint, sorted by their distance from the connection's first DSN (a fixed origin, so
    // keys never move as data is delivered), and allocated only when data really is out of order.
    private readonly SortedList<ulong, byte[]> _pending = [];
    private readonly DataSeqNum _origin;
    private readonly int _window;
    private readonly ByteRing _ready;
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

        if (offset == 0)
        {
            // New bytes: how far Next moved, less what came from pieces already held.
            DataSeqNum before = Next;
            Append(data);
            int fromHeld = Drain();
            return (int)(Next - before) - fromHeld;
        }

        return Hold(start.Value - _origin.Value, data);
    }

    /// <summary>Copies in-order bytes to <paramref name="destination"/>; returns how many.</summary>
    public int Read(Span<byte> destination) => _ready.Read(destination);

    private void Append(ReadOnlySpan<byte> data)
    {
        // Accept never takes more than the window allows (the advertised edge included: what was
        // offered plus what is unread never exceeds the window), so the ring always has the room.
        if (_ready.Write(data) != data.Length)
        {
            throw new InvalidOperationException("in-order data beyond the receive window");
        }

        Next += (ulong)data.Length;
    }

    private int Hold(ulong key, ReadOnlySpan<byte> data)
    {
        // Keep pieces disjoint: cut what earlier or later pieces already hold.
        ulong end = key + (ulong)data.Length;
        int index = LowerBound(key);
        if (index > 0)
        {
            ulong previousEnd = _pending.Keys[index - 1] + (ulong)_pending.Values[index - 1].Length;
            if (previousEnd >= end)
            {
                return 0;
            }

            if (previousEnd > key)
            {
                data = data[(int)(previousEnd - key)..];
                key = previousEnd;
            }
        }

        int fresh = 0;
        while (!data.IsEmpty)
        {
            index = LowerBound(key);
            ulong nextKey = index < _pending.Count ? _pending.Keys[index] : ulong.MaxValue;
            if (nextKey == key)
            {
                // Skip over the piece already held here.
                int skip = (int)Math.Min((ulong)data.Length, (ulong)_pending.Values[index].Length);
                data = data[skip..];
                key += (ulong)skip;
                continue;
            }

            int take = (int)Math.Min((ulong)data.Length, nextKey - key);
            _pending.Add(key, data[..take].ToArray());
            fresh += take;
            data = data[take..];
            key += (ulong)take;
        }

        Buffered += fresh;
        return fresh;
    }

    private int Drain()
    {
        int appended = 0;
        ulong nextKey = Next.Value - _origin.Value;
        while (_pending.Count > 0 && _pending.Keys[0] <= nextKey)
        {
            ulong key = _pending.Keys[0];
            byte[] piece = _pending.Values[0];
            _pending.RemoveAt(0);
            Buffered -= piece.Length;
            ulong skip = nextKey - key;
            if (skip < (ulong)piece.Length)
            {
                Append(piece.AsSpan((int)skip));
                appended += piece.Length - (int)skip;
                nextKey = Next.Value - _origin.Value;
            }
        }

        return appended;
    }

    private int LowerBound(ulong key)
    {
        IList<ulong> keys = _pending.Keys;
        int lo = 0;
        int hi = keys.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (keys[mid] < key)
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
