namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>
/// MP_PRIO, RFC 8684 §3.3.8: the sender asks the peer to treat the subflow this option travels on
/// as backup (B=1) or regular. RFC 6824 (v0) allowed an address ID after the flags (length 4).
/// <code>
///                      1                   2
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
/// +---------------+---------------+-------+-----+-+--------------+
/// |     Kind      |     Length    |Subtype|(rsv)|B| AddrID (v0,  |
/// +---------------+---------------+-------+-----+-+  optional)   |
/// </code>
/// </summary>
public readonly record struct MpPrioOption
{
    /// <summary>B: the subflow is to be a backup.</summary>
    public bool Backup { get; init; }

    /// <summary>The three reserved bits before B, kept as read.</summary>
    public byte Reserved { get; init; }

    /// <summary>True when a v0 address ID follows.</summary>
    public bool HasAddressId { get; init; }

    /// <summary>The v0 address ID (when <see cref="HasAddressId"/>).</summary>
    public byte AddressId { get; init; }

    /// <summary>Bytes this option takes on the wire.</summary>
    public int EncodedLength => HasAddressId ? 4 : 3;

    /// <summary>Parses an MP_PRIO option starting at its kind byte.</summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out MpPrioOption value, out WireError error)
    {
        value = default;
        if (!MptcpOptionHeader.TryGetOption(option, MptcpSubtype.MpPrio, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        if (bytes.Length is not (3 or 4))
        {
            error = WireError.BadLength;
            return false;
        }

        value = new MpPrioOption
        {
            Backup = (bytes[2] & 0x01) != 0,
            Reserved = (byte)((bytes[2] >> 1) & 0x07),
            HasAddressId = bytes.Length == 4,
            AddressId = bytes.Length == 4 ? bytes[3] : (byte)0,
        };
        return true;
    }

    /// <summary>Writes the option and returns the bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        MptcpOptionHeader.Write(destination, EncodedLength, MptcpSubtype.MpPrio, ((Reserved & 0x07) << 1) | (Backup ? 1 : 0));
        if (HasAddressId)
        {
            destination[3] = AddressId;
        }

        return EncodedLength;
    }
}
