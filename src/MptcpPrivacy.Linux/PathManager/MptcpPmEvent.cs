using MptcpPrivacy.Linux.Netlink;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Linux.PathManager;

/// <summary>
/// One <c>mptcp_pm</c> event, decoded (the kernel builds them in <c>net/mptcp/pm_netlink.c</c>,
/// <c>mptcp_event*</c>). Which fields are set depends on <see cref="Type"/>: connection events carry
/// the initial subflow's addresses and ports, subflow events a subflow's, ANNOUNCED the peer's
/// address (<see cref="RemoteAddress"/>, <see cref="RemotePort"/>) and ID, REMOVED the ID only.
/// Addresses the event does not carry are default (length 0).
/// </summary>
public sealed record MptcpPmEvent
{
    /// <summary>Gets the event.</summary>
    public MptcpEventType Type { get; init; }

    /// <summary>Gets the connection's token (0 for listener events).</summary>
    public uint Token { get; init; }

    /// <summary>Gets the local address.</summary>
    public IpAddressBytes LocalAddress { get; init; }

    /// <summary>Gets the remote address (for ANNOUNCED, the announced address).</summary>
    public IpAddressBytes RemoteAddress { get; init; }

    /// <summary>Gets the local port, or 0.</summary>
    public ushort LocalPort { get; init; }

    /// <summary>Gets the remote port, or 0.</summary>
    public ushort RemotePort { get; init; }

    /// <summary>Gets our address ID of the local address, or null.</summary>
    public byte? LocalId { get; init; }

    /// <summary>Gets the peer's address ID, or null.</summary>
    public byte? RemoteId { get; init; }

    /// <summary>Gets whether the subflow is a backup.</summary>
    public bool Backup { get; init; }

    /// <summary>Gets the subflow's socket error (errno), or null.</summary>
    public byte? Error { get; init; }

    /// <summary>Gets whether this host is the connection's server side.</summary>
    public bool ServerSide { get; init; }

    /// <summary>Gets the interface index the subflow is bound to, or null.</summary>
    public int? InterfaceIndex { get; init; }

    /// <summary>Gets the MP_TCPRST reason of a closed subflow (RFC 8684 §3.6), or null.</summary>
    public uint? ResetReason { get; init; }

    /// <summary>
    /// Reads event <paramref name="message"/> (a message of the <c>mptcp_pm</c> family, whose
    /// generic netlink command is the event type). Unknown attributes are skipped; a malformed
    /// message gives false and the reason with its byte offset.
    /// </summary>
    public static bool TryDecode(NetlinkMessage message, out MptcpPmEvent? decoded, out NetlinkError error)
    {
        decoded = null;
        if (!message.TryReadGenericAttributes(out NetlinkAttributeReader attributes, out error))
        {
            return false;
        }

        var e = new MptcpPmEvent { Type = (MptcpEventType)message.GenericCommand };
        while (attributes.MoveNext(out NetlinkAttribute a))
        {
            if (!TryApply(e, a, out e))
            {
                error = new NetlinkError(a.Offset, $"{(MptcpEventAttribute)a.Type} has {a.Payload.Length} bytes, not the size of its type");
                return false;
            }
        }

        if (attributes.Error is { } bad)
        {
            error = bad;
            return false;
        }

        decoded = e;
        return true;
    }

    /// <summary>Says in one line what happened, for logs.</summary>
    public override string ToString()
    {
        string ids = $"{(LocalId is { } l ? $" loc_id {l}" : "")}{(RemoteId is { } r ? $" rem_id {r}" : "")}";
        string ends = Type switch
        {
            MptcpEventType.Announced => $" {Endpoint(RemoteAddress, RemotePort)}",
            MptcpEventType.Removed or MptcpEventType.Closed => "",
            _ => $" {Endpoint(LocalAddress, LocalPort)} -> {Endpoint(RemoteAddress, RemotePort)}",
        };
        string extra = $"{(Backup ? " backup" : "")}{(ServerSide ? " server" : "")}{(Error is { } err ? $" error {err}" : "")}{(ResetReason is { } reason ? $" reset {reason}" : "")}";
        return $"{Name(Type)} token 0x{Token:x8}{ends}{ids}{extra}";
    }

    /// <summary>Returns the kernel's name of <paramref name="type"/> (<c>MPTCP_EVENT_SUB_ESTABLISHED</c>).</summary>
    public static string Name(MptcpEventType type) => type switch
    {
        MptcpEventType.Created => "MPTCP_EVENT_CREATED",
        MptcpEventType.Established => "MPTCP_EVENT_ESTABLISHED",
        MptcpEventType.Closed => "MPTCP_EVENT_CLOSED",
        MptcpEventType.Announced => "MPTCP_EVENT_ANNOUNCED",
        MptcpEventType.Removed => "MPTCP_EVENT_REMOVED",
        MptcpEventType.SubflowEstablished => "MPTCP_EVENT_SUB_ESTABLISHED",
        MptcpEventType.SubflowClosed => "MPTCP_EVENT_SUB_CLOSED",
        MptcpEventType.SubflowPriority => "MPTCP_EVENT_SUB_PRIORITY",
        MptcpEventType.ListenerCreated => "MPTCP_EVENT_LISTENER_CREATED",
        MptcpEventType.ListenerClosed => "MPTCP_EVENT_LISTENER_CLOSED",
        _ => $"MPTCP_EVENT_{(byte)type}",
    };

    private static string Endpoint(IpAddressBytes address, ushort port) =>
        address.Length == 16 ? $"[{address}]:{port}" : $"{address}:{port}";

    private static bool TryApply(MptcpPmEvent e, NetlinkAttribute a, out MptcpPmEvent result)
    {
        result = e;
        bool ok = true;
        switch ((MptcpEventAttribute)a.Type)
        {
            case MptcpEventAttribute.Token:
                ok = a.TryGetU32(out uint token);
                result = e with { Token = token };
                break;
            case MptcpEventAttribute.SourceAddress4 or MptcpEventAttribute.SourceAddress6:
                ok = a.Payload.Length == ((MptcpEventAttribute)a.Type == MptcpEventAttribute.SourceAddress4 ? 4 : 16);
                result = ok ? e with { LocalAddress = IpAddressBytes.FromSpan(a.Payload) } : e;
                break;
            case MptcpEventAttribute.DestinationAddress4 or MptcpEventAttribute.DestinationAddress6:
                ok = a.Payload.Length == ((MptcpEventAttribute)a.Type == MptcpEventAttribute.DestinationAddress4 ? 4 : 16);
                result = ok ? e with { RemoteAddress = IpAddressBytes.FromSpan(a.Payload) } : e;
                break;
            case MptcpEventAttribute.SourcePort:
                ok = a.TryGetU16BigEndian(out ushort sport);
                result = e with { LocalPort = sport };
                break;
            case MptcpEventAttribute.DestinationPort:
                ok = a.TryGetU16BigEndian(out ushort dport);
                result = e with { RemotePort = dport };
                break;
            case MptcpEventAttribute.LocalId:
                ok = a.TryGetU8(out byte localId);
                result = e with { LocalId = localId };
                break;
            case MptcpEventAttribute.RemoteId:
                ok = a.TryGetU8(out byte remoteId);
                result = e with { RemoteId = remoteId };
                break;
            case MptcpEventAttribute.Backup:
                ok = a.TryGetU8(out byte backup);
                result = e with { Backup = backup != 0 };
                break;
            case MptcpEventAttribute.Error:
                ok = a.TryGetU8(out byte error);
                result = e with { Error = error };
                break;
            case MptcpEventAttribute.ServerSide:
                ok = a.TryGetU8(out byte server);
                result = e with { ServerSide = server != 0 };
                break;
            case MptcpEventAttribute.InterfaceIndex:
                ok = a.TryGetU32(out uint index);
                result = e with { InterfaceIndex = unchecked((int)index) };
                break;
            case MptcpEventAttribute.ResetReason:
                ok = a.TryGetU32(out uint reason);
                result = e with { ResetReason = reason };
                break;
        }

        return ok;
    }
}
