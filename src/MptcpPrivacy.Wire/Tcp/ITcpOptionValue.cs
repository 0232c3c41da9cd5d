namespace MptcpPrivacy.Wire.Tcp;

/// <summary>A TCP option value that can write itself, kind and length included; lets <see cref="TcpOptionWriter"/> take any option without boxing.</summary>
public interface ITcpOptionValue
{
    /// <summary>Gets the number of bytes <see cref="Encode"/> writes, kind and length included.</summary>
    int EncodedLength { get; }

    /// <summary>Writes the option (kind, length, data) at the start of <paramref name="destination"/> and returns <see cref="EncodedLength"/>.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than <see cref="EncodedLength"/>.</exception>
    int Encode(Span<byte> destination);
}
