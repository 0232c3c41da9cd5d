using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Tcp;

/// <summary>The Timestamps option (RFC 7323 §3.2): the sender's clock and the most recent timestamp it echoes.</summary>
/// <remarks>
/// <code>
/// +-------+-------+---------------------+---------------------+
/// |Kind=8 |  10   |   TS Value (TSval)  |TS Echo Reply (TSecr)|
/// +-------+-------+---------------------+---------------------+
///     1       1              4                     4
/// </code>
/// </remarks>
/// <param name="Value">TSval: the sender's timestamp clock.</param>
/// <param name="EchoReply">TSecr: the TSval being echoed; meaningful only with ACK set.</param>
public readonly record struct TimestampsOption(uint Value, uint EchoReply) : ITcpOptionValue
{
    /// <summary>The option's length field: always 10.</summary>
    public const int Length = 10;

    /// <summary>Reads the option from its bytes (kind, length, data).</summary>
    /// <returns>False with <see cref="WireError.BadValue"/> for another kind, <see cref="WireError.BadLength"/> when the length field is not 10, <see cref="WireError.Truncated"/> when bytes are missing.</returns>
    public static bool TryParse(ReadOnlySpan<byte> option, out TimestampsOption value, out WireError error)
    {
        value = default;
        if (!TcpOptionFormat.TryReadFixed(option, TcpOptionKind.Timestamps, Length, out ReadOnlySpan<byte> data, out error))
        {
            return false;
        }

        value = new TimestampsOption(BinaryPrimitives.ReadUInt32BigEndian(data), BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
        return true;
    }

    /// <inheritdoc/>
    public int EncodedLength => Length;

    /// <inheritdoc/>
    public int Encode(Span<byte> destination)
    {
        Span<byte> data = TcpOptionFormat.WriteHeader(destination, TcpOptionKind.Timestamps, Length);
        BinaryPrimitives.WriteUInt32BigEndian(data, Value);
        BinaryPrimitives.WriteUInt32BigEndian(data[4..], EchoReply);
        return Length;
    }
}
