namespace MptcpPrivacy.Capture;

/// <summary>
/// Walks the options at the end of a pcapng block (draft-ietf-opsawg-pcapng §3.5), one at a time.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      Option Code              |         Option Length         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// /       Option Value (Option Length bytes, padded to 32 bits)   /
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// /                 ... more options, then opt_endofopt (0, 0)    /
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
internal ref struct PcapngOptionReader
{
    /// <summary>opt_endofopt: ends the list.</summary>
    public const ushort EndOfOptions = 0;

    private const int OptionHeaderLength = 4;

    private readonly FileByteOrder order;
    private ReadOnlySpan<byte> rest;

    public PcapngOptionReader(ReadOnlySpan<byte> options, FileByteOrder order)
    {
        rest = options;
        this.order = order;
    }

    /// <summary>Set when an option claims more bytes than the block has left.</summary>
    public bool Overran { get; private set; }

    /// <summary>Moves to the next option; false at opt_endofopt, at the end of the block, or when an option overruns it.</summary>
    public bool TryNext(out ushort code, out ReadOnlySpan<byte> value)
    {
        code = 0;
        value = default;

        // Fewer than 4 bytes cannot hold an option: the list simply ends (writers may omit opt_endofopt).
        if (rest.Length < OptionHeaderLength)
        {
            return false;
        }

        code = order.UInt16(rest);
        int length = order.UInt16(rest[2..]);
        if (code == EndOfOptions)
        {
            return false;
        }

        var padded = (length + 3) & ~3;
        if (OptionHeaderLength + length > rest.Length)
        {
            Overran = true;
            return false;
        }

        value = rest.Slice(OptionHeaderLength, length);
        rest = rest[Math.Min(rest.Length, OptionHeaderLength + padded)..];
        return true;
    }
}
