using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Stack.Mptcp.PathManagement;

/// <summary>
/// One thing the path manager decided the connection should do; the connection carries it out
/// (sends the option, opens or closes the subflow) and reports the outcome as a new event.
/// </summary>
public abstract record PathAction;

/// <summary>
/// Open subflow <paramref name="SubflowId"/> with MP_JOIN (RFC 8684 §3.2) from
/// <paramref name="LocalAddress"/> (address ID <paramref name="LocalId"/>, any local port) to
/// <paramref name="RemoteAddress"/>:<paramref name="RemotePort"/> (the peer's address ID
/// <paramref name="RemoteId"/>), with the B flag set when <paramref name="Backup"/>.
/// </summary>
public sealed record OpenSubflow(
    int SubflowId,
    byte LocalId,
    IpAddressBytes LocalAddress,
    byte RemoteId,
    IpAddressBytes RemoteAddress,
    ushort RemotePort,
    bool Backup) : PathAction;

/// <summary>Send ADD_ADDR (RFC 8684 §3.4.1) for our address <paramref name="Address"/> as <paramref name="AddressId"/>, with <paramref name="Port"/> if given; the peer echoes it.</summary>
public sealed record Announce(byte AddressId, IpAddressBytes Address, ushort? Port) : PathAction;

/// <summary>Echo the peer's ADD_ADDR (E=1, RFC 8684 §3.4.1), which the receiver owes whether or not it uses the address.</summary>
public sealed record EchoAnnounce(byte AddressId, IpAddressBytes Address, ushort? Port) : PathAction;

/// <summary>Send REMOVE_ADDR (RFC 8684 §3.4.2) for our address ID <paramref name="AddressId"/>, on a subflow that stays open.</summary>
public sealed record RemoveAddress(byte AddressId) : PathAction;

/// <summary>Close subflow <paramref name="SubflowId"/> (its address is gone on one side).</summary>
public sealed record CloseSubflow(int SubflowId) : PathAction;

/// <summary>Send MP_PRIO (RFC 8684 §3.3.8) on subflow <paramref name="SubflowId"/> asking the peer to treat it as backup or not.</summary>
public sealed record SetBackup(int SubflowId, bool Backup) : PathAction;
