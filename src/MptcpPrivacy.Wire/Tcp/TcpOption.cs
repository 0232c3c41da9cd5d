namespace MptcpPrivacy.Wire.Tcp;

/// <summary>One option of a TCP options area as <see cref="TcpOptionReader"/> finds it: its kind and all its bytes.</summary>
public readonly ref struct TcpOption
{
    internal TcpOption(ReadOnlySpan<byte> bytes)
    {
        Bytes = bytes;
    }

    /// <summary>Gets the Kind byte.</summary>
    public TcpOptionKind Kind => (TcpOptionKind)Bytes[0];

    /// <summary>Gets the whole option: kind, length and data (one byte for a NOP).</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>Gets the bytes after kind and length (empty for a NOP).</summary>
    public ReadOnlySpan<byte> Data => Bytes.Length >= 2 ? Bytes[2..] : ReadOnlySpan<byte>.Empty;
}
