using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace MptcpPrivacy.Linux.Netlink;

/// <summary>
/// Builds one netlink request: the 16-byte header, an optional generic netlink header, then
/// attributes, each padded to 4 bytes, nested ones with <see cref="Netlink.NLA_F_NESTED"/>.
/// <see cref="ToArray"/> fills in the lengths. Misuse (an unclosed nest, an attribute over
/// 65535 bytes) throws: it is our bug, not the kernel's.
/// </summary>
public sealed class NetlinkMessageBuilder
{
    private readonly List<byte> _bytes = new(64);
    private readonly Stack<int> _nests = new();

    /// <summary>Starts a message of <paramref name="type"/> (for generic netlink, the family's ID) with <paramref name="flags"/> and <paramref name="sequence"/>.</summary>
    public NetlinkMessageBuilder(ushort type, ushort flags, uint sequence)
    {
        PutNative<uint>(0); // nlmsg_len, filled in by ToArray
        PutNative(type);
        PutNative(flags);
        PutNative(sequence);
        PutNative<uint>(0); // nlmsg_pid: the kernel fills in ours
    }

    /// <summary>Starts a generic netlink request (NLM_F_REQUEST | NLM_F_ACK) to family <paramref name="familyId"/>: command <paramref name="command"/>, version <paramref name="version"/>.</summary>
    public static NetlinkMessageBuilder Generic(ushort familyId, byte command, byte version, uint sequence)
    {
        var builder = new NetlinkMessageBuilder(familyId, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, sequence);
        builder._bytes.Add(command);
        builder._bytes.Add(version);
        builder._bytes.Add(0);
        builder._bytes.Add(0);
        return builder;
    }

    /// <summary>Appends an attribute holding one byte.</summary>
    public NetlinkMessageBuilder PutU8(ushort type, byte value) => Put(type, [value]);

    /// <summary>Appends an attribute holding a host-order u16.</summary>
    public NetlinkMessageBuilder PutU16(ushort type, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        MemoryMarshal.Write(bytes, in value);
        return Put(type, bytes);
    }

    /// <summary>Appends an attribute holding a big-endian u16 (a port, say).</summary>
    public NetlinkMessageBuilder PutU16BigEndian(ushort type, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return Put(type, bytes);
    }

    /// <summary>Appends an attribute holding a host-order u32.</summary>
    public NetlinkMessageBuilder PutU32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        MemoryMarshal.Write(bytes, in value);
        return Put(type, bytes);
    }

    /// <summary>Appends an attribute holding a host-order s32.</summary>
    public NetlinkMessageBuilder PutS32(ushort type, int value) => PutU32(type, unchecked((uint)value));

    /// <summary>Appends an attribute holding <paramref name="value"/> as a NUL-terminated UTF-8 string.</summary>
    public NetlinkMessageBuilder PutString(ushort type, string value)
    {
        byte[] text = Encoding.UTF8.GetBytes(value + "\0");
        return Put(type, text);
    }

    /// <summary>Appends an attribute holding <paramref name="payload"/> as is.</summary>
    public NetlinkMessageBuilder Put(ushort type, ReadOnlySpan<byte> payload)
    {
        int length = Netlink.AttributeHeaderLength + payload.Length;
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException($"attribute type {type}: {payload.Length} bytes do not fit in a netlink attribute", nameof(payload));
        }

        PutNative((ushort)length);
        PutNative(type);
        foreach (byte b in payload)
        {
            _bytes.Add(b);
        }

        Pad();
        return this;
    }

    /// <summary>Opens a nested attribute of <paramref name="type"/>; attributes appended until <see cref="EndNested"/> go inside it.</summary>
    public NetlinkMessageBuilder BeginNested(ushort type)
    {
        _nests.Push(_bytes.Count);
        PutNative<ushort>(0);
        PutNative((ushort)(type | Netlink.NLA_F_NESTED));
        return this;
    }

    /// <summary>Closes the innermost nested attribute.</summary>
    public NetlinkMessageBuilder EndNested()
    {
        if (!_nests.TryPop(out int start))
        {
            throw new InvalidOperationException("EndNested without BeginNested");
        }

        int length = _bytes.Count - start;
        if (length > ushort.MaxValue)
        {
            throw new InvalidOperationException($"a nested attribute of {length} bytes does not fit in a netlink attribute");
        }

        SetNative(start, (ushort)length);
        return this;
    }

    /// <summary>Returns the message with its length filled in.</summary>
    public byte[] ToArray()
    {
        if (_nests.Count > 0)
        {
            throw new InvalidOperationException($"{_nests.Count} nested attribute(s) left open");
        }

        byte[] message = [.. _bytes];
        uint length = (uint)message.Length;
        MemoryMarshal.Write(message, in length);
        return message;
    }

    private void PutNative<T>(T value)
        where T : unmanaged
    {
        Span<byte> bytes = stackalloc byte[System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
        MemoryMarshal.Write(bytes, in value);
        foreach (byte b in bytes)
        {
            _bytes.Add(b);
        }
    }

    private void SetNative(int at, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        MemoryMarshal.Write(bytes, in value);
        _bytes[at] = bytes[0];
        _bytes[at + 1] = bytes[1];
    }

    private void Pad()
    {
        while (_bytes.Count % 4 != 0)
        {
            _bytes.Add(0);
        }
    }
}
