using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace MptcpPrivacy.Linux.Netlink;

/// <summary>
/// One netlink attribute (<c>struct nlattr</c>), a view over its bytes:
/// <code>
///  0               2               4
/// +---------------+---------------+------------------------+---------+
/// | nla_len (u16) | nla_type (u16)| payload (nla_len - 4)  | pad to 4|
/// +---------------+---------------+------------------------+---------+
///   nla_type: bit 15 NLA_F_NESTED, bit 14 NLA_F_NET_BYTEORDER, bits 0-13 the type
/// </code>
/// Integers are in the host's byte order unless the family says otherwise (MPTCP ports are big-endian).
/// </summary>
public readonly ref struct NetlinkAttribute
{
    /// <summary>Wraps an attribute found at <paramref name="offset"/>.</summary>
    public NetlinkAttribute(ushort type, bool nested, ReadOnlySpan<byte> payload, int offset)
    {
        Type = type;
        IsNested = nested;
        Payload = payload;
        Offset = offset;
    }

    /// <summary>Gets the attribute's type, without the flag bits.</summary>
    public ushort Type { get; }

    /// <summary>Gets whether the sender flagged it NLA_F_NESTED (the kernel does not always).</summary>
    public bool IsNested { get; }

    /// <summary>Gets the payload, without the header and the padding.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>Gets the byte offset of the attribute's header, for error messages.</summary>
    public int Offset { get; }

    /// <summary>Reads the payload as a u8; false when its length is not 1.</summary>
    public bool TryGetU8(out byte value)
    {
        value = Payload.Length == 1 ? Payload[0] : (byte)0;
        return Payload.Length == 1;
    }

    /// <summary>Reads the payload as a host-order u16; false when its length is not 2.</summary>
    public bool TryGetU16(out ushort value)
    {
        bool ok = Payload.Length == 2;
        value = ok ? MemoryMarshal.Read<ushort>(Payload) : (ushort)0;
        return ok;
    }

    /// <summary>Reads the payload as a big-endian (network order) u16; false when its length is not 2.</summary>
    public bool TryGetU16BigEndian(out ushort value)
    {
        bool ok = Payload.Length == 2;
        value = ok ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : (ushort)0;
        return ok;
    }

    /// <summary>Reads the payload as a host-order u32; false when its length is not 4.</summary>
    public bool TryGetU32(out uint value)
    {
        bool ok = Payload.Length == 4;
        value = ok ? MemoryMarshal.Read<uint>(Payload) : 0;
        return ok;
    }

    /// <summary>Reads the payload as a string, up to its first NUL (netlink strings are NUL-terminated).</summary>
    public string GetString()
    {
        int end = Payload.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? Payload : Payload[..end]);
    }

    /// <summary>Returns a reader over the attributes nested in the payload.</summary>
    public NetlinkAttributeReader Nested() => new(Payload, Offset + Netlink.AttributeHeaderLength);
}
