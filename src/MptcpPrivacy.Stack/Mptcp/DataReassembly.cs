using MptcpPrivacy.Stack.Sequencing;

namespace MptcpPrivacy.Stack.Mptcp;

/// <summary>
/// The data-level receive side of an MPTCP connection (RFC 8684 §3.3): bytes arrive from any
/// subflow, tagged with their data sequence numbers, in any order and possibly more than once
/// (reinjection, §3.3.6); they leave in order, once. Memory is bounded by the receive window:
/// bytes beyond it are refused, as the window the peer was told forbids them.
/// </summary>
public sealed class DataReassembly
{
    // Out-of-order pieces keyed by their first DSN's distance from the next expected byte at the
    // time they were stored; kept as (start, bytes) and merged lazily when the gap before them fills.
    private readonly SortedDictionary<ulong, byte[]> _pending = [];
    private readonly Queue<byte[]> _ready = new();
    private readonly int _window;
    private int _readyOffset;

    /// <summary>Starts receiving at <paramref name="next"/> (the peer's IDSN + 1) with a window of <paramref name="window"/> bytes.</summary>
    public DataReassembly(DataSeqNum next, int window)
    {
        if (window <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(window), "the receive window must be positive");
        }

        Next = next;
        _window = window;
    }

    /// <summary>The next data sequence number expected in order: what the Data ACK acknowledges.</summary>
    public DataSeqNum Next { get; private set; }

    /// <summary>Bytes received in order and not yet read by the application.</summary>
    public int Readable { get; private set; }

    /// <summary>Bytes held out of order, waiting for a gap before them to fill.</summary>
    public int Buffered { get; private set; }

    /// <summary>How much more the receive window allows beyond <see cref="Next"/>.</summary>
    public int WindowFree => Math.Max(0, _window - Readable - Buffered);

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
        long room = _window - Readable - offset;
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
            int accepted = DeliverInOrder(data);
            Drain();
            return accepted;
        }

        return Hold((ulong)offset, data);
    }

    /// <summary>Copies in-order bytes to <paramref name="destination"/>; returns how many.</summary>
    public int Read(Span<byte> destination)
    {
        int copied = 0;
        while (copied < destination.Length && _ready.Count > 0)
        {
            byte[] head = _ready.Peek();
            int n = Math.Min(head.Length - _readyOffset, destination.Length - copied);
            head.AsSpan(_readyOffset, n).CopyTo(destination[copied..]);
            copied += n;
            _readyOffset += n;
            if (_readyOffset == head.Length)
            {
                _ready.Dequeue();
                _readyOffset = 0;
            }
        }

        Readable -= copied;
        return copied;
    }

    private int DeliverInOrder(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return 0;
        }

        _ready.Enqueue(data.ToArray());
        Readable += data.Length;
        Next += (ulong)data.Length;
        Rebase(data.Length);
        return data.Length;
    }

    private int Hold(ulong offset, ReadOnlySpan<byte> data)
    {
        if (_pending.TryGetValue(offset, out byte[]? existing) && existing.Length >= data.Length)
        {
            return 0;
        }

        _pending[offset] = data.ToArray();
        int before = Buffered;
        Buffered = UnionLength();
        int fresh = Buffered - before;
        if (fresh == 0)
        {
            // Wholly covered by pieces already held: keeping it would only cost memory (a peer
            // repeating bytes at shifted offsets must not grow the buffer beyond the window).
            if (existing is null)
            {
                _pending.Remove(offset);
            }
            else
            {
                _pending[offset] = existing;
            }
        }

        return fresh;
    }

    private void Drain()
    {
        while (_pending.TryGetValue(0, out byte[]? first))
        {
            _pending.Remove(0);
            DeliverInOrder(first);
        }
    }

    // Offsets are relative to Next; when Next moves forward every held piece moves closer, and a
    // piece that now starts before Next loses the bytes that were just delivered.
    private void Rebase(int delivered)
    {
        if (_pending.Count > 0)
        {
            var pieces = _pending.ToList();
            _pending.Clear();
            foreach ((ulong offset, byte[] bytes) in pieces)
            {
                long moved = (long)offset - delivered;
                if (moved + bytes.Length <= 0)
                {
                    continue;
                }

                byte[] piece = moved < 0 ? bytes[(int)-moved..] : bytes;
                ulong key = (ulong)Math.Max(moved, 0);
                if (!_pending.TryGetValue(key, out byte[]? other) || other.Length < piece.Length)
                {
                    _pending[key] = piece;
                }
            }
        }

        Buffered = UnionLength();
    }

    // The number of distinct positions the held pieces cover (they may overlap).
    private int UnionLength()
    {
        ulong covered = 0;
        ulong reach = 0;
        foreach ((ulong offset, byte[] bytes) in _pending)
        {
            ulong end = offset + (ulong)bytes.Length;
            if (end > reach)
            {
                covered += end - Math.Max(offset, reach);
                reach = end;
            }
        }

        return (int)covered;
    }
}
