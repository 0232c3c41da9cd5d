namespace MptcpPrivacy.Stack.Tcp;

/// <summary>A bounded FIFO of bytes, the storage of both the send and the receive buffer.</summary>
/// <remarks>
/// The receive side also parks out-of-order bytes in the free room past the tail
/// (<see cref="WriteAt"/>) and takes them in with <see cref="Commit"/> once the gap before them
/// fills, as smoltcp's assembler does: the receive buffer is the only memory a peer can fill.
/// </remarks>
internal sealed class ByteRing
{
    private readonly byte[] _buffer;
    private int _head;

    /// <summary>Creates an empty ring holding at most <paramref name="capacity"/> bytes.</summary>
    public ByteRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _buffer = new byte[capacity];
    }

    /// <summary>Gets the number of bytes held.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the capacity.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Gets the room left.</summary>
    public int Free => _buffer.Length - Count;

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

        int start = (_head + Count + offset) % _buffer.Length;
        int first = Math.Min(n, _buffer.Length - start);
        data[..first].CopyTo(_buffer.AsSpan(start));
        data[first..n].CopyTo(_buffer);
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

        _head = (_head + count) % _buffer.Length;
        Count -= count;
    }

    /// <summary>Moves up to <paramref name="destination"/>.Length bytes from the head and returns how many.</summary>
    public int Read(Span<byte> destination)
    {
        int n = Peek(0, destination);
        Discard(n);
        return n;
    }
}
