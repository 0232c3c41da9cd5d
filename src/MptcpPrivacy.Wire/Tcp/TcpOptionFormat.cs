namespace MptcpPrivacy.Wire.Tcp;

/// <summary>Checks shared by the TCP option values: kind, length field, and the bytes present.</summary>
internal static class TcpOptionFormat
{
    /// <summary>
    /// Checks that <paramref name="option"/> starts with <paramref name="kind"/> and a length field
    /// equal to <paramref name="length"/>, and holds that many bytes; returns the data after kind and length.
    /// </summary>
    public static bool TryReadFixed(ReadOnlySpan<byte> option, TcpOptionKind kind, int length, out ReadOnlySpan<byte> data, out WireError error)
    {
        if (!TryReadHeader(option, kind, out int declared, out error))
        {
            data = default;
            return false;
        }

        if (declared != length)
        {
            data = default;
            error = WireError.BadLength;
            return false;
        }

        return TryTake(option, declared, out data, out error);
    }

    /// <summary>Checks the kind and reads the length field, which it does not validate beyond presence.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> option, TcpOptionKind kind, out int declaredLength, out WireError error)
    {
        declaredLength = 0;
        if (option.IsEmpty)
        {
            error = WireError.Truncated;
            return false;
        }

        if (option[0] != (byte)kind)
        {
            // Handing an option to the wrong value type is the caller's mistake, but the bytes still
            // come from the wire, so it is a result rather than an exception.
            error = WireError.BadValue;
            return false;
        }

        if (option.Length < 2)
        {
            error = WireError.Truncated;
            return false;
        }

        declaredLength = option[1];
        error = WireError.None;
        return true;
    }

    /// <summary>Returns the data of an option of <paramref name="declaredLength"/> bytes, or Truncated when fewer are present.</summary>
    public static bool TryTake(ReadOnlySpan<byte> option, int declaredLength, out ReadOnlySpan<byte> data, out WireError error)
    {
        if (option.Length < declaredLength)
        {
            data = default;
            error = WireError.Truncated;
            return false;
        }

        data = option[2..declaredLength];
        error = WireError.None;
        return true;
    }

    /// <summary>Writes kind and length after checking room; returns the span for the data.</summary>
    public static Span<byte> WriteHeader(Span<byte> destination, TcpOptionKind kind, int length)
    {
        if (destination.Length < length)
        {
            throw new ArgumentException($"Destination needs {length} bytes for the {kind} option.", nameof(destination));
        }

        destination[0] = (byte)kind;
        destination[1] = (byte)length;
        return destination[2..length];
    }
}
