using System.Net;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Support;

/// <summary>Which HMAC of an MP_JOIN handshake a <see cref="SyntheticConnection.Join"/> gets wrong.</summary>
[Flags]
internal enum JoinFault
{
    /// <summary>Both HMACs right.</summary>
    None = 0,

    /// <summary>The truncated HMAC of the SYN/ACK has bits flipped.</summary>
    SynAckHmac = 1,

    /// <summary>The 160-bit HMAC of the third ACK has bits flipped.</summary>
    AckHmac = 2,
}

/// <summary>
/// One MPTCP connection of a <see cref="SyntheticCapture"/>: knows both keys, so it can give every
/// option its right token, IDSN, HMAC and checksum, and tracks the data sequence space of each side
/// (64-bit DSNs, first byte IDSN + 1, RFC 8684 §3.1).
/// </summary>
internal sealed class SyntheticConnection
{
    private readonly SyntheticCapture _capture;
    private readonly List<SyntheticSubflow> _subflows = [];

    // Next data sequence number of each side: [0] client, [1] server.
    private readonly ulong[] _nextDsn = new ulong[2];

    internal SyntheticConnection(SyntheticCapture capture, IPAddress client, IPAddress server, ushort serverPort, ulong clientKey, ulong serverKey,
        int version, bool checksums, int interfaceIndex)
    {
        if (version is not (0 or 1))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "MPTCP version 0 or 1");
        }

        _capture = capture;
        Version = version == 0 ? MptcpVersion.V0 : MptcpVersion.V1;
        Checksums = checksums;
        ClientKey = clientKey;
        ServerKey = serverKey;
        ClientAddress = client;
        ServerAddress = server;
        ServerPort = serverPort;
        (ClientToken, ClientIdsn) = MptcpKeys.TokenAndIdsn(clientKey, Version);
        (ServerToken, ServerIdsn) = MptcpKeys.TokenAndIdsn(serverKey, Version);
        _nextDsn[0] = ClientIdsn + 1;
        _nextDsn[1] = ServerIdsn + 1;
        Initial = new SyntheticSubflow(capture, client, capture.NextPort(), server, serverPort, interfaceIndex, initiatorIsClient: true);
        _subflows.Add(Initial);
    }

    /// <summary>The MPTCP version of the handshake.</summary>
    public MptcpVersion Version { get; }

    /// <summary>True when MP_CAPABLE asks for DSS checksums (every mapping then carries one).</summary>
    public bool Checksums { get; }

    /// <summary>The client's 64-bit key.</summary>
    public ulong ClientKey { get; }

    /// <summary>The server's 64-bit key.</summary>
    public ulong ServerKey { get; }

    /// <summary>The token of the client's key (what joins towards the client carry).</summary>
    public uint ClientToken { get; }

    /// <summary>The token of the server's key (what joins towards the server carry).</summary>
    public uint ServerToken { get; }

    /// <summary>The client's initial data sequence number.</summary>
    public ulong ClientIdsn { get; }

    /// <summary>The server's initial data sequence number.</summary>
    public ulong ServerIdsn { get; }

    /// <summary>The client address of the initial subflow.</summary>
    public IPAddress ClientAddress { get; }

    /// <summary>The server address of the initial subflow.</summary>
    public IPAddress ServerAddress { get; }

    /// <summary>The server port of the initial subflow (and, by default, of joins).</summary>
    public ushort ServerPort { get; }

    /// <summary>The MP_CAPABLE subflow.</summary>
    public SyntheticSubflow Initial { get; }

    /// <summary>Every subflow: the initial one, then the joins in the order they were made.</summary>
    public IReadOnlyList<SyntheticSubflow> Subflows => _subflows;

    private MpCapableFlags CapableFlags => MpCapableFlags.HmacSha256 | (Checksums ? MpCapableFlags.ChecksumRequired : MpCapableFlags.None);

    private byte VersionByte => Version == MptcpVersion.V0 ? (byte)0 : (byte)1;

    /// <summary>Sends the three MP_CAPABLE packets of the initial subflow (RFC 8684 §3.1; RFC 6824 for v0) and returns the SYN's frame.</summary>
    public int Handshake()
    {
        MpCapableOption syn = Version == MptcpVersion.V0
            ? new MpCapableOption { Version = 0, Flags = CapableFlags, Length = MpCapableOption.SenderKeyLength, SenderKey = ClientKey }
            : MpCapableOption.Syn(CapableFlags, VersionByte);
        int first = Initial.Send(fromInitiator: true, TcpFlags.Syn, Encode(new MptcpOption(syn)));
        Initial.Send(fromInitiator: false, TcpFlags.Syn | TcpFlags.Ack, Encode(new MptcpOption(MpCapableOption.SynAck(CapableFlags, ServerKey, VersionByte))));
        Initial.Send(fromInitiator: true, TcpFlags.Ack, Encode(new MptcpOption(MpCapableOption.Ack(CapableFlags, ClientKey, ServerKey, VersionByte))));
        return first;
    }

    /// <summary>
    /// Sends <paramref name="payload"/> in one segment on <paramref name="on"/> (the initial subflow by
    /// default) with a DSS carrying a 64-bit Data ACK and a mapping; the mapping has a checksum when
    /// <paramref name="checksum"/> says so (by default when the connection asked for checksums), a wrong
    /// one when <paramref name="corruptChecksum"/>. <paramref name="optionsBefore"/> (raw option bytes) goes in
    /// front of the DSS. Returns the frame.
    /// </summary>
    public int Data(bool fromClient, ReadOnlySpan<byte> payload, SyntheticSubflow? on = null, bool? checksum = null, bool corruptChecksum = false,
        ReadOnlySpan<byte> optionsBefore = default)
    {
        if (payload.IsEmpty || payload.Length > ushort.MaxValue)
        {
            throw new ArgumentException("a mapping covers 1 to 65535 bytes", nameof(payload));
        }

        SyntheticSubflow subflow = on ?? Initial;
        bool fromInitiator = fromClient == subflow.InitiatorIsClient;
        int side = fromClient ? 0 : 1;
        bool withChecksum = checksum ?? Checksums;
        ulong dsn = _nextDsn[side];
        uint ssn = subflow.NextRelativeSequence(fromInitiator);
        ushort length = (ushort)payload.Length;
        ushort sum = withChecksum ? DssChecksum.Compute(dsn, ssn, length, payload) : (ushort)0;
        var dss = new DssOption
        {
            Flags = DssFlags.DataAckPresent | DssFlags.DataAckIs8Octets | DssFlags.MappingPresent | DssFlags.DsnIs8Octets,
            DataAck = _nextDsn[1 - side],
            DataSequenceNumber = dsn,
            SubflowSequenceNumber = ssn,
            DataLevelLength = length,
            HasChecksum = withChecksum,
            Checksum = corruptChecksum ? (ushort)(sum ^ 0x0101) : sum,
        };
        _nextDsn[side] += length;
        byte[] options = [.. optionsBefore, .. Encode(new MptcpOption(dss))];
        return subflow.Send(fromInitiator, TcpFlags.Ack | TcpFlags.Psh, options, payload);
    }

    /// <summary>
    /// Opens a subflow with the MP_JOIN handshake (RFC 8684 §3.2): SYN with the receiver's token, SYN/ACK
    /// with HMAC-B, third ACK with HMAC-A, and the responder's ACK (with a Data ACK). The joiner is the client unless
    /// <paramref name="fromClient"/> is false; <paramref name="to"/> defaults to the peer's address of
    /// the initial subflow. <paramref name="token"/> replaces the right token; <paramref name="fault"/>
    /// spoils HMACs.
    /// </summary>
    public SyntheticSubflow Join(string from, string? to = null, int interfaceIndex = 3, bool fromClient = true, byte addressId = 1,
        ushort? toPort = null, uint? token = null, JoinFault fault = JoinFault.None)
    {
        IPAddress responder = to is null ? (fromClient ? ServerAddress : ClientAddress) : IPAddress.Parse(to);
        ushort responderPort = toPort ?? (fromClient ? ServerPort : Initial.InitiatorPort);
        var subflow = new SyntheticSubflow(_capture, IPAddress.Parse(from), _capture.NextPort(), responder, responderPort, interfaceIndex, fromClient);
        _subflows.Add(subflow);
        ulong keyA = fromClient ? ClientKey : ServerKey;
        ulong keyB = fromClient ? ServerKey : ClientKey;
        uint nonceA = _capture.NextRandom();
        uint nonceB = _capture.NextRandom();

        uint receiverToken = token ?? (fromClient ? ServerToken : ClientToken);
        subflow.Send(fromInitiator: true, TcpFlags.Syn, Encode(new MptcpOption(MpJoinOption.Syn(receiverToken, nonceA, addressId, backup: false))));

        ulong hmacB = JoinHmac.SynAckHmac(keyA, keyB, nonceA, nonceB, Version);
        if ((fault & JoinFault.SynAckHmac) != 0)
        {
            hmacB ^= 0x8000_0000_0000_0001;
        }

        subflow.Send(fromInitiator: false, TcpFlags.Syn | TcpFlags.Ack, Encode(new MptcpOption(MpJoinOption.SynAck(hmacB, nonceB, addressId: 0, backup: false))));

        Span<byte> hmacA = stackalloc byte[JoinHmac.AckHmacLength];
        JoinHmac.AckHmac(keyA, keyB, nonceA, nonceB, Version, hmacA);
        if ((fault & JoinFault.AckHmac) != 0)
        {
            hmacA[^1] ^= 0x01;
        }

        subflow.Send(fromInitiator: true, TcpFlags.Ack, Encode(new MptcpOption(MpJoinOption.Ack(Hmac160.FromSpan(hmacA)))));

        // The responder's ACK ends the four-way join; like Linux it carries a Data ACK.
        int responderSide = fromClient ? 1 : 0;
        var dataAck = new DssOption { Flags = DssFlags.DataAckPresent | DssFlags.DataAckIs8Octets, DataAck = _nextDsn[1 - responderSide] };
        subflow.Send(fromInitiator: false, TcpFlags.Ack, Encode(new MptcpOption(dataAck)));
        return subflow;
    }

    /// <summary>
    /// Announces <paramref name="address"/> under <paramref name="addressId"/> with ADD_ADDR on the initial
    /// subflow (with the RFC 8684 §3.4.1 HMAC in v1, wrong when <paramref name="corruptHmac"/>), and (v1) has the
    /// peer echo it unless <paramref name="echo"/> is false. Returns the announcement's frame.
    /// </summary>
    public int AddAddr(bool fromServer, string address, byte addressId, ushort? port = null, bool corruptHmac = false, bool echo = true)
    {
        IpAddressBytes announced = IpAddressBytes.Parse(address);
        AddAddrOption option;
        if (Version == MptcpVersion.V0)
        {
            option = new AddAddrOption { IsVersion0 = true, AddressId = addressId, Address = announced, HasPort = port is not null, Port = port ?? 0 };
        }
        else
        {
            Span<byte> bytes = stackalloc byte[16];
            int n = announced.CopyTo(bytes);
            ulong hmac = AddAddrHmac.Compute(fromServer ? ServerKey : ClientKey, fromServer ? ClientKey : ServerKey, addressId, bytes[..n], port ?? 0);
            option = AddAddrOption.Announce(addressId, announced, port, corruptHmac ? hmac ^ 0x0000_0001_0000_0000 : hmac);
        }

        int frame = Initial.Send(fromInitiator: !fromServer, TcpFlags.Ack, Encode(new MptcpOption(option)));
        if (echo && Version == MptcpVersion.V1)
        {
            // RFC 6824 (v0) has no echo.
            Initial.Send(fromInitiator: fromServer, TcpFlags.Ack, Encode(new MptcpOption(AddAddrOption.EchoOf(addressId, announced, port))));
        }

        return frame;
    }

    /// <summary>Withdraws address IDs with REMOVE_ADDR (RFC 8684 §3.4.2) on the initial subflow; returns the frame.</summary>
    public int RemoveAddr(bool fromServer, params byte[] addressIds) =>
        Initial.Send(fromInitiator: !fromServer, TcpFlags.Ack, Encode(new MptcpOption(new RemoveAddrOption(addressIds))));

    /// <summary>Encodes one MPTCP option to its wire bytes.</summary>
    public static byte[] Encode(MptcpOption option)
    {
        var bytes = new byte[option.EncodedLength];
        option.Encode(bytes);
        return bytes;
    }
}

/// <summary>One TCP subflow of a <see cref="SyntheticConnection"/>: endpoints, interface, and each direction's next sequence number.</summary>
internal sealed class SyntheticSubflow
{
    private readonly SyntheticCapture _capture;
    private readonly uint[] _isn = new uint[2];

    // Next sequence number of each direction: [0] from the initiator, [1] from the responder.
    private readonly uint[] _next = new uint[2];

    internal SyntheticSubflow(SyntheticCapture capture, IPAddress initiator, ushort initiatorPort, IPAddress responder, ushort responderPort, int interfaceIndex, bool initiatorIsClient)
    {
        if (initiator.AddressFamily != responder.AddressFamily)
        {
            throw new ArgumentException($"a subflow runs over one IP version: {initiator} to {responder}");
        }

        _capture = capture;
        InitiatorAddress = initiator;
        InitiatorPort = initiatorPort;
        ResponderAddress = responder;
        ResponderPort = responderPort;
        InterfaceIndex = interfaceIndex;
        InitiatorIsClient = initiatorIsClient;
        _isn[0] = _next[0] = capture.NextRandom();
        _isn[1] = _next[1] = capture.NextRandom();
    }

    /// <summary>The SYN's sender.</summary>
    public IPAddress InitiatorAddress { get; }

    /// <summary>The SYN sender's port.</summary>
    public ushort InitiatorPort { get; }

    /// <summary>The SYN's receiver.</summary>
    public IPAddress ResponderAddress { get; }

    /// <summary>The SYN receiver's port.</summary>
    public ushort ResponderPort { get; }

    /// <summary>The SLL2 interface index its packets are captured on.</summary>
    public int InterfaceIndex { get; }

    /// <summary>True when the connection's client sent the SYN.</summary>
    public bool InitiatorIsClient { get; }

    /// <summary>
    /// Sends one segment with the given flags, options area and payload: the sequence number continues
    /// the direction's byte stream (a SYN starts it at the ISN) and ACK carries what the other side sent.
    /// Returns the frame.
    /// </summary>
    public int Send(bool fromInitiator, TcpFlags flags, ReadOnlySpan<byte> options, ReadOnlySpan<byte> payload = default)
    {
        int me = fromInitiator ? 0 : 1;
        uint sequence = _next[me];
        uint acknowledgment = (flags & TcpFlags.Ack) != 0 ? _next[1 - me] : 0;
        _next[me] += (uint)payload.Length + ((flags & TcpFlags.Syn) != 0 ? 1u : 0u) + ((flags & TcpFlags.Fin) != 0 ? 1u : 0u);
        return _capture.Emit(this, fromInitiator, sequence, acknowledgment, flags, options, payload);
    }

    /// <summary>The sequence number of the direction's next byte, relative to its ISN (1 for the first data byte).</summary>
    internal uint NextRelativeSequence(bool fromInitiator) => _next[fromInitiator ? 0 : 1] - _isn[fromInitiator ? 0 : 1];
}
