namespace MptcpPrivacy.Wire.Tcp;

/// <summary>
/// Walks a TCP options area (RFC 9293 §3.1, §3.2) one option at a time without allocating; use it in
/// <c>foreach</c>. Each option is yielded whole (kind, length, data); NOPs are yielded as one byte;
/// End of Option List ends the walk and is not yielded.
/// </summary>
/// <remarks>
/// An option whose length is below 2, or that runs past the area, ends the walk: the options before
/// it are still yielded and <see cref="Error"/> says why the walk stopped early. The whole area is
/// checked when the reader is made, so <see cref="Error"/> is the same on every copy, including the
/// copy <c>foreach</c> enumerates.
/// </remarks>
public ref struct TcpOptionReader
{
    // The options up to the first EOL or malformed option.
    private readonly ReadOnlySpan<byte> _options;
    private int _next;
    private int _currentStart;
    private int _currentLength;

    /// <summary>Makes a reader over an options area (the bytes between the fixed TCP header and Data Offset).</summary>
    public TcpOptionReader(ReadOnlySpan<byte> options)
    {
        int position = 0;
        WireError error = WireError.None;
        while (position < options.Length)
        {
            int length = OptionLength(options[position..], out error);
            if (length <= 0)
            {
                break;
            }

            position += length;
        }

        _options = options[..position];
        Error = error;
        _next = 0;
        _currentStart = 0;
        _currentLength = 0;
    }

    /// <summary>
    /// Gets why the walk ends before the area does: <see cref="WireError.BadLength"/> for an option
    /// whose length is below 2 or runs past the area, otherwise <see cref="WireError.None"/>.
    /// </summary>
    public WireError Error { get; }

    /// <summary>Gets the option the enumerator is on.</summary>
    public readonly TcpOption Current => new(_options.Slice(_currentStart, _currentLength));

    /// <summary>Returns this reader, so that <c>foreach</c> works.</summary>
    public readonly TcpOptionReader GetEnumerator() => this;

    /// <summary>Moves to the next option; returns false at the end of the well-formed options.</summary>
    public bool MoveNext()
    {
        if (_next >= _options.Length)
        {
            return false;
        }

        // The constructor already checked every option up to _options.Length.
        _currentStart = _next;
        _currentLength = OptionLength(_options[_next..], out _);
        _next += _currentLength;
        return true;
    }

    /// <summary>Finds the first well-formed option of the given kind.</summary>
    public readonly bool TryFind(TcpOptionKind kind, out TcpOption option)
    {
        foreach (TcpOption candidate in new TcpOptionReader(_options))
        {
            if (candidate.Kind == kind)
            {
                option = candidate;
                return true;
            }
        }

        option = default;
        return false;
    }

    /// <summary>Returns the length of the option at the start of <paramref name="rest"/>, 0 at EOL, or -1 with an error.</summary>
    private static int OptionLength(ReadOnlySpan<byte> rest, out WireError error)
    {
        error = WireError.None;
        switch ((TcpOptionKind)rest[0])
        {
            case TcpOptionKind.EndOfOptionList:
                return 0;
            case TcpOptionKind.NoOperation:
                return 1;
        }

        if (rest.Length < 2 || rest[1] < 2 || rest[1] > rest.Length)
        {
            error = WireError.BadLength;
            return -1;
        }

        return rest[1];
    }
}
