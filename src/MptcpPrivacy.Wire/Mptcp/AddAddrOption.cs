using System.Buffers.Binary;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>
/// ADD_ADDR, RFC 8684 §3.4.1 (v1), and RFC 6824 §3.4.1 (v0) for reading old captures.
/// <code>
/// v1:
/// +---------------+---------------+-------+-------+---------------+
/// |     Kind      |     Length    |Subtype|(rsv)|E|  Address ID   |
/// +---------------+---------------+-------+-------+---------------+
/// |           Address (IPv4: 4 octets / IPv6: 16 octets)          |
/// +-------------------------------+-------------------------------+
/// |   Port (2 octets, optional)   |                               |
/// +-------------------------------+                               |
/// |                Truncated HMAC (8 octets, if E=0)              |
/// |                               +-------------------------------+
/// |                               |
/// +-------------------------------+
/// v0:
/// +---------------+---------------+-------+-------+---------------+
/// |     Kind      |     Length    |Subtype| IPVer |  Address ID   |
/// +---------------+---------------+-------+-------+---------------+
/// |          Address (IPv4 - 4 octets / IPv6 - 16 octets)         |
/// +-------------------------------+-------------------------------+
/// |   Port (2 octets, optional)   |
/// +-------------------------------+
/// </code>
/// The family, the port and the HMAC are told apart by the length alone (v1: IPv4 8/10/16/18,
/// IPv6 20/22/28/30). A low nibble of 4 or 6 with a length that fits that IP version's v0 layout is
/// read as v0: RFC 8684 keeps those bits reserved (zero), so a v1 sender never produces it.
/// </summary>
public readonly record struct AddAddrOption
{
    /// <summary>True for the RFC 6824 (v0) layout, with the IP version in the low nibble and no HMAC.</summary>
    public bool IsVersion0 { get; init; }

    /// <summary>E: this option echoes one received from the peer (v1).</summary>
    public bool Echo { get; init; }

    /// <summary>The three reserved bits before E (v1), kept as read.</summary>
    public byte Reserved { get; init; }

    /// <summary>The address ID the sender gives the address.</summary>
    public byte AddressId { get; init; }

    /// <summary>The announced address.</summary>
    public IpAddressBytes Address { get; init; }

    /// <summary>True when a port is carried.</summary>
    public bool HasPort { get; init; }

    /// <summary>The port (when <see cref="HasPort"/>).</summary>
    public ushort Port { get; init; }

    /// <summary>True when the truncated HMAC is carried (v1 with E=0, as RFC 8684 requires).</summary>
    public bool HasHmac { get; init; }

    /// <summary>The truncated HMAC, the rightmost 64 bits of HMAC-SHA256 (RFC 8684 §3.4.1).</summary>
    public ulong TruncatedHmac { get; init; }

    /// <summary>Bytes this option takes on the wire.</summary>
    public int EncodedLength => 4 + Address.Length + (HasPort ? 2 : 0) + (HasHmac ? 8 : 0);

    /// <summary>An RFC 8684 announcement with its HMAC.</summary>
    public static AddAddrOption Announce(byte addressId, IpAddressBytes address, ushort? port, ulong truncatedHmac) =>
        new() { AddressId = addressId, Address = address, HasPort = port is not null, Port = port ?? 0, HasHmac = true, TruncatedHmac = truncatedHmac };

    /// <summary>An RFC 8684 echo of a received announcement (E=1, no HMAC).</summary>
    public static AddAddrOption EchoOf(byte addressId, IpAddressBytes address, ushort? port) =>
        new() { Echo = true, AddressId = addressId, Address = address, HasPort = port is not null, Port = port ?? 0 };

    /// <summary>Parses an ADD_ADDR option starting at its kind byte.</summary>
    public static bool TryParse(ReadOnlySpan<byte> option, out AddAddrOption value, out WireError error)
    {
        value = default;
        if (!MptcpOptionHeader.TryGetOption(option, MptcpSubtype.AddAddr, out ReadOnlySpan<byte> bytes, out error))
        {
            return false;
        }

        int nibble = bytes[2] & 0x0f;
        int length = bytes.Length;
        bool v0 = (nibble == 4 && length is 8 or 10) || (nibble == 6 && length is 20 or 22);
        int addressLength;
        bool hasPort;
        bool hasHmac;
        if (v0)
        {
            addressLength = nibble == 4 ? 4 : 16;
            hasPort = length - 4 - addressLength == 2;
            hasHmac = false;
        }
        else
        {
            switch (length)
            {
                case 8: addressLength = 4; hasPort = false; hasHmac = false; break;
                case 10: addressLength = 4; hasPort = true; hasHmac = false; break;
                case 16: addressLength = 4; hasPort = false; hasHmac = true; break;
                case 18: addressLength = 4; hasPort = true; hasHmac = true; break;
                case 20: addressLength = 16; hasPort = false; hasHmac = false; break;
                case 22: addressLength = 16; hasPort = true; hasHmac = false; break;
                case 28: addressLength = 16; hasPort = false; hasHmac = true; break;
                case 30: addressLength = 16; hasPort = true; hasHmac = true; break;
                default:
                    error = WireError.BadLength;
                    return false;
            }
        }

        int at = 4 + addressLength;
        ushort port = 0;
        if (hasPort)
        {
            port = BinaryPrimitives.ReadUInt16BigEndian(bytes[at..]);
            at += 2;
        }

        value = new AddAddrOption
        {
            IsVersion0 = v0,
            Echo = !v0 && (nibble & 0x01) != 0,
            Reserved = v0 ? (byte)0 : (byte)(nibble >> 1),
            AddressId = bytes[3],
            Address = IpAddressBytes.FromSpan(bytes.Slice(4, addressLength)),
            HasPort = hasPort,
            Port = port,
            HasHmac = hasHmac,
            TruncatedHmac = hasHmac ? BinaryPrimitives.ReadUInt64BigEndian(bytes[at..]) : 0,
        };
        return true;
    }

    /// <summary>Writes the option and returns the bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        if (Address.Length == 0)
        {
            throw new InvalidOperationException("ADD_ADDR needs an address");
        }

        if (IsVersion0 && HasHmac)
        {
            throw new InvalidOperationException("a v0 ADD_ADDR carries no HMAC");
        }

        int length = EncodedLength;
        int nibble = IsVersion0 ? (Address.IsV4 ? 4 : 6) : ((Reserved & 0x07) << 1) | (Echo ? 1 : 0);
        MptcpOptionHeader.Write(destination, length, MptcpSubtype.AddAddr, nibble);
        destination[3] = AddressId;
        int at = 4 + Address.CopyTo(destination[4..]);
        if (HasPort)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[at..], Port);
            at += 2;
        }

        if (HasHmac)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination[at..], TruncatedHmac);
        }

        return length;
    }
}
