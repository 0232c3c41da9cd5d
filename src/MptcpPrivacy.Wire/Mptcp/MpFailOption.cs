using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>
/// MP_FAIL, RFC 8684 §3.7: the sender saw a checksum failure and falls back from this point.
/// <code>
/// +---------------+---------------+-------+----------------------+
/// |     Kind      |   Length=12   |Subtype|      (reserved)      |
/// +---------------+---------------+-------+----------------------+
/// |                 Data Sequence Number (8 octets)              |
/// +--------------------------------------------------------------+
/// </code>
/// </summary>
public readonly record struct MpFailOption(ulong DataSequenceNumber, ushort Reserved = 0)
{
    /// <summary>The option's only length.</summary>
    public const int Length = 12;

    /// <summary>Bytes this option takes on the wire.</summary>
    public int EncodedLength => Length;

    /// <summary>Parses an MP_FAIL option starting at its kind byte.</summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out MpFailOption value, out WireError error)
    {
        value = default;
        if (!MptcpOptionHeader.TryGetOption(option, MptcpSubtype.MpFail, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        if (bytes.Length != Length)
        {
            error = WireError.BadLength;
            return false;
        }

        value = new MpFailOption(BinaryPrimitives.ReadUInt64BigEndian(bytes[4..]), MptcpOptionHeader.Read12(bytes));
        return true;
    }

    /// <summary>Writes the option and returns the bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        MptcpOptionHeader.Write(destination, Length, MptcpSubtype.MpFail, 0);
        MptcpOptionHeader.Write12(destination, Reserved);
        BinaryPrimitives.WriteUInt64BigEndian(destination[4..], DataSequenceNumber);
        return Length;
    }
}
