using System.Text;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>
/// Subtype 0xf, reserved for private use (RFC 8684 §7.2). RFC 8684 gives it no layout, so the
/// option is kept as raw bytes: the low nibble of the subtype byte and everything after it.
/// <code>
/// +---------------+---------------+-------+-------+---------------+
/// |     Kind      |    Length     |  0xf  | (any) |  (any, Length - 3 octets)
/// +---------------+---------------+-------+-------+---------------+
/// </code>
/// </summary>
public readonly struct MpExperimentalOption : IEquatable<MpExperimentalOption>
{
    private readonly InlineOptionBytes _data;

    /// <summary>Builds the option from its low nibble and the bytes after the subtype byte.</summary>
    public MpExperimentalOption(byte lowNibble, ReadOnlySpan<byte> data)
    {
        if (data.Length > MptcpOptionHeader.MaxLength - 3)
        {
            throw new ArgumentException($"an option carries at most {MptcpOptionHeader.MaxLength - 3} bytes after its subtype", nameof(data));
        }

        LowNibble = (byte)(lowNibble & 0x0f);
        data.CopyTo(_data);
        DataLength = (byte)data.Length;
    }

    /// <summary>The four bits after the subtype.</summary>
    public byte LowNibble { get; }

    /// <summary>How many bytes follow the subtype byte.</summary>
    public int DataLength { get; }

    /// <summary>Bytes this option takes on the wire.</summary>
    public int EncodedLength => 3 + DataLength;

    /// <summary>Copies the bytes after the subtype byte into <paramref name="destination"/> and returns how many.</summary>
    public int CopyDataTo(Span<byte> destination)
    {
        ReadOnlySpan<byte> data = _data;
        data[..DataLength].CopyTo(destination);
        return DataLength;
    }

    /// <summary>Parses a subtype 0xf option starting at its kind byte.</summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out MpExperimentalOption value, out WireError error)
    {
        value = default;
        if (!MptcpOptionHeader.TryGetOption(option, MptcpSubtype.MpExperimental, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        value = new MpExperimentalOption((byte)(bytes[2] & 0x0f), bytes[3..]);
        return true;
    }

    /// <summary>Writes the option and returns the bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        MptcpOptionHeader.Write(destination, EncodedLength, MptcpSubtype.MpExperimental, LowNibble);
        CopyDataTo(destination[3..]);
        return EncodedLength;
    }

    /// <inheritdoc/>
    public bool Equals(MpExperimentalOption other)
    {
        ReadOnlySpan<byte> mine = _data;
        ReadOnlySpan<byte> theirs = other._data;
        return LowNibble == other.LowNibble && DataLength == other.DataLength && mine[..DataLength].SequenceEqual(theirs[..DataLength]);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MpExperimentalOption other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        ReadOnlySpan<byte> data = _data;
        hash.AddBytes(data[..DataLength]);
        hash.Add(LowNibble);
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        ReadOnlySpan<byte> data = _data;
        return new StringBuilder("MP_EXPERIMENTAL ").Append(LowNibble.ToString("x")).Append(' ')
            .Append(Convert.ToHexStringLower(data[..DataLength])).ToString();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(MpExperimentalOption left, MpExperimentalOption right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(MpExperimentalOption left, MpExperimentalOption right) => !left.Equals(right);
}
