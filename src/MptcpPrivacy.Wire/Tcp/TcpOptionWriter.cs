namespace MptcpPrivacy.Wire.Tcp;

/// <summary>Builds a TCP options area in a caller's buffer, one option at a time, without allocating.</summary>
public ref struct TcpOptionWriter
{
    private readonly Span<byte> _buffer;

    /// <summary>Makes a writer that fills <paramref name="buffer"/> from its start (40 bytes hold any options area).</summary>
    public TcpOptionWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        Length = 0;
    }

    /// <summary>Gets the number of bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>Gets the bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[..Length];

    /// <summary>Appends one option as it is.</summary>
    /// <exception cref="ArgumentException">The buffer has no room for it.</exception>
    public void Add<T>(T option)
        where T : ITcpOptionValue
    {
        Length += option.Encode(_buffer[Length..]);
    }

    /// <summary>
    /// Appends NOPs, then the option, so that the option ends on a 4-byte boundary: the layout Linux
    /// uses for Window Scale (NOP, WS), SACK (NOP, NOP, SACK) and Timestamps (NOP, NOP, TS).
    /// </summary>
    /// <exception cref="ArgumentException">The buffer has no room for it.</exception>
    public void AddAligned<T>(T option)
        where T : ITcpOptionValue
    {
        int padding = (4 - ((Length + option.EncodedLength) & 3)) & 3;
        for (int i = 0; i < padding; i++)
        {
            AddNop();
        }

        Add(option);
    }

    /// <summary>Appends one No-Operation byte.</summary>
    /// <exception cref="ArgumentException">The buffer is full.</exception>
    public void AddNop()
    {
        if (Length >= _buffer.Length)
        {
            throw new ArgumentException("The options buffer is full.");
        }

        _buffer[Length++] = (byte)TcpOptionKind.NoOperation;
    }

    /// <summary>Appends bytes already encoded as one or more options (for example an MPTCP option).</summary>
    /// <exception cref="ArgumentException">The buffer has no room for them.</exception>
    public void AddRaw(ReadOnlySpan<byte> encodedOptions)
    {
        encodedOptions.CopyTo(_buffer[Length..]);
        Length += encodedOptions.Length;
    }
}
