using System.Runtime.InteropServices;

namespace MptcpPrivacy.Linux.Netlink;

/// <summary>
/// Walks a run of netlink attributes (a message's payload after its fixed header, or a nested
/// attribute's payload). Never throws and never loops forever: an attribute whose length is below
/// its own header (a zero length included) or runs past the end stops the walk with
/// <see cref="Error"/> set, naming the byte offset. <c>while (reader.MoveNext(out var a)) ...</c>
/// </summary>
public ref struct NetlinkAttributeReader
{
    private readonly ReadOnlySpan<byte> _area;
    private readonly int _baseOffset;
    private int _position;

    /// <summary>Reads the attributes of <paramref name="area"/>, which starts at <paramref name="baseOffset"/> in the datagram.</summary>
    public NetlinkAttributeReader(ReadOnlySpan<byte> area, int baseOffset = 0)
    {
        _area = area;
        _baseOffset = baseOffset;
        _position = 0;
        Error = null;
    }

    /// <summary>Gets why the walk stopped early, or null when it reached the end (or has not yet).</summary>
    public NetlinkError? Error { get; private set; }

    /// <summary>Moves to the next attribute; false at the end or on a malformed one (then <see cref="Error"/> says which).</summary>
    public bool MoveNext(out NetlinkAttribute attribute)
    {
        attribute = default;
        int left = _area.Length - _position;
        if (left <= 0 || Error is not null)
        {
            return false;
        }

        int offset = _baseOffset + _position;
        if (left < Netlink.AttributeHeaderLength)
        {
            Error = new NetlinkError(offset, $"truncated attribute header ({left} of {Netlink.AttributeHeaderLength} bytes)");
            return false;
        }

        ushort length = MemoryMarshal.Read<ushort>(_area.Slice(_position, 2));
        ushort type = MemoryMarshal.Read<ushort>(_area.Slice(_position + 2, 2));
        if (length < Netlink.AttributeHeaderLength)
        {
            Error = new NetlinkError(offset, $"attribute type {type & Netlink.NLA_TYPE_MASK} has length {length}, below its {Netlink.AttributeHeaderLength}-byte header");
            return false;
        }

        if (length > left)
        {
            Error = new NetlinkError(offset, $"attribute type {type & Netlink.NLA_TYPE_MASK} has length {length}, past the end ({left} bytes left)");
            return false;
        }

        attribute = new NetlinkAttribute(
            (ushort)(type & Netlink.NLA_TYPE_MASK),
            (type & Netlink.NLA_F_NESTED) != 0,
            _area.Slice(_position + Netlink.AttributeHeaderLength, length - Netlink.AttributeHeaderLength),
            offset);

        // The last attribute's padding may be missing.
        _position = Math.Min(_position + Netlink.Align(length), _area.Length);
        return true;
    }
}
