using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>The flags byte of MP_CAPABLE (RFC 8684 §3.1; IANA "MPTCP Handshake Algorithms").</summary>
[Flags]
public enum MpCapableFlags : byte
{
    /// <summary>No flag set.</summary>
    None = 0,

    /// <summary>A: the sender requires DSS checksums.</summary>
    ChecksumRequired = 0x80,

    /// <summary>B: extensibility; must be 0 in RFC 8684, a receiver that does not understand it falls back to TCP.</summary>
    Extensibility = 0x40,

    /// <summary>C: do not open new subflows to the source address of this packet (the kernel's deny_join_id0).</summary>
    NoJoinToSourceAddress = 0x20,

    /// <summary>D: unassigned.</summary>
    D = 0x10,

    /// <summary>E: unassigned.</summary>
    E = 0x08,

    /// <summary>F: unassigned.</summary>
    F = 0x04,

    /// <summary>G: unassigned.</summary>
    G = 0x02,

    /// <summary>H: HMAC-SHA256 (HMAC-SHA1 in v0).</summary>
    HmacSha256 = 0x01,
}

/// <summary>
/// MP_CAPABLE, RFC 8684 §3.1 (and RFC 6824 §3.1 for v0). Which fields are present depends only
/// on the length: 4 (v1 SYN), 12 (sender's key: v1 SYN/ACK, v0 SYN and SYN/ACK), 20 (both keys:
/// third ACK), 22 (both keys and data-level length: first data), 24 (also a DSS checksum).
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------+---------------+-------+-------+---------------+
/// |     Kind      |    Length     |Subtype|Version|A|B|C|D|E|F|G|H|
/// +---------------+---------------+-------+-------+---------------+
/// |                   Option Sender's Key (64 bits)               |
/// |                      (if option Length > 4)                   |
/// +---------------------------------------------------------------+
/// |                  Option Receiver's Key (64 bits)              |
/// |                      (if option Length > 12)                  |
/// +-------------------------------+-------------------------------+
/// |  Data-Level Length (16 bits)  |  Checksum (16 bits, optional) |
/// +-------------------------------+-------------------------------+
/// </code>
/// </summary>
public readonly record struct MpCapableOption
{
    /// <summary>Length of the SYN form (no key).</summary>
    public const int SynLength = 4;

    /// <summary>Length with the sender's key only.</summary>
    public const int SenderKeyLength = 12;

    /// <summary>Length with both keys.</summary>
    public const int BothKeysLength = 20;

    /// <summary>Length with both keys and the data-level length.</summary>
    public const int DataLength22 = 22;

    /// <summary>Length with both keys, data-level length and checksum.</summary>
    public const int DataWithChecksumLength = 24;

    /// <summary>The protocol version (0 for RFC 6824, 1 for RFC 8684; other values are kept as read).</summary>
    public byte Version { get; init; }

    /// <summary>The flags byte.</summary>
    public MpCapableFlags Flags { get; init; }

    /// <summary>The option length, which says which fields are present (4, 12, 20, 22 or 24).</summary>
    public byte Length { get; init; }

    /// <summary>The option sender's key (present when <see cref="Length"/> &gt; 4).</summary>
    public ulong SenderKey { get; init; }

    /// <summary>The option receiver's key (present when <see cref="Length"/> &gt; 12).</summary>
    public ulong ReceiverKey { get; init; }

    /// <summary>The data-level length of the data this packet carries (present when <see cref="Length"/> &gt;= 22).</summary>
    public ushort DataLevelLength { get; init; }

    /// <summary>The DSS checksum of that data (present when <see cref="Length"/> is 24).</summary>
    public ushort Checksum { get; init; }

    /// <summary>True when the option carries the sender's key.</summary>
    public bool HasSenderKey => Length >= SenderKeyLength;

    /// <summary>True when the option carries the receiver's key.</summary>
    public bool HasReceiverKey => Length >= BothKeysLength;

    /// <summary>True when the option carries a data-level length (data in the fourth packet, RFC 8684 §3.1).</summary>
    public bool HasDataLevelLength => Length >= DataLength22;

    /// <summary>True when the option carries a checksum.</summary>
    public bool HasChecksum => Length == DataWithChecksumLength;

    /// <summary>Bytes this option takes on the wire.</summary>
    public int EncodedLength => Length;

    /// <summary>The SYN form an initiator sends (RFC 8684 §3.1).</summary>
    public static MpCapableOption Syn(MpCapableFlags flags, byte version = 1) =>
        new() { Version = version, Flags = flags, Length = SynLength };

    /// <summary>The SYN/ACK form (v1), carrying the responder's key.</summary>
    public static MpCapableOption SynAck(MpCapableFlags flags, ulong senderKey, byte version = 1) =>
        new() { Version = version, Flags = flags, Length = SenderKeyLength, SenderKey = senderKey };

    /// <summary>The third-ACK form, carrying both keys (the sender's first).</summary>
    public static MpCapableOption Ack(MpCapableFlags flags, ulong senderKey, ulong receiverKey, byte version = 1) =>
        new() { Version = version, Flags = flags, Length = BothKeysLength, SenderKey = senderKey, ReceiverKey = receiverKey };

    /// <summary>The form that carries the first data (RFC 8684 §3.1), with or without a checksum.</summary>
    public static MpCapableOption AckWithData(MpCapableFlags flags, ulong senderKey, ulong receiverKey, ushort dataLevelLength, ushort? checksum, byte version = 1) =>
        new()
        {
            Version = version,
            Flags = flags,
            Length = (byte)(checksum is null ? DataLength22 : DataWithChecksumLength),
            SenderKey = senderKey,
            ReceiverKey = receiverKey,
            DataLevelLength = dataLevelLength,
            Checksum = checksum ?? 0,
        };

    /// <summary>Parses an MP_CAPABLE option starting at its kind byte.</summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out MpCapableOption value, out WireError error)
    {
        value = default;
        if (!MptcpOptionHeader.TryGetOption(option, MptcpSubtype.MpCapable, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        int length = bytes.Length;
        if (length is not (SynLength or SenderKeyLength or BothKeysLength or DataLength22 or DataWithChecksumLength))
        {
            error = WireError.BadLength;
            return false;
        }

        value = new MpCapableOption
        {
            Version = (byte)(bytes[2] & 0x0f),
            Flags = (MpCapableFlags)bytes[3],
            Length = (byte)length,
            SenderKey = length >= SenderKeyLength ? BinaryPrimitives.ReadUInt64BigEndian(bytes[4..]) : 0,
            ReceiverKey = length >= BothKeysLength ? BinaryPrimitives.ReadUInt64BigEndian(bytes[12..]) : 0,
            DataLevelLength = length >= DataLength22 ? BinaryPrimitives.ReadUInt16BigEndian(bytes[20..]) : (ushort)0,
            Checksum = length == DataWithChecksumLength ? BinaryPrimitives.ReadUInt16BigEndian(bytes[22..]) : (ushort)0,
        };
        return true;
    }

    /// <summary>Writes the option and returns the bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        if (Length is not (SynLength or SenderKeyLength or BothKeysLength or DataLength22 or DataWithChecksumLength))
        {
            throw new InvalidOperationException($"MP_CAPABLE cannot have length {Length}");
        }

        MptcpOptionHeader.Write(destination, Length, MptcpSubtype.MpCapable, Version);
        destination[3] = (byte)Flags;
        if (HasSenderKey)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination[4..], SenderKey);
        }

        if (HasReceiverKey)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination[12..], ReceiverKey);
        }

        if (HasDataLevelLength)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[20..], DataLevelLength);
        }

        if (HasChecksum)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[22..], Checksum);
        }

        return Length;
    }
}
