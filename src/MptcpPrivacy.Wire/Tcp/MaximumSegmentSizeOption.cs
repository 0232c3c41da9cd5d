using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Tcp;

/// <summary>The Maximum Segment Size option (RFC 9293 §3.2, §3.7.1): the largest segment payload the sender of a SYN can receive.</summary>
/// <remarks>
/// <code>
/// +--------+--------+---------+--------+
/// |00000010|00000100|   maximum seg size |
/// +--------+--------+---------+--------+
///  Kind=2   Length=4
/// </code>
/// </remarks>
/// <param name="MaximumSegmentSize">The maximum segment size in bytes, excluding IP and TCP headers (RFC 6691).</param>
public readonly record struct MaximumSegmentSizeOption(ushort MaximumSegmentSize) : ITcpOptionValue
{
    /// <summary>The option's length field: always 4.</summary>
    public const int Length = 4;

    /// <summary>Reads the option from its bytes (kind, length, data), as <see cref="TcpOption.Bytes"/> gives them.</summary>
    /// <returns>False with <see cref="WireError.BadValue"/> for another kind, <see cref="WireError.BadLength"/> when the length field is not 4, <see cref="WireError.Truncated"/> when bytes are missing.</returns>
    public static bool TryParse(ReadOnlySpan<byte> option, out MaximumSegmentSizeOption value, out WireError error)
    {
        value = default;
        if (!TcpOptionFormat.TryReadFixed(option, TcpOptionKind.MaximumSegmentSize, Length, out ReadOnlySpan<byte> data, out error))
        {
            return false;
        }

        value = new MaximumSegmentSizeOption(BinaryPrimitives.ReadUInt16BigEndian(data));
        return true;
    }

    /// <inheritdoc/>
    public int EncodedLength => Length;

    /// <inheritdoc/>
    public int Encode(Span<byte> destination)
    {
        Span<byte> data = TcpOptionFormat.WriteHeader(destination, TcpOptionKind.MaximumSegmentSize, Length);
        BinaryPrimitives.WriteUInt16BigEndian(data, MaximumSegmentSize);
        return Length;
    }
}
