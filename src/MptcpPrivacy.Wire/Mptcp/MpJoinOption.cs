using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>Which of the three MP_JOIN handshake packets an option belongs to; the length decides.</summary>
public enum MpJoinForm : byte
{
    /// <summary>Length 12: token of the receiver's connection and the sender's nonce.</summary>
    Syn = 12,

    /// <summary>Length 16: truncated HMAC (64 bits) and the sender's nonce.</summary>
    SynAck = 16,

    /// <summary>Length 24: the 160-bit HMAC.</summary>
    Ack = 24,
}

/// <summary>
/// MP_JOIN, RFC 8684 §3.2.
/// <code>
/// SYN (length 12):
/// +---------------+---------------+-------+-----+-+---------------+
/// |     Kind      |  Length = 12  |Subtype|(rsv)|B|   Address ID  |
/// +---------------+---------------+-------+-----+-+---------------+
/// |                   Receiver's Token (32 bits)                  |
/// +---------------------------------------------------------------+
/// |                Sender's Random Number (32 bits)               |
/// +---------------------------------------------------------------+
/// SYN/ACK (length 16):
/// +---------------+---------------+-------+-----+-+---------------+
/// |     Kind      |  Length = 16  |Subtype|(rsv)|B|   Address ID  |
/// +---------------+---------------+-------+-----+-+---------------+
/// |                Sender's Truncated HMAC (64 bits)              |
/// +---------------------------------------------------------------+
/// |                Sender's Random Number (32 bits)               |
/// +---------------------------------------------------------------+
/// ACK (length 24):
/// +---------------+---------------+-------+-----------------------+
/// |     Kind      |  Length = 24  |Subtype|      (reserved)       |
/// +---------------+---------------+-------+-----------------------+
/// |                Sender's HMAC (160 bits)                       |
/// +---------------------------------------------------------------+
/// </code>
/// Reserved bits are kept as read so that encoding gives back the same bytes.
/// </summary>
public readonly record struct MpJoinOption
{
    /// <summary>The handshake packet this option is for.</summary>
    public MpJoinForm Form { get; init; }

    /// <summary>B: the sender wants this subflow as a backup (SYN and SYN/ACK).</summary>
    public bool Backup { get; init; }

    /// <summary>The sender's address ID (SYN and SYN/ACK).</summary>
    public byte AddressId { get; init; }

    /// <summary>The token of the receiver's connection (SYN).</summary>
    public uint ReceiverToken { get; init; }

    /// <summary>The sender's random number (SYN and SYN/ACK).</summary>
    public uint SenderNonce { get; init; }

    /// <summary>The leftmost 64 bits of the sender's HMAC (SYN/ACK).</summary>
    public ulong TruncatedHmac { get; init; }

    /// <summary>The sender's 160-bit HMAC (ACK).</summary>
    public Hmac160 Hmac { get; init; }

    /// <summary>
    /// Reserved bits as read: the three bits before B in SYN and SYN/ACK, the twelve after the
    /// subtype in ACK.
    /// </summary>
    public ushort Reserved { get; init; }

    /// <summary>Bytes this option takes on the wire.</summary>
    public int EncodedLength => (int)Form;

    /// <summary>The SYN form.</summary>
    public static MpJoinOption Syn(uint receiverToken, uint senderNonce, byte addressId, bool backup) =>
        new() { Form = MpJoinForm.Syn, ReceiverToken = receiverToken, SenderNonce = senderNonce, AddressId = addressId, Backup = backup };

    /// <summary>The SYN/ACK form.</summary>
    public static MpJoinOption SynAck(ulong truncatedHmac, uint senderNonce, byte addressId, bool backup) =>
        new() { Form = MpJoinForm.SynAck, TruncatedHmac = truncatedHmac, SenderNonce = senderNonce, AddressId = addressId, Backup = backup };

    /// <summary>The third-ACK form.</summary>
    public static MpJoinOption Ack(Hmac160 hmac) => new() { Form = MpJoinForm.Ack, Hmac = hmac };

    /// <summary>Parses an MP_JOIN option starting at its kind byte.</summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out MpJoinOption value, out WireError error)
    {
        value = default;
        if (!MptcpOptionHeader.TryGetOption(option, MptcpSubtype.MpJoin, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        switch (bytes.Length)
        {
            case (int)MpJoinForm.Syn:
                value = new MpJoinOption
                {
                    Form = MpJoinForm.Syn,
                    Backup = (bytes[2] & 0x01) != 0,
                    Reserved = (ushort)((bytes[2] >> 1) & 0x07),
                    AddressId = bytes[3],
                    ReceiverToken = BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]),
                    SenderNonce = BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]),
                };
                return true;
            case (int)MpJoinForm.SynAck:
                value = new MpJoinOption
                {
                    Form = MpJoinForm.SynAck,
                    Backup = (bytes[2] & 0x01) != 0,
                    Reserved = (ushort)((bytes[2] >> 1) & 0x07),
                    AddressId = bytes[3],
                    TruncatedHmac = BinaryPrimitives.ReadUInt64BigEndian(bytes[4..]),
                    SenderNonce = BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]),
                };
                return true;
            case (int)MpJoinForm.Ack:
                value = new MpJoinOption
                {
                    Form = MpJoinForm.Ack,
                    Reserved = MptcpOptionHeader.Read12(bytes),
                    Hmac = Hmac160.FromSpan(bytes[4..]),
                };
                return true;
            default:
                error = WireError.BadLength;
                return false;
        }
    }

    /// <summary>Writes the option and returns the bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        switch (Form)
        {
            case MpJoinForm.Syn:
                MptcpOptionHeader.Write(destination, 12, MptcpSubtype.MpJoin, ((Reserved & 0x07) << 1) | (Backup ? 1 : 0));
                destination[3] = AddressId;
                BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ReceiverToken);
                BinaryPrimitives.WriteUInt32BigEndian(destination[8..], SenderNonce);
                return 12;
            case MpJoinForm.SynAck:
                MptcpOptionHeader.Write(destination, 16, MptcpSubtype.MpJoin, ((Reserved & 0x07) << 1) | (Backup ? 1 : 0));
                destination[3] = AddressId;
                BinaryPrimitives.WriteUInt64BigEndian(destination[4..], TruncatedHmac);
                BinaryPrimitives.WriteUInt32BigEndian(destination[12..], SenderNonce);
                return 16;
            case MpJoinForm.Ack:
                MptcpOptionHeader.Write(destination, 24, MptcpSubtype.MpJoin, 0);
                MptcpOptionHeader.Write12(destination, Reserved);
                Hmac.CopyTo(destination[4..]);
                return 24;
            default:
                throw new InvalidOperationException($"MP_JOIN form {Form} is not defined");
        }
    }
}
