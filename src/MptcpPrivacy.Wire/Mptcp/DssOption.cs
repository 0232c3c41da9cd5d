using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>The flag bits of DSS (RFC 8684 §3.3).</summary>
[Flags]
public enum DssFlags : byte
{
    /// <summary>No flag set.</summary>
    None = 0,

    /// <summary>A: a Data ACK is present.</summary>
    DataAckPresent = 0x01,

    /// <summary>a: the Data ACK is 8 octets (else 4).</summary>
    DataAckIs8Octets = 0x02,

    /// <summary>M: a mapping (DSN, SSN, data-level length, checksum) is present.</summary>
    MappingPresent = 0x04,

    /// <summary>m: the DSN is 8 octets (else 4).</summary>
    DsnIs8Octets = 0x08,

    /// <summary>F: DATA_FIN; the mapping's last octet is the end of the data stream.</summary>
    DataFin = 0x10,
}

/// <summary>
/// DSS, the Data Sequence Signal, RFC 8684 §3.3. The flags say which of Data ACK and mapping are
/// present and their widths; the length then says whether the mapping carries a checksum.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------+---------------+-------+----------------------+
/// |     Kind      |    Length     |Subtype| (reserved) |F|m|M|a|A|
/// +---------------+---------------+-------+----------------------+
/// |           Data ACK (4 or 8 octets, depending on flags)       |
/// +--------------------------------------------------------------+
/// |   Data sequence number (4 or 8 octets, depending on flags)   |
/// +--------------------------------------------------------------+
/// |              Subflow Sequence Number (4 octets)              |
/// +-------------------------------+------------------------------+
/// |  Data-Level Length (2 octets) |      Checksum (2 octets)     |
/// +-------------------------------+------------------------------+
/// </code>
/// 32-bit Data ACK and DSN values are held in the low 32 bits, exactly as on the wire; widening
/// them to 64 bits needs connection state and is not the codec's business.
/// </summary>
public readonly record struct DssOption
{
    /// <summary>The flag bits (F, m, M, a, A).</summary>
    public DssFlags Flags { get; init; }

    /// <summary>The seven reserved bits between the subtype and the flags, kept as read.</summary>
    public byte Reserved { get; init; }

    /// <summary>The Data ACK (when A is set): 32 or 64 bits as on the wire.</summary>
    public ulong DataAck { get; init; }

    /// <summary>The data sequence number of the mapping (when M is set): 32 or 64 bits as on the wire.</summary>
    public ulong DataSequenceNumber { get; init; }

    /// <summary>The subflow sequence number of the mapping, relative to the subflow's initial sequence number.</summary>
    public uint SubflowSequenceNumber { get; init; }

    /// <summary>The number of bytes the mapping covers.</summary>
    public ushort DataLevelLength { get; init; }

    /// <summary>True when the mapping carries a DSS checksum.</summary>
    public bool HasChecksum { get; init; }

    /// <summary>The DSS checksum (when <see cref="HasChecksum"/>).</summary>
    public ushort Checksum { get; init; }

    /// <summary>True when a Data ACK is present.</summary>
    public bool HasDataAck => (Flags & DssFlags.DataAckPresent) != 0;

    /// <summary>True when the Data ACK is 64 bits.</summary>
    public bool DataAckIs64Bit => (Flags & DssFlags.DataAckIs8Octets) != 0;

    /// <summary>True when a mapping is present.</summary>
    public bool HasMapping => (Flags & DssFlags.MappingPresent) != 0;

    /// <summary>True when the DSN is 64 bits.</summary>
    public bool DsnIs64Bit => (Flags & DssFlags.DsnIs8Octets) != 0;

    /// <summary>True when DATA_FIN is set.</summary>
    public bool DataFin => (Flags & DssFlags.DataFin) != 0;

    /// <summary>Bytes this option takes on the wire.</summary>
    public int EncodedLength => LengthFor(Flags, HasChecksum);

    /// <summary>The option length the given flags and checksum presence need.</summary>
    public static int LengthFor(DssFlags flags, bool hasChecksum)
    {
        int length = 4;
        if ((flags & DssFlags.DataAckPresent) != 0)
        {
            length += (flags & DssFlags.DataAckIs8Octets) != 0 ? 8 : 4;
        }

        if ((flags & DssFlags.MappingPresent) != 0)
        {
            length += ((flags & DssFlags.DsnIs8Octets) != 0 ? 8 : 4) + 4 + 2 + (hasChecksum ? 2 : 0);
        }

        return length;
    }

    /// <summary>Parses a DSS option starting at its kind byte.</summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out DssOption value, out WireError error)
    {
        value = default;
        if (!MptcpOptionHeader.TryGetOption(option, MptcpSubtype.Dss, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        if (bytes.Length < 4)
        {
            error = WireError.BadLength;
            return false;
        }

        var flags = (DssFlags)(bytes[3] & 0x1f);
        bool hasChecksum;
        if (bytes.Length == LengthFor(flags, hasChecksum: false))
        {
            hasChecksum = false;
        }
        else if ((flags & DssFlags.MappingPresent) != 0 && bytes.Length == LengthFor(flags, hasChecksum: true))
        {
            hasChecksum = true;
        }
        else
        {
            error = WireError.BadLength;
            return false;
        }

        int at = 4;
        ulong dataAck = 0;
        if ((flags & DssFlags.DataAckPresent) != 0)
        {
            dataAck = ReadVariable(bytes, ref at, (flags & DssFlags.DataAckIs8Octets) != 0);
        }

        ulong dsn = 0;
        uint ssn = 0;
        ushort dll = 0;
        ushort checksum = 0;
        if ((flags & DssFlags.MappingPresent) != 0)
        {
            dsn = ReadVariable(bytes, ref at, (flags & DssFlags.DsnIs8Octets) != 0);
            ssn = BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]);
            dll = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 4)..]);
            if (hasChecksum)
            {
                checksum = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 6)..]);
            }
        }

        value = new DssOption
        {
            Flags = flags,
            Reserved = (byte)(((bytes[2] & 0x0f) << 3) | (bytes[3] >> 5)),
            DataAck = dataAck,
            DataSequenceNumber = dsn,
            SubflowSequenceNumber = ssn,
            DataLevelLength = dll,
            HasChecksum = hasChecksum,
            Checksum = checksum,
        };
        return true;
    }

    /// <summary>Writes the option and returns the bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        if (HasChecksum && !HasMapping)
        {
            throw new InvalidOperationException("a DSS checksum belongs to a mapping; M is not set");
        }

        int length = EncodedLength;
        MptcpOptionHeader.Write(destination, length, MptcpSubtype.Dss, Reserved >> 3);
        destination[3] = (byte)(((Reserved & 0x07) << 5) | ((int)Flags & 0x1f));
        int at = 4;
        if (HasDataAck)
        {
            WriteVariable(destination, ref at, DataAck, DataAckIs64Bit);
        }

        if (HasMapping)
        {
            WriteVariable(destination, ref at, DataSequenceNumber, DsnIs64Bit);
            BinaryPrimitives.WriteUInt32BigEndian(destination[at..], SubflowSequenceNumber);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 4)..], DataLevelLength);
            if (HasChecksum)
            {
                BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 6)..], Checksum);
            }
        }

        return length;
    }

    private static ulong ReadVariable(ReadOnlySpan<byte> bytes, ref int at, bool eightOctets)
    {
        ulong value = eightOctets
            ? BinaryPrimitives.ReadUInt64BigEndian(bytes[at..])
            : BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]);
        at += eightOctets ? 8 : 4;
        return value;
    }

    private static void WriteVariable(Span<byte> destination, ref int at, ulong value, bool eightOctets)
    {
        if (eightOctets)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination[at..], value);
            at += 8;
        }
        else
        {
            if (value > uint.MaxValue)
            {
                throw new InvalidOperationException($"value {value} does not fit the 32-bit field its flags choose");
            }

            BinaryPrimitives.WriteUInt32BigEndian(destination[at..], (uint)value);
            at += 4;
        }
    }
}
