using MptcpPrivacy.Linux.Netlink;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Linux.PathManager;

/// <summary>
/// A userspace path-manager command to the <c>mptcp_pm</c> family, for connection
/// <see cref="Token"/> (handlers in <c>net/mptcp/pm_userspace.c</c>). <see cref="Encode"/> gives the
/// request; the kernel answers with an ACK or an errno.
/// </summary>
/// <param name="Token">The connection's token.</param>
public abstract record MptcpPmCommand(uint Token)
{
    /// <summary>AF_INET of Linux.</summary>
    private const ushort AfInet = 2;

    /// <summary>AF_INET6 of Linux.</summary>
    private const ushort AfInet6 = 10;

    /// <summary>Gets the command.</summary>
    public abstract MptcpPmCommandType Type { get; }

    /// <summary>Returns the request to family <paramref name="familyId"/> (version <paramref name="version"/>) with sequence number <paramref name="sequence"/>, asking for an ACK.</summary>
    public byte[] Encode(ushort familyId, byte version, uint sequence)
    {
        NetlinkMessageBuilder builder = NetlinkMessageBuilder.Generic(familyId, (byte)Type, version, sequence)
            .PutU32((ushort)MptcpPmAttribute.Token, Token);
        EncodeAttributes(builder);
        return builder.ToArray();
    }

    /// <summary>Says in one line what the command asks, for logs and errors.</summary>
    public abstract string Describe();

    /// <summary>Returns the kernel's name of <paramref name="type"/> (<c>MPTCP_PM_CMD_SUBFLOW_CREATE</c>).</summary>
    public static string Name(MptcpPmCommandType type) => type switch
    {
        MptcpPmCommandType.Announce => "MPTCP_PM_CMD_ANNOUNCE",
        MptcpPmCommandType.Remove => "MPTCP_PM_CMD_REMOVE",
        MptcpPmCommandType.SubflowCreate => "MPTCP_PM_CMD_SUBFLOW_CREATE",
        MptcpPmCommandType.SubflowDestroy => "MPTCP_PM_CMD_SUBFLOW_DESTROY",
        MptcpPmCommandType.SetFlags => "MPTCP_PM_CMD_SET_FLAGS",
        _ => $"MPTCP_PM_CMD_{(byte)type}",
    };

    /// <summary>Appends the attributes after the token.</summary>
    private protected abstract void EncodeAttributes(NetlinkMessageBuilder builder);

    /// <summary>
    /// Appends nested address <paramref name="type"/>: family, then the ID, the address, the port
    /// (host order) and the flags when given, as <c>mptcp_pm_parse_entry</c> reads them.
    /// </summary>
    private protected static void PutAddress(NetlinkMessageBuilder builder, MptcpPmAttribute type, IpAddressBytes address, byte? id, ushort? port, MptcpPmAddressFlags? flags)
    {
        Span<byte> bytes = stackalloc byte[16];
        int length = address.CopyTo(bytes);
        builder.BeginNested((ushort)type)
            .PutU16((ushort)MptcpPmAddressAttribute.Family, length == 4 ? AfInet : AfInet6);
        if (id is { } value)
        {
            builder.PutU8((ushort)MptcpPmAddressAttribute.Id, value);
        }

        builder.Put((ushort)(length == 4 ? MptcpPmAddressAttribute.Address4 : MptcpPmAddressAttribute.Address6), bytes[..length]);
        if (port is { } p)
        {
            builder.PutU16((ushort)MptcpPmAddressAttribute.Port, p);
        }

        if (flags is { } f)
        {
            builder.PutU32((ushort)MptcpPmAddressAttribute.Flags, (uint)f);
        }

        builder.EndNested();
    }

    private protected static string At(IpAddressBytes address, ushort? port) =>
        port is { } p ? (address.Length == 16 ? $"[{address}]:{p}" : $"{address}:{p}") : address.ToString();
}

/// <summary>MPTCP_PM_CMD_ANNOUNCE: send ADD_ADDR (RFC 8684 §3.4.1) for our <paramref name="Address"/> as ID <paramref name="AddressId"/> (1 to 255); the kernel retransmits it until echoed.</summary>
public sealed record MptcpPmAnnounce(uint Token, byte AddressId, IpAddressBytes Address, ushort? Port) : MptcpPmCommand(Token)
{
    /// <inheritdoc/>
    public override MptcpPmCommandType Type => MptcpPmCommandType.Announce;

    /// <inheritdoc/>
    public override string Describe() => $"{Name(Type)} token 0x{Token:x8} id {AddressId} {At(Address, Port)}";

    /// <inheritdoc/>
    private protected override void EncodeAttributes(NetlinkMessageBuilder builder) =>
        PutAddress(builder, MptcpPmAttribute.Address, Address, AddressId, Port, MptcpPmAddressFlags.Signal);
}

/// <summary>MPTCP_PM_CMD_REMOVE: send REMOVE_ADDR (RFC 8684 §3.4.2) for our address ID <paramref name="AddressId"/>.</summary>
public sealed record MptcpPmRemove(uint Token, byte AddressId) : MptcpPmCommand(Token)
{
    /// <inheritdoc/>
    public override MptcpPmCommandType Type => MptcpPmCommandType.Remove;

    /// <inheritdoc/>
    public override string Describe() => $"{Name(Type)} token 0x{Token:x8} id {AddressId}";

    /// <inheritdoc/>
    private protected override void EncodeAttributes(NetlinkMessageBuilder builder) =>
        builder.PutU8((ushort)MptcpPmAttribute.LocalId, AddressId);
}

/// <summary>
/// MPTCP_PM_CMD_SUBFLOW_CREATE: open a subflow with MP_JOIN (RFC 8684 §3.2) from our
/// <paramref name="LocalAddress"/> (ID <paramref name="LocalId"/>, any port) to
/// <paramref name="RemoteAddress"/>:<paramref name="RemotePort"/>, B flag when <paramref name="Backup"/>.
/// <paramref name="SubflowId"/> is the policy's id of the subflow, not sent.
/// </summary>
public sealed record MptcpPmSubflowCreate(uint Token, int SubflowId, byte LocalId, IpAddressBytes LocalAddress, bool Backup, IpAddressBytes RemoteAddress, ushort RemotePort) : MptcpPmCommand(Token)
{
    /// <inheritdoc/>
    public override MptcpPmCommandType Type => MptcpPmCommandType.SubflowCreate;

    /// <inheritdoc/>
    public override string Describe() =>
        $"{Name(Type)} token 0x{Token:x8} {LocalAddress} (id {LocalId}) -> {At(RemoteAddress, RemotePort)}{(Backup ? " backup" : "")}";

    /// <inheritdoc/>
    private protected override void EncodeAttributes(NetlinkMessageBuilder builder)
    {
        PutAddress(builder, MptcpPmAttribute.Address, LocalAddress, LocalId, null, Backup ? MptcpPmAddressFlags.Backup : MptcpPmAddressFlags.None);
        PutAddress(builder, MptcpPmAttribute.RemoteAddress, RemoteAddress, null, RemotePort, null);
    }
}

/// <summary>
/// MPTCP_PM_CMD_SUBFLOW_DESTROY: close the subflow <paramref name="LocalAddress"/>:<paramref name="LocalPort"/>
/// — <paramref name="RemoteAddress"/>:<paramref name="RemotePort"/> (the kernel needs both ports).
/// <paramref name="SubflowId"/> is the policy's id of the subflow, not sent.
/// </summary>
public sealed record MptcpPmSubflowDestroy(uint Token, int SubflowId, IpAddressBytes LocalAddress, ushort LocalPort, IpAddressBytes RemoteAddress, ushort RemotePort) : MptcpPmCommand(Token)
{
    /// <inheritdoc/>
    public override MptcpPmCommandType Type => MptcpPmCommandType.SubflowDestroy;

    /// <inheritdoc/>
    public override string Describe() => $"{Name(Type)} token 0x{Token:x8} {At(LocalAddress, LocalPort)} -> {At(RemoteAddress, RemotePort)}";

    /// <inheritdoc/>
    private protected override void EncodeAttributes(NetlinkMessageBuilder builder)
    {
        PutAddress(builder, MptcpPmAttribute.Address, LocalAddress, null, LocalPort, null);
        PutAddress(builder, MptcpPmAttribute.RemoteAddress, RemoteAddress, null, RemotePort, null);
    }
}

/// <summary>
/// MPTCP_PM_CMD_SET_FLAGS with a token: send MP_PRIO (RFC 8684 §3.3.8) on the subflow
/// <paramref name="LocalAddress"/>:<paramref name="LocalPort"/> — <paramref name="RemoteAddress"/>:<paramref name="RemotePort"/>,
/// asking for backup or not. <paramref name="SubflowId"/> is the policy's id of the subflow, not sent.
/// </summary>
public sealed record MptcpPmSetBackup(uint Token, int SubflowId, IpAddressBytes LocalAddress, ushort LocalPort, IpAddressBytes RemoteAddress, ushort RemotePort, bool Backup) : MptcpPmCommand(Token)
{
    /// <inheritdoc/>
    public override MptcpPmCommandType Type => MptcpPmCommandType.SetFlags;

    /// <inheritdoc/>
    public override string Describe() =>
        $"{Name(Type)} token 0x{Token:x8} {At(LocalAddress, LocalPort)} -> {At(RemoteAddress, RemotePort)} {(Backup ? "backup" : "nobackup")}";

    /// <inheritdoc/>
    private protected override void EncodeAttributes(NetlinkMessageBuilder builder)
    {
        PutAddress(builder, MptcpPmAttribute.Address, LocalAddress, null, LocalPort, Backup ? MptcpPmAddressFlags.Backup : MptcpPmAddressFlags.None);
        PutAddress(builder, MptcpPmAttribute.RemoteAddress, RemoteAddress, null, RemotePort, null);
    }
}
