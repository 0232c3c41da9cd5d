using System.Buffers;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>A bounded FIFO of bytes, the storage of both the send and the receive buffer.</summary>
/// <remarks>
/// The receive side also parks out-of-order bytes in the free room past the tail
/// (<see cref="WriteAt"/>) and takes them in with <see cref="Commit"/> once the gap before them
/// fills, as smoltcp's assembler does: the receive buffer is the only memory a peer can fill.
/// Storage comes from <see cref="ArrayPool{T}.Shared"/> and goes back to it as the ring grows and
/// on <see cref="Release"/>: the stack's buffers are megabytes, and fresh ones for every connection
/// cost a run the zeroing and page faults of memory never touched before. The storage is never
/// handed out, so no one can hold it after it went back; bytes are only ever read where they were
/// written, so what a pooled array held before does not matter.
/// </remarks>
internal sealed class ByteRing
{
    // Memory follows use: a connection that moves little never touches its whole capacity (the
    // stack's buffers are megabytes, and allocating them up front cost a run its page faults).
    private const int InitialSize = 16 * 1024;

    private readonly int _capacity;
    private byte[] _buffer;
    private int _head;

    /// <summary>Creates an empty ring holding at most <paramref name="capacity"/> bytes.</summary>
    public ByteRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(capacity, InitialSize));
    }

    /// <summary>Gets the number of bytes held.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the capacity.</summary>
    public int Capacity => _capacity;

    /// <summary>Gets the room left.</summary>
    public int Free => _capacity - Count;

    /// <summary>Appends as many bytes of <paramref name="data"/> as fit and returns how many.</summary>
    public int Write(ReadOnlySpan<byte> data)
    {
        int n = WriteAt(0, data);
        Count += n;
        return n;
    }

    /// <summary>
    /// Copies <paramref name="data"/> into the free room <paramref name="offset"/> bytes past the tail
    /// without taking it in, and returns how many bytes fit.
    /// </summary>
    public int WriteAt(int offset, ReadOnlySpan<byte> data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        int n = Math.Max(0, Math.Min(data.Length, Free - offset));
        if (n == 0)
        {
            return 0;
        }

        EnsureSize(Count + offset + n);
        int start = (_head + Count + offset) % _buffer.Length;
        int first = Math.Min(n, _buffer.Length - start);
        data[..first].CopyTo(_buffer.AsSpan(start));
        data[first..n].CopyTo(_buffer);
        return n;
    }

    /// <summary>
    /// Appends the <paramref name="count"/> bytes <paramref name="offset"/> bytes after the head of
    /// <paramref name="source"/>, as many as fit, and returns how many: one copy from ring to ring.
    /// </summary>
    public int WriteFrom(ByteRing source, int offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        int n = Math.Min(Math.Min(count, Free), source.Count - offset);
        if (n <= 0)
        {
            return 0;
        }

        int start = (source._head + offset) % source._buffer.Length;
        int first = Math.Min(n, source._buffer.Length - start);
        Write(source._buffer.AsSpan(start, first));
        Write(source._buffer.AsSpan(0, n - first));
        return n;
    }

    /// <summary>Takes in <paramref name="count"/> bytes already placed past the tail with <see cref="WriteAt"/>.</summary>
    public void Commit(int count)
    {
        if (count < 0 || count > Free)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        Count += count;
    }

    /// <summary>Copies bytes starting <paramref name="offset"/> bytes after the head into <paramref name="destination"/> and returns how many.</summary>
    public int Peek(int offset, Span<byte> destination)
    {
        int n = Math.Max(0, Math.Min(destination.Length, Count - offset));
        if (n == 0)
        {
            return 0;
        }

        int start = (_head + offset) % _buffer.Length;
        int first = Math.Min(n, _buffer.Length - start);
        _buffer.AsSpan(start, first).CopyTo(destination);
        _buffer.AsSpan(0, n - first).CopyTo(destination[first..]);
        return n;
    }

    /// <summary>Drops <paramref name="count"/> bytes from the head.</summary>
    public void Discard(int count)
    {
        if (count < 0 || count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        if (count == 0)
        {
            return;
        }

        _head = (_head + count) % _buffer.Length;
        Count -= count;
    }

    /// <summary>
    /// Gives the storage of an empty ring back to the pool; bytes parked past the tail are dropped.
    /// The ring stays usable and takes storage again when written to.
    /// </summary>
    /// <exception cref="InvalidOperationException">The ring holds bytes.</exception>
    public void Release()
    {
        if (Count != 0)
        {
            throw new InvalidOperationException("only an empty ring gives its storage back");
        }

        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        _head = 0;
    }

    // Grows the storage to hold `needed` bytes from the head, keeping every byte's distance from the
    // head (bytes parked past the tail included): the old ring is copied unwrapped.
    private void EnsureSize(int needed)
    {
        if (needed <= _buffer.Length)
        {
            return;
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(_capacity, Math.Max(needed, _buffer.Length * 2)));
        int first = _buffer.Length - _head;
        _buffer.AsSpan(_head).CopyTo(larger);
        _buffer.AsSpan(0, _head).CopyTo(larger.AsSpan(first));
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
        _head = 0;
    }

    /// <summary>Moves up to <paramref name="destination"/>.Length bytes from the head and returns how many.</summary>
    public int Read(Span<byte> destination)
    {
        int n = Peek(0, destination);
        Discard(n);
        return n;
    }
}
