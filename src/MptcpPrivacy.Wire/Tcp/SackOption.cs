using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Tcp;

/// <summary>The SACK option (RFC 2018 §3): one to four blocks of data received beyond the cumulative acknowledgment.</summary>
/// <remarks>
/// <code>
///                   +--------+--------+
///                   | Kind=5 | Length |
/// +--------+--------+--------+--------+
/// |      Left Edge of 1st Block       |
/// +--------+--------+--------+--------+
/// |      Right Edge of 1st Block      |
/// +--------+--------+--------+--------+
/// /            . . .                  /
/// +--------+--------+--------+--------+
/// |      Left Edge of nth Block       |
/// +--------+--------+--------+--------+
/// |      Right Edge of nth Block      |
/// +--------+--------+--------+--------+
/// </code>
/// Length is 2 + 8 × n with n from 1 to 4 (40 bytes of option space; three blocks when Timestamps
/// are also carried).
/// </remarks>
public readonly record struct SackOption : ITcpOptionValue
{
    /// <summary>The most blocks an options area can hold (RFC 2018 §3).</summary>
    public const int MaximumBlocks = 4;

    private const int BlockLength = 8;

    // Four fields rather than an array keep the value allocation-free; unused blocks stay default so
    // that record equality compares only the blocks carried.
    private readonly SackBlock _block0;
    private readonly SackBlock _block1;
    private readonly SackBlock _block2;
    private readonly SackBlock _block3;

    /// <summary>Makes a SACK option from one to four blocks, first block first.</summary>
    /// <exception cref="ArgumentException">Fewer than one or more than four blocks.</exception>
    public SackOption(params ReadOnlySpan<SackBlock> blocks)
    {
        if (blocks.Length is < 1 or > MaximumBlocks)
        {
            throw new ArgumentException("A SACK option carries one to four blocks.", nameof(blocks));
        }

        Count = blocks.Length;
        _block0 = blocks[0];
        _block1 = blocks.Length > 1 ? blocks[1] : default;
        _block2 = blocks.Length > 2 ? blocks[2] : default;
        _block3 = blocks.Length > 3 ? blocks[3] : default;
    }

    /// <summary>Gets the number of blocks (1 to 4).</summary>
    public int Count { get; }

    /// <summary>Gets a block by position, 0 being the first on the wire.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not below <see cref="Count"/>.</exception>
    public SackBlock this[int index] => (uint)index < (uint)Count
        ? index switch { 0 => _block0, 1 => _block1, 2 => _block2, _ => _block3 }
        : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Reads the option from its bytes (kind, length, blocks).</summary>
    /// <returns>False with <see cref="WireError.BadValue"/> for another kind, <see cref="WireError.BadLength"/> when the length is not 2 + 8n with n from 1 to 4, <see cref="WireError.Truncated"/> when bytes are missing.</returns>
    public static bool TryParse(ReadOnlySpan<byte> option, out SackOption value, out WireError error)
    {
        value = default;
        if (!TcpOptionFormat.TryReadHeader(option, TcpOptionKind.Sack, out int length, out error))
        {
            return false;
        }

        int count = (length - 2) / BlockLength;
        if ((length - 2) % BlockLength != 0 || count is < 1 or > MaximumBlocks)
        {
            error = WireError.BadLength;
            return false;
        }

        if (!TcpOptionFormat.TryTake(option, length, out ReadOnlySpan<byte> data, out error))
        {
            return false;
        }

        Span<SackBlock> blocks = stackalloc SackBlock[MaximumBlocks];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> block = data.Slice(i * BlockLength, BlockLength);
            blocks[i] = new SackBlock(BinaryPrimitives.ReadUInt32BigEndian(block), BinaryPrimitives.ReadUInt32BigEndian(block[4..]));
        }

        value = new SackOption(blocks[..count]);
        return true;
    }

    /// <inheritdoc/>
    public int EncodedLength => 2 + (BlockLength * Count);

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The value is <c>default</c> and holds no block.</exception>
    public int Encode(Span<byte> destination)
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("A default SackOption holds no block.");
        }

        Span<byte> data = TcpOptionFormat.WriteHeader(destination, TcpOptionKind.Sack, EncodedLength);
        for (int i = 0; i < Count; i++)
        {
            SackBlock block = this[i];
            BinaryPrimitives.WriteUInt32BigEndian(data[(i * BlockLength)..], block.LeftEdge);
            BinaryPrimitives.WriteUInt32BigEndian(data[((i * BlockLength) + 4)..], block.RightEdge);
        }

        return EncodedLength;
    }
}
