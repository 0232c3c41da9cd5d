namespace MptcpPrivacy.Wire.Tcp;

/// <summary>The SACK-Permitted option (RFC 2018 §2): on a SYN, says the sender can receive SACK options.</summary>
/// <remarks>
/// <code>
/// +---------+---------+
/// | Kind=4  | Length=2|
/// +---------+---------+
/// </code>
/// </remarks>
public readonly record struct SackPermittedOption : ITcpOptionValue
{
    /// <summary>The option's length field: always 2.</summary>
    public const int Length = 2;

    /// <summary>Reads the option from its bytes (kind, length).</summary>
    /// <returns>False with <see cref="WireError.BadValue"/> for another kind, <see cref="WireError.BadLength"/> when the length field is not 2, <see cref="WireError.Truncated"/> when bytes are missing.</returns>
    public static bool TryParse(ReadOnlySpan<byte> option, out SackPermittedOption value, out WireError error)
    {
        value = default;
        return TcpOptionFormat.TryReadFixed(option, TcpOptionKind.SackPermitted, Length, out _, out error);
    }

    /// <inheritdoc/>
    public int EncodedLength => Length;

    /// <inheritdoc/>
    public int Encode(Span<byte> destination)
    {
        TcpOptionFormat.WriteHeader(destination, TcpOptionKind.SackPermitted, Length);
        return Length;
    }
}
