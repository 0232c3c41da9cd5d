using System.Buffers.Binary;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Mptcp.Privacy;

/// <summary>
/// What a connection writes into, and accepts from, the options that can link its subflows: the
/// join token and HMACs, ADD_ADDR and its echo, the address IDs of joins, and the data sequence
/// numbers as they appear on each subflow. This base class is RFC 8684 as written; the draft's
/// mode (<see cref="DraftPrivacy"/>) and the privacy profile (<see cref="ProfilePrivacy"/>)
/// override what they change. The connection and its subflows call it at each of those points and
/// keep no mode logic of their own.
/// </summary>
internal class WirePrivacy
{
    private protected WirePrivacy(MptcpConnection connection) => Connection = connection;

    /// <summary>Gets the mode the connection actually runs (a profile offer a peer did not accept runs <see cref="PrivacyMode.Standard"/>).</summary>
    public virtual PrivacyMode Mode => PrivacyMode.Standard;

    /// <summary>Gets whether joins may start: the profile waits for its secret at both ends.</summary>
    public virtual bool ReadyForJoins => true;

    /// <summary>Returns whether a join the path manager decided must wait (the split mode's second stage is not done).</summary>
    public virtual bool JoinMustWait(IReadOnlyList<MptcpSubflow> subflows) => false;

    /// <summary>Gets whether announcements must wait (the split mode's second stage is not done).</summary>
    public virtual bool AnnouncementsMustWait => false;

    /// <summary>Takes a subflow's handshake completing (the split mode starts its second stage on the client's first join).</summary>
    public virtual void OnSubflowEstablished(TimeSpan now, MptcpSubflow subflow)
    {
    }

    /// <summary>Gets the earliest time the mode wants a timer call, or null.</summary>
    public virtual TimeSpan? NextDeadline => null;

    private protected MptcpConnection Connection { get; }

    /// <summary>Makes the behaviour for <paramref name="options"/>' mode.</summary>
    public static WirePrivacy Create(MptcpConnection connection, PrivacyOptions options, Random random) => options.Mode switch
    {
        PrivacyMode.Standard => new WirePrivacy(connection),
        PrivacyMode.Draft => new DraftPrivacy(connection, options, random),
        PrivacyMode.Profile => new ProfilePrivacy(connection, options, random),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "unknown privacy mode"),
    };

    /// <summary>Writes options that go beside MP_CAPABLE in the SYN (or SYN/ACK with <paramref name="synAck"/>); returns their length.</summary>
    public virtual int WriteSynOptions(bool synAck, Span<byte> destination) => 0;

    /// <summary>Reads the peer's SYN (passive side) or SYN/ACK (active side); false refuses the connection.</summary>
    public virtual bool OnHandshakeOptions(TimeSpan now, in TcpHeader segment, bool synAck) => true;

    /// <summary>Takes both MPTCP keys being known.</summary>
    public virtual void OnKeysExchanged(TimeSpan now)
    {
    }

    /// <summary>Runs the mode's timers.</summary>
    public virtual void OnTimer(TimeSpan now)
    {
    }

    /// <summary>Takes every segment accepted on <paramref name="subflow"/> after the handshake (the profile reads its key shares here).</summary>
    public virtual void OnSegment(TimeSpan now, MptcpSubflow subflow, in TcpHeader segment)
    {
    }

    /// <summary>Returns whether the mode has options due that only a pure ACK can carry.</summary>
    public virtual bool ControlDue(TimeSpan now) => false;

    /// <summary>Writes the mode's own options on a pure ACK of <paramref name="subflow"/>; returns their length.</summary>
    public virtual int WriteControl(TimeSpan now, MptcpSubflow subflow, Span<byte> destination) => 0;

    /// <summary>Takes the connection closing: tokens leave the host's tables.</summary>
    public virtual void OnClosed()
    {
    }

    /// <summary>Returns the two 32-bit fields of an MP_JOIN SYN: the receiver's token and the sender's nonce (RFC 8684 §3.2).</summary>
    public virtual (uint Token, uint Nonce) StartJoin(MptcpSubflow subflow, uint randomNonce)
    {
        subflow.PrivacyState.LocalNonce = randomNonce;
        return (Connection.RemoteToken, randomNonce);
    }

    /// <summary>Returns the address ID a join of <paramref name="subflow"/> carries for its local address.</summary>
    public virtual byte WireAddressId(MptcpSubflow subflow) => subflow.LocalAddressId;

    /// <summary>Returns the HMAC-B of a join's SYN/ACK (RFC 8684 §3.2).</summary>
    public virtual ulong SynAckHmac(MptcpSubflow subflow) =>
        JoinHmac.SynAckHmac(Connection.RemoteKey, Connection.LocalKey.Key, subflow.PrivacyState.RemoteNonce, subflow.PrivacyState.LocalNonce, MptcpVersion.V1);

    /// <summary>Checks the HMAC-B of the SYN/ACK answering our join.</summary>
    public virtual bool IsSynAckHmacValid(MptcpSubflow subflow, ulong truncatedHmac, uint nonceB)
    {
        Span<byte> wire = stackalloc byte[JoinHmac.SynAckHmacLength];
        BinaryPrimitives.WriteUInt64BigEndian(wire, truncatedHmac);
        return JoinHmac.IsSynAckHmacValid(Connection.LocalKey.Key, Connection.RemoteKey, subflow.PrivacyState.LocalNonce, nonceB, MptcpVersion.V1, wire);
    }

    /// <summary>Writes the HMAC-A of our join's third ACK (160 bits).</summary>
    public virtual void AckHmac(MptcpSubflow subflow, Span<byte> destination) =>
        JoinHmac.AckHmac(Connection.LocalKey.Key, Connection.RemoteKey, subflow.PrivacyState.LocalNonce, subflow.PrivacyState.RemoteNonce, MptcpVersion.V1, destination);

    /// <summary>Checks the HMAC-A of a peer's join third ACK.</summary>
    public virtual bool IsAckHmacValid(MptcpSubflow subflow, ReadOnlySpan<byte> wireHmac) =>
        JoinHmac.IsAckHmacValid(Connection.RemoteKey, Connection.LocalKey.Key, subflow.PrivacyState.RemoteNonce, subflow.PrivacyState.LocalNonce, MptcpVersion.V1, wireHmac);

    /// <summary>Takes a passive join whose third ACK verified (the profile spends its token here).</summary>
    public virtual void OnJoinVerified(MptcpSubflow subflow)
    {
    }

    /// <summary>Takes a passive join that failed or closed before it verified (the profile releases its token).</summary>
    public virtual void OnJoinAbandoned(MptcpSubflow subflow)
    {
    }

    /// <summary>Writes an ADD_ADDR announcing <paramref name="address"/>; returns its length, or -1 when it does not fit.</summary>
    public virtual int WriteAnnouncement(byte addressId, IpAddressBytes address, ushort? port, Span<byte> destination)
    {
        Span<byte> bytes = stackalloc byte[16];
        int length = address.CopyTo(bytes);
        ulong hmac = AddAddrHmac.Compute(Connection.LocalKey.Key, Connection.RemoteKey, addressId, bytes[..length], port ?? 0);
        AddAddrOption option = AddAddrOption.Announce(addressId, address, port, hmac);
        return option.EncodedLength <= destination.Length ? option.Encode(destination) : -1;
    }

    /// <summary>
    /// Reads a received ADD_ADDR announcement (not an echo): its ID, address and port once its HMAC
    /// (or the mode's authentication) verified; false for a forgery.
    /// </summary>
    public virtual bool TryReadAnnouncement(in AddAddrOption option, out byte addressId, out IpAddressBytes address, out ushort? port)
    {
        (addressId, address, port) = (option.AddressId, option.Address, option.HasPort ? option.Port : null);
        Span<byte> bytes = stackalloc byte[16];
        int length = option.Address.CopyTo(bytes);
        Span<byte> wire = stackalloc byte[AddAddrHmac.Length];
        BinaryPrimitives.WriteUInt64BigEndian(wire, option.TruncatedHmac);
        return option.HasHmac && AddAddrHmac.IsValid(Connection.RemoteKey, Connection.LocalKey.Key, option.AddressId, bytes[..length], option.HasPort ? option.Port : (ushort)0, wire);
    }

    /// <summary>Writes the echo of the peer's announcement <paramref name="addressId"/> (as read); returns its length, or -1 when it does not fit.</summary>
    public virtual int WriteEcho(byte addressId, IpAddressBytes address, ushort? port, Span<byte> destination)
    {
        AddAddrOption echo = AddAddrOption.EchoOf(addressId, address, port);
        return echo.EncodedLength <= destination.Length ? echo.Encode(destination) : -1;
    }

    /// <summary>Returns whether <paramref name="echo"/> echoes our announcement of <paramref name="address"/> with <paramref name="addressId"/>.</summary>
    public virtual bool IsEchoOf(in AddAddrOption echo, byte addressId, IpAddressBytes address, ushort? port) =>
        echo.AddressId == addressId && echo.Address == address;

    /// <summary>Adds the address IDs a REMOVE_ADDR carries to withdraw our address <paramref name="localAddressId"/> (RFC 8684 §3.4.2: that ID).</summary>
    public virtual void AddRemovals(byte localAddressId, IReadOnlyList<MptcpSubflow> subflows, List<byte> removals) => removals.Add(localAddressId);

    /// <summary>
    /// Finds the subflows a peer's REMOVE_ADDR names when the mode, not the path manager, reads
    /// its IDs (the profile); false leaves the option to the path manager (RFC 8684).
    /// </summary>
    public virtual bool TryFindRemoved(ReadOnlySpan<byte> ids, IReadOnlyList<MptcpSubflow> subflows, List<MptcpSubflow> named) => false;

    /// <summary>Gets the offset our data sequence numbers carry on <paramref name="subflow"/> (the Data ACKs of the peer for them likewise).</summary>
    public ulong SendOffset(MptcpSubflow subflow) => subflow.PrivacyState.SendDsnOffset;

    /// <summary>Gets the offset the peer's data sequence numbers carry on <paramref name="subflow"/> (our Data ACKs for them likewise).</summary>
    public ulong ReceiveOffset(MptcpSubflow subflow) => subflow.PrivacyState.ReceiveDsnOffset;
}
