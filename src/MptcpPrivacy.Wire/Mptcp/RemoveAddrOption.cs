using System.Text;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>
/// REMOVE_ADDR, RFC 8684 §3.4.2: one or more address IDs whose subflows the sender closes.
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------+---------------+-------+-------+---------------+
/// |     Kind      |  Length = 3+n |Subtype|(resvd)|   Address ID  | ...
/// +---------------+---------------+-------+-------+---------------+
///                            (followed by n-1 Address IDs, if required)
/// </code>
/// </summary>
public readonly struct RemoveAddrOption : IEquatable<RemoveAddrOption>
{
    /// <summary>The most address IDs one option can carry (40-byte options area).</summary>
    public const int MaxAddressIds = MptcpOptionHeader.MaxLength - 3;

    private readonly InlineOptionBytes _ids;

    /// <summary>Builds the option from its address IDs (1 to <see cref="MaxAddressIds"/>).</summary>
    public RemoveAddrOption(ReadOnlySpan<byte> addressIds, byte reserved = 0)
    {
        if (addressIds.Length is 0 or > MaxAddressIds)
        {
            throw new ArgumentException($"REMOVE_ADDR carries 1 to {MaxAddressIds} address IDs, not {addressIds.Length}", nameof(addressIds));
        }

        addressIds.CopyTo(_ids);
        Count = (byte)addressIds.Length;
        Reserved = (byte)(reserved & 0x0f);
    }

    /// <summary>How many address IDs the option carries.</summary>
    public int Count { get; }

    /// <summary>The four reserved bits after the subtype, kept as read.</summary>
    public byte Reserved { get; }

    /// <summary>Bytes this option takes on the wire.</summary>
    public int EncodedLength => 3 + Count;

    /// <summary>The address ID at <paramref name="index"/>.</summary>
    public byte this[int index] => (uint)index < (uint)Count
        ? _ids[index]
        : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Copies the address IDs into <paramref name="destination"/> and returns how many.</summary>
    public int CopyAddressIdsTo(Span<byte> destination)
    {
        ReadOnlySpan<byte> ids = _ids;
        ids[..Count].CopyTo(destination);
        return Count;
    }

    /// <summary>Parses a REMOVE_ADDR option starting at its kind byte.</summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out RemoveAddrOption value, out WireError error)
    {
        value = default;
        if (!MptcpOptionHeader.TryGetOption(option, MptcpSubtype.RemoveAddr, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        if (bytes.Length < 4)
        {
            // RFC 8684 §3.4.2: at least one address ID.
            error = WireError.BadLength;
            return false;
        }

        value = new RemoveAddrOption(bytes[3..], (byte)(bytes[2] & 0x0f));
        return true;
    }

    /// <summary>Writes the option and returns the bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("default REMOVE_ADDR has no address ID");
        }

        MptcpOptionHeader.Write(destination, EncodedLength, MptcpSubtype.RemoveAddr, Reserved);
        CopyAddressIdsTo(destination[3..]);
        return EncodedLength;
    }

    /// <inheritdoc/>
    public bool Equals(RemoveAddrOption other)
    {
        ReadOnlySpan<byte> mine = _ids;
        ReadOnlySpan<byte> theirs = other._ids;
        return Count == other.Count && Reserved == other.Reserved && mine[..Count].SequenceEqual(theirs[..Count]);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RemoveAddrOption other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        ReadOnlySpan<byte> ids = _ids;
        hash.AddBytes(ids[..Count]);
        hash.Add(Reserved);
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = new StringBuilder("REMOVE_ADDR [");
        for (int i = 0; i < Count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(this[i]);
        }

        return text.Append(']').ToString();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(RemoveAddrOption left, RemoveAddrOption right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(RemoveAddrOption left, RemoveAddrOption right) => !left.Equals(right);
}
