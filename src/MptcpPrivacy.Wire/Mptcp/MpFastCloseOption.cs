using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>
/// MP_FASTCLOSE, RFC 8684 §3.5: closes the whole connection at once; carries the key of the
/// option's receiver to prove the sender knows it.
/// <code>
/// +---------------+---------------+-------+-----------------------+
/// |     Kind      |    Length     |Subtype|      (reserved)       |
/// +---------------+---------------+-------+-----------------------+
/// |                      Option Receiver's Key                    |
/// |                            (64 bits)                          |
/// +---------------------------------------------------------------+
/// </code>
/// </summary>
public readonly record struct MpFastCloseOption(ulong ReceiverKey, ushort Reserved = 0)
{
    /// <summary>The option's only length.</summary>
    public const int Length = 12;

    /// <summary>Bytes this option takes on the wire.</summary>
    public int EncodedLength => Length;

    /// <summary>Parses an MP_FASTCLOSE option starting at its kind byte.</summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out MpFastCloseOption value, out WireError error)
    {
        value = default;
        if (!MptcpOptionHeader.TryGetOption(option, MptcpSubtype.MpFastClose, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        if (bytes.Length != Length)
        {
            error = WireError.BadLength;
            return false;
        }

        value = new MpFastCloseOption(BinaryPrimitives.ReadUInt64BigEndian(bytes[4..]), MptcpOptionHeader.Read12(bytes));
        return true;
    }

    /// <summary>Writes the option and returns the bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        MptcpOptionHeader.Write(destination, Length, MptcpSubtype.MpFastClose, 0);
        MptcpOptionHeader.Write12(destination, Reserved);
        BinaryPrimitives.WriteUInt64BigEndian(destination[4..], ReceiverKey);
        return Length;
    }
}
