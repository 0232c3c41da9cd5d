using System.Runtime.InteropServices;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Linux.Netlink;

/// <summary>
/// An rtnetlink address notification (<c>RTM_NEWADDR</c>, <c>RTM_DELADDR</c>, <c>include/uapi/linux/rtnetlink.h</c>
/// and <c>if_addr.h</c>): a local address appearing on or leaving interface <see cref="InterfaceIndex"/>.
/// <code>
/// struct ifaddrmsg { u8 ifa_family; u8 ifa_prefixlen; u8 ifa_flags; u8 ifa_scope; u32 ifa_index; }
/// then attributes: IFA_ADDRESS (1), IFA_LOCAL (2: IPv4's own address), ...
/// </code>
/// </summary>
/// <param name="Removed">Whether the address went away (RTM_DELADDR) rather than came (RTM_NEWADDR).</param>
/// <param name="Address">The local address.</param>
/// <param name="InterfaceIndex">The interface's index.</param>
public readonly record struct AddressChange(bool Removed, IpAddressBytes Address, int InterfaceIndex)
{
    /// <summary>rtnetlink message type: an address was added.</summary>
    public const ushort RTM_NEWADDR = 20;

    /// <summary>rtnetlink message type: an address was removed.</summary>
    public const ushort RTM_DELADDR = 21;

    /// <summary>Legacy multicast group bit of IPv4 address changes (to bind with).</summary>
    public const uint RTMGRP_IPV4_IFADDR = 0x10;

    /// <summary>Legacy multicast group bit of IPv6 address changes (to bind with).</summary>
    public const uint RTMGRP_IPV6_IFADDR = 0x100;

    private const ushort IFA_ADDRESS = 1;
    private const ushort IFA_LOCAL = 2;
    private const int IfAddrMsgLength = 8;

    /// <summary>
    /// Reads <paramref name="message"/>: false with <paramref name="error"/> at default when it is
    /// another kind of message, false with the reason when it is an address message that does not parse.
    /// </summary>
    public static bool TryDecode(NetlinkMessage message, out AddressChange change, out NetlinkError error)
    {
        change = default;
        error = default;
        if (message.Type is not (RTM_NEWADDR or RTM_DELADDR))
        {
            return false;
        }

        int payloadOffset = message.Offset + Netlink.MessageHeaderLength;
        if (message.Payload.Length < IfAddrMsgLength)
        {
            error = new NetlinkError(payloadOffset, $"truncated ifaddrmsg ({message.Payload.Length} of {IfAddrMsgLength} bytes)");
            return false;
        }

        int index = MemoryMarshal.Read<int>(message.Payload.Slice(4, 4));
        IpAddressBytes? address = null;
        IpAddressBytes? local = null;
        var attributes = new NetlinkAttributeReader(message.Payload[IfAddrMsgLength..], payloadOffset + IfAddrMsgLength);
        while (attributes.MoveNext(out NetlinkAttribute attribute))
        {
            if (attribute.Type is IFA_ADDRESS or IFA_LOCAL && attribute.Payload.Length is 4 or 16)
            {
                IpAddressBytes value = IpAddressBytes.FromSpan(attribute.Payload);
                if (attribute.Type == IFA_LOCAL)
                {
                    local = value;
                }
                else
                {
                    address = value;
                }
            }
        }

        if (attributes.Error is { } bad)
        {
            error = bad;
            return false;
        }

        // IPv4 keeps its own address in IFA_LOCAL (IFA_ADDRESS is the peer's on point-to-point links).
        if ((local ?? address) is not { } own)
        {
            error = new NetlinkError(message.Offset, "address message without IFA_LOCAL or IFA_ADDRESS");
            return false;
        }

        change = new AddressChange(message.Type == RTM_DELADDR, own, index);
        return true;
    }
}
