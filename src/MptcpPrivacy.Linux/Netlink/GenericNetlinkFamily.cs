namespace MptcpPrivacy.Linux.Netlink;

/// <summary>
/// A generic netlink family as the controller describes it (<c>CTRL_CMD_GETFAMILY</c>): the ID its
/// requests carry as message type, its version, and its multicast groups by name.
/// </summary>
/// <param name="Name">The family's name (<c>mptcp_pm</c>).</param>
/// <param name="Id">The family's ID, assigned by the kernel at registration.</param>
/// <param name="Version">The family's version.</param>
/// <param name="Groups">Its multicast groups: name to group number.</param>
public sealed record GenericNetlinkFamily(string Name, ushort Id, uint Version, IReadOnlyDictionary<string, uint> Groups)
{
    /// <summary>How long <see cref="Resolve"/> waits for the controller.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>Builds the <c>CTRL_CMD_GETFAMILY</c> request for family <paramref name="name"/>.</summary>
    public static byte[] EncodeRequest(string name, uint sequence) =>
        NetlinkMessageBuilder.Generic(Netlink.GENL_ID_CTRL, Netlink.CTRL_CMD_GETFAMILY, 1, sequence)
            .PutString(Netlink.CTRL_ATTR_FAMILY_NAME, name)
            .ToArray();

    /// <summary>
    /// Reads the controller's <c>CTRL_CMD_NEWFAMILY</c> reply <paramref name="reply"/> (one whole
    /// netlink message). False, with the reason and byte offset, when it is malformed or lacks the
    /// family's name or ID.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> reply, out GenericNetlinkFamily? family, out NetlinkError error)
    {
        family = null;
        var messages = new NetlinkMessageReader(reply);
        if (!messages.MoveNext(out NetlinkMessage message))
        {
            error = messages.Error ?? new NetlinkError(0, "no message");
            return false;
        }

        if (message.Type != Netlink.GENL_ID_CTRL || message.GenericCommand != Netlink.CTRL_CMD_NEWFAMILY)
        {
            error = new NetlinkError(message.Offset, $"not a CTRL_CMD_NEWFAMILY reply (type {message.Type}, command {message.GenericCommand})");
            return false;
        }

        if (!message.TryReadGenericAttributes(out NetlinkAttributeReader attributes, out error))
        {
            return false;
        }

        string? name = null;
        ushort? id = null;
        uint version = 0;
        var groups = new Dictionary<string, uint>(StringComparer.Ordinal);
        while (attributes.MoveNext(out NetlinkAttribute attribute))
        {
            switch (attribute.Type)
            {
                case Netlink.CTRL_ATTR_FAMILY_NAME:
                    name = attribute.GetString();
                    break;
                case Netlink.CTRL_ATTR_FAMILY_ID when attribute.TryGetU16(out ushort value):
                    id = value;
                    break;
                case Netlink.CTRL_ATTR_VERSION when attribute.TryGetU32(out uint value):
                    version = value;
                    break;
                case Netlink.CTRL_ATTR_MCAST_GROUPS when !TryReadGroups(attribute, groups, out error):
                    return false;
            }
        }

        if (attributes.Error is { } bad)
        {
            error = bad;
            return false;
        }

        if (name is null || id is null)
        {
            error = new NetlinkError(message.Offset, "the reply lacks the family's name or ID");
            return false;
        }

        family = new GenericNetlinkFamily(name, id.Value, version, groups);
        error = default;
        return true;
    }

    /// <summary>Asks the controller, over <paramref name="socket"/> (NETLINK_GENERIC), for family <paramref name="name"/>.</summary>
    /// <exception cref="NetlinkException">No such family (ENOENT: the kernel lacks it) or an unreadable reply.</exception>
    public static GenericNetlinkFamily Resolve(NetlinkSocket socket, string name)
    {
        ArgumentNullException.ThrowIfNull(socket);
        uint sequence = socket.NextSequence();
        string what = $"CTRL_CMD_GETFAMILY {name}";
        IReadOnlyList<byte[]> replies = socket.Request(EncodeRequest(name, sequence), sequence, what, Timeout);
        foreach (byte[] reply in replies)
        {
            if (TryDecode(reply, out GenericNetlinkFamily? family, out NetlinkError error))
            {
                return family!;
            }

            throw new NetlinkException(what, 0, $"unreadable reply: {error}");
        }

        throw new NetlinkException(what, 0, "acknowledged without a reply");
    }

    private static bool TryReadGroups(NetlinkAttribute groupsAttribute, Dictionary<string, uint> groups, out NetlinkError error)
    {
        NetlinkAttributeReader list = groupsAttribute.Nested();
        while (list.MoveNext(out NetlinkAttribute group))
        {
            string? groupName = null;
            uint? groupId = null;
            NetlinkAttributeReader fields = group.Nested();
            while (fields.MoveNext(out NetlinkAttribute field))
            {
                if (field.Type == Netlink.CTRL_ATTR_MCAST_GRP_NAME)
                {
                    groupName = field.GetString();
                }
                else if (field.Type == Netlink.CTRL_ATTR_MCAST_GRP_ID && field.TryGetU32(out uint value))
                {
                    groupId = value;
                }
            }

            if (fields.Error is { } bad)
            {
                error = bad;
                return false;
            }

            if (groupName is not null && groupId is not null)
            {
                groups[groupName] = groupId.Value;
            }
        }

        error = list.Error ?? default;
        return list.Error is null;
    }
}
