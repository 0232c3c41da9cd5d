using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Tcp;

/// <summary>The User Timeout option (RFC 5482 §2): how long the sender lets data stay unacknowledged before it drops the connection.</summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   Kind = 28   |   Length = 4  |G|        User Timeout         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
/// <param name="GranularityMinutes">G: the timeout counts minutes when set, seconds when clear.</param>
/// <param name="Timeout">The 15-bit User Timeout (0 to 32767).</param>
public readonly record struct UserTimeoutOption(bool GranularityMinutes, ushort Timeout) : ITcpOptionValue
{
    /// <summary>The option's length field: always 4.</summary>
    public const int Length = 4;

    /// <summary>The largest value the 15-bit field holds.</summary>
    public const ushort MaximumTimeout = 0x7FFF;

    /// <summary>Gets the timeout as a duration.</summary>
    public TimeSpan Duration => GranularityMinutes ? TimeSpan.FromMinutes(Timeout) : TimeSpan.FromSeconds(Timeout);

    /// <summary>Reads the option from its bytes (kind, length, data).</summary>
    /// <returns>False with <see cref="WireError.BadValue"/> for another kind, <see cref="WireError.BadLength"/> when the length field is not 4, <see cref="WireError.Truncated"/> when bytes are missing.</returns>
    public static bool TryParse(ReadOnlySpan<byte> option, out UserTimeoutOption value, out WireError error)
    {
        value = default;
        if (!TcpOptionFormat.TryReadFixed(option, TcpOptionKind.UserTimeout, Length, out ReadOnlySpan<byte> data, out error))
        {
            return false;
        }

        ushort word = BinaryPrimitives.ReadUInt16BigEndian(data);
        value = new UserTimeoutOption((word & 0x8000) != 0, (ushort)(word & MaximumTimeout));
        return true;
    }

    /// <inheritdoc/>
    public int EncodedLength => Length;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The timeout does not fit 15 bits.</exception>
    public int Encode(Span<byte> destination)
    {
        if (Timeout > MaximumTimeout)
        {
            throw new ArgumentException("The user timeout has 15 bits.", nameof(destination));
        }

        Span<byte> data = TcpOptionFormat.WriteHeader(destination, TcpOptionKind.UserTimeout, Length);
        BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)((GranularityMinutes ? 0x8000 : 0) | Timeout));
        return Length;
    }
}
