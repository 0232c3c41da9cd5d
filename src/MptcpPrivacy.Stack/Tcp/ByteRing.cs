namespace MptcpPrivacy.Stack.Tcp;

/// <summary>A bounded FIFO of bytes, the storage of both the send and the receive buffer.</summary>
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
        int n = Math.Min(data.Length, Free);
        int tail = (_head + Count) % _buffer.Length;
        int first = Math.Min(n, _buffer.Length - tail);
        data[..first].CopyTo(_buffer.AsSpan(tail));
        data[first..n].CopyTo(_buffer);
        Count += n;
        return n;
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
