namespace MptcpPrivacy.Linux.Netlink;

/// <summary>
/// Constants of the netlink protocol (<c>include/uapi/linux/netlink.h</c>) and of generic netlink's
/// controller (<c>include/uapi/linux/genetlink.h</c>) that this folder uses. Netlink headers are in
/// the host's byte order.
/// </summary>
public static class Netlink
{
    /// <summary>socket(2) domain AF_NETLINK.</summary>
    public const int AF_NETLINK = 16;

    /// <summary>socket(2) type SOCK_RAW.</summary>
    public const int SOCK_RAW = 3;

    /// <summary>Netlink protocol of rtnetlink (routes, addresses, links).</summary>
    public const int NETLINK_ROUTE = 0;

    /// <summary>Netlink protocol of generic netlink.</summary>
    public const int NETLINK_GENERIC = 16;

    /// <summary>setsockopt level of netlink options.</summary>
    public const int SOL_NETLINK = 270;

    /// <summary>SOL_NETLINK option: join a multicast group (by its number).</summary>
    public const int NETLINK_ADD_MEMBERSHIP = 1;

    /// <summary>SOL_NETLINK option: an error message quotes only the header of the request, not its payload.</summary>
    public const int NETLINK_CAP_ACK = 10;

    /// <summary>SOL_NETLINK option: error messages carry the kernel's explanation (extended ACK attributes).</summary>
    public const int NETLINK_EXT_ACK = 11;

    /// <summary>Size of <c>struct nlmsghdr</c>: length u32, type u16, flags u16, sequence u32, port ID u32.</summary>
    public const int MessageHeaderLength = 16;

    /// <summary>Size of <c>struct genlmsghdr</c>: command u8, version u8, reserved u16.</summary>
    public const int GenericHeaderLength = 4;

    /// <summary>Size of <c>struct nlattr</c>: length u16 (header included, padding excluded), type u16.</summary>
    public const int AttributeHeaderLength = 4;

    /// <summary>nlmsg_type: nothing, to be ignored.</summary>
    public const ushort NLMSG_NOOP = 1;

    /// <summary>nlmsg_type: an error or, with error 0, an acknowledgement.</summary>
    public const ushort NLMSG_ERROR = 2;

    /// <summary>nlmsg_type: the end of a multipart dump.</summary>
    public const ushort NLMSG_DONE = 3;

    /// <summary>nlmsg_type: data lost.</summary>
    public const ushort NLMSG_OVERRUN = 4;

    /// <summary>nlmsg_flags: a request.</summary>
    public const ushort NLM_F_REQUEST = 0x1;

    /// <summary>nlmsg_flags: part of a multipart message.</summary>
    public const ushort NLM_F_MULTI = 0x2;

    /// <summary>nlmsg_flags: ask for an acknowledgement.</summary>
    public const ushort NLM_F_ACK = 0x4;

    /// <summary>nlmsg_flags of an error message: the quoted request was cut to its header (NETLINK_CAP_ACK).</summary>
    public const ushort NLM_F_CAPPED = 0x100;

    /// <summary>nlmsg_flags of an error message: extended ACK attributes follow the quoted request.</summary>
    public const ushort NLM_F_ACK_TLVS = 0x200;

    /// <summary>nla_type bit: the attribute holds nested attributes.</summary>
    public const ushort NLA_F_NESTED = 0x8000;

    /// <summary>nla_type bit: the payload is in network byte order.</summary>
    public const ushort NLA_F_NET_BYTEORDER = 0x4000;

    /// <summary>The bits of nla_type that give the attribute's type.</summary>
    public const ushort NLA_TYPE_MASK = 0x3fff;

    /// <summary>Extended ACK attribute: the kernel's message, a NUL-terminated string.</summary>
    public const ushort NLMSGERR_ATTR_MSG = 1;

    /// <summary>Extended ACK attribute: the byte offset, in the request, of the attribute the kernel blames.</summary>
    public const ushort NLMSGERR_ATTR_OFFS = 2;

    /// <summary>The message type (family ID) of generic netlink's controller.</summary>
    public const ushort GENL_ID_CTRL = 0x10;

    /// <summary>Controller command: a family's description (the reply to <see cref="CTRL_CMD_GETFAMILY"/>).</summary>
    public const byte CTRL_CMD_NEWFAMILY = 1;

    /// <summary>Controller command: look a family up by name.</summary>
    public const byte CTRL_CMD_GETFAMILY = 3;

    /// <summary>Controller attribute: the family's ID (u16), which requests to it carry as their message type.</summary>
    public const ushort CTRL_ATTR_FAMILY_ID = 1;

    /// <summary>Controller attribute: the family's name (NUL-terminated string).</summary>
    public const ushort CTRL_ATTR_FAMILY_NAME = 2;

    /// <summary>Controller attribute: the family's version (u32).</summary>
    public const ushort CTRL_ATTR_VERSION = 3;

    /// <summary>Controller attribute: the family's multicast groups (nested: one nested attribute per group).</summary>
    public const ushort CTRL_ATTR_MCAST_GROUPS = 7;

    /// <summary>Attribute of one multicast group: its name (NUL-terminated string).</summary>
    public const ushort CTRL_ATTR_MCAST_GRP_NAME = 1;

    /// <summary>Attribute of one multicast group: its number (u32), to join with NETLINK_ADD_MEMBERSHIP.</summary>
    public const ushort CTRL_ATTR_MCAST_GRP_ID = 2;

    /// <summary>Rounds <paramref name="length"/> up to netlink's 4-byte alignment (NLMSG_ALIGN, NLA_ALIGN).</summary>
    public static int Align(int length) => (length + 3) & ~3;
}
