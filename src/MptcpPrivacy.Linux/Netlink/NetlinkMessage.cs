using System.Runtime.InteropServices;

namespace MptcpPrivacy.Linux.Netlink;

/// <summary>
/// One netlink message (<c>struct nlmsghdr</c> and its payload), a view over its bytes:
/// <code>
///  0                   4           6           8                  12                 16
/// +-------------------+-----------+-----------+------------------+------------------+---------
/// | nlmsg_len (u32)   | type (u16)| flags(u16)| nlmsg_seq (u32)  | nlmsg_pid (u32)  | payload
/// +-------------------+-----------+-----------+------------------+------------------+---------
/// </code>
/// A generic netlink payload starts with <c>struct genlmsghdr</c> (command u8, version u8, reserved u16).
/// </summary>
public readonly ref struct NetlinkMessage
{
    /// <summary>Wraps a message found at <paramref name="offset"/>.</summary>
    public NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlySpan<byte> payload, int offset)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
        Offset = offset;
    }

    /// <summary>Gets nlmsg_type: a control type (<see cref="Netlink.NLMSG_ERROR"/>, ...) or the family's ID.</summary>
    public ushort Type { get; }

    /// <summary>Gets nlmsg_flags.</summary>
    public ushort Flags { get; }

    /// <summary>Gets nlmsg_seq: the request's sequence number in a reply, 0 in an event.</summary>
    public uint Sequence { get; }

    /// <summary>Gets nlmsg_pid: the sender's port ID, 0 for the kernel.</summary>
    public uint PortId { get; }

    /// <summary>Gets the payload after the 16-byte header.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>Gets the byte offset of the message's header in its datagram.</summary>
    public int Offset { get; }

    /// <summary>Gets the generic netlink command (the first payload byte), or 0 when there is no generic header.</summary>
    public byte GenericCommand => Payload.Length >= Netlink.GenericHeaderLength ? Payload[0] : (byte)0;

    /// <summary>
    /// Returns a reader over the attributes after the generic netlink header, or false (with the
    /// reason) when the payload is shorter than that header.
    /// </summary>
    public bool TryReadGenericAttributes(out NetlinkAttributeReader attributes, out NetlinkError error)
    {
        if (Payload.Length < Netlink.GenericHeaderLength)
        {
            attributes = default;
            error = new NetlinkError(Offset + Netlink.MessageHeaderLength, $"truncated generic netlink header ({Payload.Length} of {Netlink.GenericHeaderLength} bytes)");
            return false;
        }

        attributes = new NetlinkAttributeReader(Payload[Netlink.GenericHeaderLength..], Offset + Netlink.MessageHeaderLength + Netlink.GenericHeaderLength);
        error = default;
        return true;
    }

    /// <summary>
    /// Reads an <see cref="Netlink.NLMSG_ERROR"/> message: the errno it carries (0 for an
    /// acknowledgement, else positive), the sequence number of the request it answers, and the
    /// kernel's explanation when extended ACKs are on. False when the message is malformed.
    /// </summary>
    /// <remarks>
    /// Layout: <c>int error</c> (negative errno), the request's <c>nlmsghdr</c> (and its payload
    /// unless <see cref="Netlink.NLM_F_CAPPED"/>), then extended ACK attributes when
    /// <see cref="Netlink.NLM_F_ACK_TLVS"/>.
    /// </remarks>
    public bool TryReadError(out int errno, out uint requestSequence, out string? explanation, out NetlinkError error)
    {
        errno = 0;
        requestSequence = 0;
        explanation = null;
        error = default;
        int payloadOffset = Offset + Netlink.MessageHeaderLength;
        if (Payload.Length < 4 + Netlink.MessageHeaderLength)
        {
            error = new NetlinkError(payloadOffset, $"truncated error message ({Payload.Length} of {4 + Netlink.MessageHeaderLength} bytes)");
            return false;
        }

        errno = -MemoryMarshal.Read<int>(Payload);
        uint requestLength = MemoryMarshal.Read<uint>(Payload.Slice(4, 4));
        requestSequence = MemoryMarshal.Read<uint>(Payload.Slice(4 + 8, 4));
        if ((Flags & Netlink.NLM_F_ACK_TLVS) == 0)
        {
            return true;
        }

        long quoted = (Flags & Netlink.NLM_F_CAPPED) != 0 ? Netlink.MessageHeaderLength : Netlink.Align((int)Math.Min(requestLength, int.MaxValue - 4));
        if (quoted < Netlink.MessageHeaderLength || 4 + quoted > Payload.Length)
        {
            error = new NetlinkError(payloadOffset + 4, $"quoted request of {requestLength} bytes runs past the error message ({Payload.Length - 4} bytes)");
            return false;
        }

        var attributes = new NetlinkAttributeReader(Payload[(int)(4 + quoted)..], payloadOffset + 4 + (int)quoted);
        while (attributes.MoveNext(out NetlinkAttribute attribute))
        {
            if (attribute.Type == Netlink.NLMSGERR_ATTR_MSG)
            {
                explanation = attribute.GetString();
            }
        }

        if (attributes.Error is { } bad)
        {
            error = bad;
            return false;
        }

        return true;
    }
}
