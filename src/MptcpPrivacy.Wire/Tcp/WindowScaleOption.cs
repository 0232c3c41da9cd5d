namespace MptcpPrivacy.Wire.Tcp;

/// <summary>The Window Scale option (RFC 7323 §2.2): the shift the sender of a SYN applies to the windows it advertises.</summary>
/// <remarks>
/// <code>
/// +---------+---------+---------+
/// | Kind=3  |Length=3 |shift.cnt|
/// +---------+---------+---------+
///      1         1         1
/// </code>
/// </remarks>
/// <param name="ShiftCount">The shift count as carried; receivers use at most 14 (RFC 7323 §2.3).</param>
public readonly record struct WindowScaleOption(byte ShiftCount) : ITcpOptionValue
{
    /// <summary>The option's length field: always 3.</summary>
    public const int Length = 3;

    /// <summary>The largest shift RFC 7323 §2.3 allows; a larger one is used as 14.</summary>
    public const int MaximumShift = 14;

    /// <summary>Gets the shift a receiver applies: <see cref="ShiftCount"/> capped at 14 (RFC 7323 §2.3).</summary>
    public int EffectiveShift => Math.Min((int)ShiftCount, MaximumShift);

    /// <summary>Reads the option from its bytes (kind, length, data). A shift above 14 is kept as carried.</summary>
    /// <returns>False with <see cref="WireError.BadValue"/> for another kind, <see cref="WireError.BadLength"/> when the length field is not 3, <see cref="WireError.Truncated"/> when bytes are missing.</returns>
    public static bool TryParse(ReadOnlySpan<byte> option, out WindowScaleOption value, out WireError error)
    {
        value = default;
        if (!TcpOptionFormat.TryReadFixed(option, TcpOptionKind.WindowScale, Length, out ReadOnlySpan<byte> data, out error))
        {
            return false;
        }

        value = new WindowScaleOption(data[0]);
        return true;
    }

    /// <inheritdoc/>
    public int EncodedLength => Length;

    /// <inheritdoc/>
    public int Encode(Span<byte> destination)
    {
        TcpOptionFormat.WriteHeader(destination, TcpOptionKind.WindowScale, Length)[0] = ShiftCount;
        return Length;
    }
}
