using System.Buffers.Binary;
using MptcpPrivacy.Audit.Verification;
using MptcpPrivacy.Privacy.Draft;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Packets;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Audit.Connections;

/// <summary>
/// Rebuilds MPTCP connections from decoded packets, fed in capture order: groups subflows under
/// connections by MP_CAPABLE keys and MP_JOIN tokens, and checks every token, IDSN, HMAC and DSS
/// checksum the packets allow against the keys seen. It knows the two privacy modes by their wire
/// format: the profile's offer and key shares (RFC 6994 options), its sealed ADD_ADDR, and the
/// draft's encrypted ADD_ADDR and per-join tokens, which it undoes with the keys seen.
/// Sans-I/O: it is given packets, never reads.
/// </summary>
public sealed class ConnectionTracker
{
    private readonly DraftTokenSearch _draftTokens;
    private readonly Dictionary<SubflowKey, Subflow> _subflows = [];
    private readonly Dictionary<uint, List<Connection>> _byToken = [];
    private readonly List<string> _notes = [];
    private readonly List<string> _malformed = [];
    private readonly Dictionary<uint, Connection> _byJoinToken = [];
    private readonly List<Connection> _connections = [];
    private readonly List<Subflow> _allSubflows = [];

    /// <summary>Makes a tracker that tries <paramref name="draftTokens"/> (by default <see cref="DraftTokenSearch.Default"/>) on joins whose token matches no key seen.</summary>
    public ConnectionTracker(DraftTokenSearch? draftTokens = null) => _draftTokens = draftTokens ?? DraftTokenSearch.Default;

    /// <summary>Every check made, counted, with the ones that failed.</summary>
    public CheckTally Checks { get; } = new();

    /// <summary>Malformed MPTCP options and options areas, with their frames (the first <see cref="CheckTally.MaxFindings"/>).</summary>
    public IReadOnlyList<string> MalformedOptions => _malformed;

    /// <summary>How many malformed MPTCP options and options areas there were.</summary>
    public long MalformedOptionCount { get; private set; }

    /// <summary>Things worth telling that are not checks, such as two connections whose keys give the same token.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>The connections found, in order of first appearance.</summary>
    public IReadOnlyList<Connection> Connections => _connections;

    /// <summary>Every subflow found, MPTCP or not, in order of first appearance.</summary>
    public IReadOnlyList<Subflow> Subflows => _allSubflows;

    /// <summary>The subflow a packet between these endpoints belongs to, if one was seen.</summary>
    public bool TryGetSubflow(SubflowKey key, out Subflow subflow) => _subflows.TryGetValue(key, out subflow!);

    /// <summary>Takes in one TCP packet.</summary>
    public void Observe(in TcpPacket packet, long frame, long timeNs, int interfaceIndex)
    {
        IpPacket ip = packet.Ip;
        TcpHeader tcp = packet.Tcp;
        var source = new Endpoint(IpAddressBytes.FromSpan(ip.Source), tcp.SourcePort);
        var destination = new Endpoint(IpAddressBytes.FromSpan(ip.Destination), tcp.DestinationPort);
        var key = SubflowKey.Of(source, destination);
        TcpFlags flags = tcp.Flags;
        bool syn = (flags & TcpFlags.Syn) != 0;
        bool ack = (flags & TcpFlags.Ack) != 0;

        _subflows.TryGetValue(key, out Subflow? subflow);
        if (syn && !ack)
        {
            if (subflow is null || subflow.Initiator != source || subflow.InitiatorIsn != tcp.SequenceNumber)
            {
                subflow = OpenSubflow(in tcp, source, destination, frame, timeNs);
                _subflows[key] = subflow;
            }
        }
        else if (subflow is null)
        {
            subflow = new Subflow(source, destination, SubflowRole.Unknown, frame, timeNs);
            _subflows[key] = subflow;
            _allSubflows.Add(subflow);
        }
        else if (syn && subflow.Responder == source)
        {
            AcceptSynAck(subflow, in tcp, frame, timeNs);
        }

        subflow.Saw(frame, timeNs, interfaceIndex);
        bool fromInitiator = subflow.FromInitiator(source);
        if ((flags & TcpFlags.Rst) != 0 && !fromInitiator && subflow.Role == SubflowRole.Join && subflow.ResponderNonce is null)
        {
            // The join's SYN was answered with a reset, not a SYN/ACK: the peer refused the subflow.
            subflow.Role = SubflowRole.FailedJoin;
        }

        TcpOptionReader options = tcp.ReadOptions();
        if (!syn)
        {
            foreach (TcpOption option in options)
            {
                if (option.Kind != TcpOptionKind.Mptcp)
                {
                    if (option.Kind is TcpOptionKind.Experimental1 or TcpOptionKind.Experimental2
                        && subflow.Connection is { } shared && KeyShareOption.TryParse(option.Bytes, out _, out _))
                    {
                        // The profile's key shares ride on pure ACKs after the handshake; they carry no address.
                        shared.KeyShareOptions++;
                    }

                    continue;
                }

                if (MptcpOption.TryParse(option.Bytes, out MptcpOption parsed, out WireError error))
                {
                    OnOption(subflow, in parsed, fromInitiator, source.Address, frame, timeNs);
                }
                else
                {
                    Malformed(frame, $"MPTCP option {Convert.ToHexStringLower(option.Bytes)}: {error}");
                }
            }
        }
        else
        {
            CheckOptionsOfSyn(in tcp, frame);
        }

        if (options.Error != WireError.None)
        {
            Malformed(frame, $"TCP options area: {options.Error}; options after the fault were not read");
        }

        FeedPayload(subflow, in tcp, fromInitiator);
    }

    /// <summary>
    /// Ends the analysis: each side's first data byte is checked against its IDSN (RFC 8684 §3.3:
    /// it is IDSN + 1), mappings whose data never came are counted as unverifiable.
    /// </summary>
    public void Finish()
    {
        foreach (Connection connection in _connections)
        {
            for (int side = 0; side < 2; side++)
            {
                CheckIdsn(connection, side);
            }
        }

        foreach (Subflow subflow in _allSubflows)
        {
            if (subflow.Role == SubflowRole.Join && subflow.ResponderNonce is null)
            {
                // A join SYN never answered with MP_JOIN by the end of the capture did not join.
                subflow.Role = SubflowRole.FailedJoin;
            }

            subflow.Mappings[0]?.Finish(Checks);
            subflow.Mappings[1]?.Finish(Checks);
        }
    }

    private void LearnedKey(Connection connection, Subflow subflow, bool fromClient, long frame, long timeNs)
    {
        if (connection.KeyFrame == 0)
        {
            connection.KeyFrame = frame;
            connection.Record(new ConnectionEvent(ConnectionEventKind.KeysSeen, frame, timeNs, subflow, fromClient,
                (fromClient ? subflow.Initiator : subflow.Responder).Address));
        }

        Index(connection);
    }

    private Subflow OpenSubflow(in TcpHeader tcp, Endpoint source, Endpoint destination, long frame, long timeNs)
    {
        var subflow = new Subflow(source, destination, SubflowRole.PlainTcp, frame, timeNs) { InitiatorIsn = tcp.SequenceNumber };
        _allSubflows.Add(subflow);
        foreach (MptcpOption parsed in new MptcpOptionReader(tcp.ReadOptions()))
        {
            if (parsed.Subtype == MptcpSubtype.MpCapable)
            {
                MpCapableOption capable = parsed.MpCapable;
                var connection = new Connection(_connections.Count + 1, capable.Version == 0 ? MptcpVersion.V0 : MptcpVersion.V1);
                connection.ChecksumsRequired = (capable.Flags & MpCapableFlags.ChecksumRequired) != 0;
                connection.SynOffer = ProfileOffer(in tcp);
                if (capable.HasSenderKey)
                {
                    connection.LearnClientKey(capable.SenderKey);
                    LearnedKey(connection, subflow, fromClient: true, frame, timeNs);
                }

                _connections.Add(connection);
                connection.Add(subflow);
                subflow.Connection = connection;
                subflow.Role = SubflowRole.Initial;
                subflow.Grouping = SubflowGrouping.MpCapable;
                subflow.GroupingFrame = frame;
            }
            else if (parsed.Subtype == MptcpSubtype.MpJoin && parsed.MpJoin.Form == MpJoinForm.Syn)
            {
                MpJoinOption join = parsed.MpJoin;
                subflow.Role = SubflowRole.Join;
                subflow.JoinToken = join.ReceiverToken;
                subflow.InitiatorNonce = join.SenderNonce;
                subflow.InitiatorAddressId = join.AddressId;
                if (_byToken.TryGetValue(join.ReceiverToken, out List<Connection>? candidates))
                {
                    // Several connections can own one token (keys of different hosts, or a reused key):
                    // take the newest for now; the SYN/ACK's HMAC settles it (see ResolveCollision).
                    Connection connection = candidates[^1];
                    if (candidates.Count > 1)
                    {
                        subflow.TokenCandidates = candidates.ToArray();
                        Note($"frame {FrameRef.Frame(frame)}: the MP_JOIN token {join.ReceiverToken:x8} is the token of keys of connections {string.Join(", ", candidates.Select(c => c.Id))}; the join's HMAC decides which");
                    }

                    Checks.Valid(CheckKind.JoinToken);
                    subflow.Connection = connection;
                    // A join towards the server carries the server's token: its initiator is the client side.
                    subflow.InitiatorIsClient = connection.ServerToken == join.ReceiverToken;
                    subflow.Grouping = SubflowGrouping.TokenOfSeenKey;
                    subflow.GroupingFrame = connection.KeyFrame;
                    connection.Add(subflow);
                    connection.Record(new ConnectionEvent(ConnectionEventKind.Join, frame, timeNs, subflow, subflow.InitiatorIsClient, source.Address) { AddressId = join.AddressId });
                }
                else
                {
                    Connection? connection;
                    Checks.Record(frame, CheckKind.JoinToken, CheckStatus.Unverifiable, $"token {join.ReceiverToken:x8} is not the token of any key seen in MP_CAPABLE");
                    if (TryDraftToken(join.ReceiverToken, source, out connection, out bool towardServer, out string how))
                    {
                        subflow.Connection = connection;
                        subflow.InitiatorIsClient = towardServer;
                        subflow.Grouping = SubflowGrouping.DraftJoinToken;
                        subflow.GroupingFrame = connection.KeyFrame;
                        subflow.DraftTokenMatch = $"the MP_JOIN token {join.ReceiverToken:x8} is the draft's token of the {(towardServer ? "server" : "client")}'s key, {how}";
                        Note($"frame {FrameRef.Frame(frame)}: {subflow.DraftTokenMatch}: the join belongs to connection {connection.Id}");
                        connection.Add(subflow);
                        connection.Record(new ConnectionEvent(ConnectionEventKind.Join, frame, timeNs, subflow, towardServer, source.Address) { AddressId = join.AddressId });
                        continue;
                    }

                    if (_byJoinToken.TryGetValue(join.ReceiverToken, out connection))
                    {
                        // No key seen, but an earlier join carried the same token: the same connection.
                        subflow.Grouping = SubflowGrouping.EqualJoinToken;
                        subflow.GroupingFrame = connection.Subflows[0].FirstFrame;
                    }
                    else
                    {
                        connection = new Connection(_connections.Count + 1, MptcpVersion.V1, fromJoinsOnly: true) { JoinToken = join.ReceiverToken };
                        _connections.Add(connection);
                        _byJoinToken[join.ReceiverToken] = connection;
                    }

                    // Which side the joiner is stays unknown without keys; the joiner is taken as the client.
                    subflow.Connection = connection!;
                    connection!.Add(subflow);
                    connection.Record(new ConnectionEvent(ConnectionEventKind.Join, frame, timeNs, subflow, subflow.InitiatorIsClient, source.Address) { AddressId = join.AddressId });
                }
            }
        }

        return subflow;
    }

    private void AcceptSynAck(Subflow subflow, in TcpHeader tcp, long frame, long timeNs)
    {
        subflow.ResponderIsn = tcp.SequenceNumber;
        bool sawCapable = false;
        if (subflow.Role == SubflowRole.Initial && subflow.Connection is { } initial)
        {
            initial.SynAckSeen = true;
            initial.SynAckOffer = ProfileOffer(in tcp);
        }

        bool sawJoin = false;
        Span<byte> wire = stackalloc byte[8];
        foreach (MptcpOption parsed in new MptcpOptionReader(tcp.ReadOptions()))
        {
            if (parsed.Subtype == MptcpSubtype.MpCapable && subflow.Role == SubflowRole.Initial && subflow.Connection is { } connection)
            {
                sawCapable = true;
                MpCapableOption capable = parsed.MpCapable;
                connection.ChecksumsRequired |= (capable.Flags & MpCapableFlags.ChecksumRequired) != 0;
                if (capable.HasSenderKey)
                {
                    connection.LearnServerKey(capable.SenderKey);
                    LearnedKey(connection, subflow, fromClient: false, frame, timeNs);
                }
            }
            else if (parsed.Subtype == MptcpSubtype.MpJoin && parsed.MpJoin.Form == MpJoinForm.SynAck && subflow.Role == SubflowRole.Join)
            {
                sawJoin = true;
                MpJoinOption join = parsed.MpJoin;
                subflow.ResponderNonce = join.SenderNonce;
                subflow.ResponderAddressId = join.AddressId;
                BinaryPrimitives.WriteUInt64BigEndian(wire, join.TruncatedHmac);
                ResolveCollision(subflow, wire, frame);
                CheckJoinHmac(subflow, frame, CheckKind.JoinSynAckHmac, wire);
            }
        }

        if (subflow.Role == SubflowRole.Initial && !sawCapable)
        {
            subflow.Role = SubflowRole.Fallback;
        }
        else if (subflow.Role == SubflowRole.Join && !sawJoin)
        {
            subflow.Role = SubflowRole.FailedJoin;
        }
    }

    private void OnOption(Subflow subflow, in MptcpOption option, bool fromInitiator, IpAddressBytes sender, long frame, long timeNs)
    {
        Connection? connection = subflow.Connection;
        if (connection is null)
        {
            RecordUnverifiable(in option, frame, "the subflow's connection is not known: its handshake was not captured");
            return;
        }

        bool senderIsClient = fromInitiator == subflow.InitiatorIsClient;
        switch (option.Subtype)
        {
            case MptcpSubtype.MpCapable when subflow.Role == SubflowRole.Initial:
            {
                MpCapableOption capable = option.MpCapable;
                if (capable.HasReceiverKey && fromInitiator)
                {
                    // The third ACK (and the first data) carry the client's key first.
                    connection.LearnClientKey(capable.SenderKey);
                    connection.LearnServerKey(capable.ReceiverKey);
                    LearnedKey(connection, subflow, fromClient: true, frame, timeNs);
                }

                if (capable.HasDataLevelLength && fromInitiator && connection.ClientIdsn is { } first)
                {
                    // RFC 8684 §3.1: the data of the fourth packet starts at the client's IDSN + 1, implicitly.
                    connection.FirstDsn[0] = (first + 1, frame);
                }

                if (capable.HasChecksum && connection.ClientIdsn is { } idsn && subflow.InitiatorIsn is not null)
                {
                    // RFC 8684 §3.1: the data of the fourth packet starts at DSN IDSN + 1 and SSN 1.
                    Assembler(subflow, fromInitiator).Add(frame, idsn + 1, 1, capable.DataLevelLength, capable.Checksum, capable.DataLevelLength, Checks);
                }

                break;
            }

            case MptcpSubtype.MpJoin when option.MpJoin.Form == MpJoinForm.Ack && fromInitiator && subflow.Role == SubflowRole.Join:
            {
                Span<byte> wire = stackalloc byte[Hmac160.Length];
                option.MpJoin.Hmac.CopyTo(wire);
                CheckJoinHmac(subflow, frame, CheckKind.JoinAckHmac, wire);
                break;
            }

            case MptcpSubtype.Dss:
                OnDss(subflow, connection, option.Dss, fromInitiator, senderIsClient, frame);
                break;

            case MptcpSubtype.AddAddr:
            {
                AddAddrOption addAddr = option.AddAddr;
                (CheckStatus? hmac, AddAddrReading reading, IpAddressBytes? address, ushort? port) = ReadAddAddr(connection, addAddr, senderIsClient, frame);
                var e = new ConnectionEvent(ConnectionEventKind.AddAddr, frame, timeNs, subflow, senderIsClient, sender)
                {
                    AddressId = addAddr.AddressId,
                    Address = address,
                    WireAddress = addAddr.Address,
                    WirePort = addAddr.HasPort ? addAddr.Port : null,
                    Port = port,
                    Echo = addAddr.Echo,
                    Hmac = hmac,
                    Reading = reading,
                };
                connection.Record(e);
                if (!addAddr.Echo)
                {
                    connection.Announcements[(senderIsClient, addAddr.AddressId, addAddr.Address)] = e;
                }

                break;
            }

            case MptcpSubtype.RemoveAddr:
            {
                RemoveAddrOption remove = option.RemoveAddr;
                byte[] ids = new byte[remove.Count];
                remove.CopyAddressIdsTo(ids);
                connection.Record(new ConnectionEvent(ConnectionEventKind.RemoveAddr, frame, timeNs, subflow, senderIsClient, sender) { RemovedIds = ids });
                break;
            }

            case MptcpSubtype.MpPrio:
                connection.Record(new ConnectionEvent(ConnectionEventKind.MpPrio, frame, timeNs, subflow, senderIsClient, sender)
                {
                    Detail = option.MpPrio.Backup ? "backup" : "regular",
                });
                break;

            case MptcpSubtype.MpTcpRst:
                connection.Record(new ConnectionEvent(ConnectionEventKind.TcpRst, frame, timeNs, subflow, senderIsClient, sender)
                {
                    Detail = MpTcpRstOption.Describe(option.MpTcpRst.Reason),
                });
                break;

            case MptcpSubtype.MpFastClose:
            {
                connection.Record(new ConnectionEvent(ConnectionEventKind.FastClose, frame, timeNs, subflow, senderIsClient, sender));
                ulong? receiverKey = connection.KeyOf(!senderIsClient);
                if (receiverKey is null)
                {
                    Checks.Record(frame, CheckKind.FastCloseKey, CheckStatus.Unverifiable, "the receiver's key was not captured");
                }
                else if (receiverKey == option.MpFastClose.ReceiverKey)
                {
                    Checks.Valid(CheckKind.FastCloseKey);
                }
                else
                {
                    Checks.Record(frame, CheckKind.FastCloseKey, CheckStatus.Invalid, $"key {option.MpFastClose.ReceiverKey:x16} is not the receiver's key {receiverKey:x16}");
                }

                break;
            }
        }
    }

    /// <summary>
    /// RFC 8684 §3.3: a side's data starts at its IDSN + 1, which its peer's first Data ACK also
    /// names. Either showing it proves the IDSN; a lowest DSN a little above it means the start of
    /// the data was not captured; anything else contradicts the key.
    /// </summary>
    private void CheckIdsn(Connection connection, int side)
    {
        if (connection.IdsnOf(side == 0) is not { } idsn || (connection.FirstDsn[side] is null && connection.LowestAck[side] is null))
        {
            return;
        }

        ulong expected = idsn + 1;
        (ulong Dsn, long Frame)? first = connection.FirstDsn[side];
        (ulong Ack, long Frame)? ack = connection.LowestAck[side];
        if (first?.Dsn == expected || ack?.Ack == expected)
        {
            Checks.Valid(CheckKind.Idsn);
            return;
        }

        string who = side == 0 ? "client" : "server";
        ulong lowest = first?.Dsn ?? ack!.Value.Ack;
        long frame = first?.Frame ?? ack!.Value.Frame;
        if (lowest > expected && lowest - expected < 1UL << 31)
        {
            Checks.Record(frame, CheckKind.Idsn, CheckStatus.Unverifiable, $"the start of the {who}'s data was not captured (lowest DSN {lowest} is past IDSN + 1 = {expected})");
        }
        else
        {
            Checks.Record(frame, CheckKind.Idsn, CheckStatus.Invalid, $"the {who}'s data sequence numbers ({lowest}) do not start at IDSN + 1 = {expected}");
        }
    }

    private void RecordUnverifiable(in MptcpOption option, long frame, string why)
    {
        switch (option.Subtype)
        {
            case MptcpSubtype.Dss when option.Dss.HasChecksum:
                Checks.Record(frame, CheckKind.DssChecksum, CheckStatus.Unverifiable, why);
                break;
            case MptcpSubtype.AddAddr when option.AddAddr.HasHmac:
                Checks.Record(frame, CheckKind.AddAddrHmac, CheckStatus.Unverifiable, why);
                break;
            case MptcpSubtype.MpJoin when option.MpJoin.Form == MpJoinForm.Ack:
                Checks.Record(frame, CheckKind.JoinAckHmac, CheckStatus.Unverifiable, why);
                break;
            case MptcpSubtype.MpFastClose:
                Checks.Record(frame, CheckKind.FastCloseKey, CheckStatus.Unverifiable, why);
                break;
        }
    }

    private void OnDss(Subflow subflow, Connection connection, DssOption dss, bool fromInitiator, bool senderIsClient, long frame)
    {
        if (dss.HasDataAck)
        {
            // The Data ACK tells what the peer's data stream has reached; its lowest is the peer's IDSN + 1.
            int acked = senderIsClient ? 1 : 0;
            ulong? peerStart = connection.IdsnOf(acked == 0) + 1;
            ulong? ack64 = dss.DataAckIs64Bit ? dss.DataAck : peerStart is { } p ? Widen((uint)dss.DataAck, p) : null;
            if (ack64 is { } a && (connection.LowestAck[acked] is not { } lowestAck || a < lowestAck.Ack))
            {
                connection.LowestAck[acked] = (a, frame);
            }

            int direction = fromInitiator ? 0 : 1;
            subflow.DataAcks[direction] = subflow.DataAcks[direction] is { } seen && seen.Is64 == dss.DataAckIs64Bit
                ? seen.Extend(dss.DataAck)
                : DataAckRange.Of(dss.DataAck, dss.DataAckIs64Bit);
        }

        if (!dss.HasMapping)
        {
            return;
        }

        int side = senderIsClient ? 0 : 1;
        ulong? idsn = connection.IdsnOf(senderIsClient);
        ulong? reference = connection.LastDsn[side] ?? (idsn + 1);
        ulong? dsn = dss.DsnIs64Bit ? dss.DataSequenceNumber : reference is { } r ? Widen((uint)dss.DataSequenceNumber, r) : null;
        if (dsn is { } known)
        {
            connection.LastDsn[side] = known;
        }

        if (dsn is { } mapped && dss.DataLevelLength > 0 && (connection.FirstDsn[side] is not { } first || mapped < first.Dsn))
        {
            // The lowest DSN a side maps is its first data byte, whichever subflow carried it.
            connection.FirstDsn[side] = (mapped, frame);
        }

        if (!dss.HasChecksum)
        {
            return;
        }

        uint? isn = fromInitiator ? subflow.InitiatorIsn : subflow.ResponderIsn;
        if (dsn is null || isn is null)
        {
            Checks.Record(frame, CheckKind.DssChecksum, CheckStatus.Unverifiable, dsn is null ? "the sender's key was not captured (32-bit DSN cannot be widened)" : "the subflow's handshake was not captured");
            return;
        }

        // A DATA_FIN takes one octet of data-level length and no subflow octet (RFC 8684 §3.3.3).
        int subflowBytes = dss.DataFin ? dss.DataLevelLength - 1 : dss.DataLevelLength;
        if (dss.DataFin && dss.SubflowSequenceNumber == 0)
        {
            subflowBytes = 0;
        }

        Assembler(subflow, fromInitiator).Add(frame, dsn.Value, dss.SubflowSequenceNumber, dss.DataLevelLength, dss.Checksum, Math.Max(subflowBytes, 0), Checks);
    }

    /// <summary>
    /// Checks an ADD_ADDR and decides what its address field says. RFC 8684 §3.4.1's HMAC verified:
    /// read. No keys: read but unverified, unless the connection runs the privacy profile (then
    /// sealed). HMAC failed: the draft's decryption is tried with the keys seen (its HMAC covers the
    /// plaintext); if that fails too, or the connection is hardened, the option is sealed and its
    /// bytes are not an address. An echo (no HMAC) takes the reading of the announcement it repeats.
    /// </summary>
    private (CheckStatus? Hmac, AddAddrReading Reading, IpAddressBytes? Address, ushort? Port) ReadAddAddr(
        Connection connection, AddAddrOption addAddr, bool senderIsClient, long frame)
    {
        bool hardened = connection.Privacy == ConnectionPrivacy.Hardened;
        ushort? wirePort = addAddr.HasPort ? addAddr.Port : null;
        if (!addAddr.HasHmac)
        {
            if (addAddr.Echo && connection.Announcements.TryGetValue((!senderIsClient, addAddr.AddressId, addAddr.Address), out ConnectionEvent? announced))
            {
                return (null, announced.Reading ?? AddAddrReading.Unverified, announced.Address, announced.Port);
            }

            return hardened ? (null, AddAddrReading.Sealed, null, null) : (null, AddAddrReading.Unverified, addAddr.Address, wirePort);
        }

        ulong? senderKey = connection.KeyOf(senderIsClient);
        ulong? receiverKey = connection.KeyOf(!senderIsClient);
        if (senderKey is null || receiverKey is null)
        {
            Checks.Record(frame, CheckKind.AddAddrHmac, CheckStatus.Unverifiable,
                hardened ? "sealed ADD_ADDR of a privacy-profile connection, and the keys were not captured" : "the keys were not captured");
            return hardened
                ? (CheckStatus.Unverifiable, AddAddrReading.Sealed, null, null)
                : (CheckStatus.Unverifiable, AddAddrReading.Unverified, addAddr.Address, wirePort);
        }

        if (CheckAddAddrHmac(addAddr, senderKey.Value, receiverKey.Value, frame, out ulong expected) is { } status)
        {
            return (status, AddAddrReading.Verified, addAddr.Address, wirePort);
        }

        if (hardened)
        {
            Checks.Record(frame, CheckKind.AddAddrHmac, CheckStatus.Unverifiable,
                "sealed ADD_ADDR of a privacy-profile connection: its HMAC slot is a tag under keys no observer has");
            return (CheckStatus.Unverifiable, AddAddrReading.Sealed, null, null);
        }

        if (DraftAddAddr.TryOpen(senderKey.Value, receiverKey.Value, addAddr, out IpAddressBytes plain, out ushort? port))
        {
            Checks.Record(frame, CheckKind.AddAddrHmac, CheckStatus.Invalid,
                $"HMAC does not verify over the address as sent ({addAddr.Address}) but over its decryption as the draft's ADD_ADDR with the keys seen ({plain})");
            return (CheckStatus.Invalid, AddAddrReading.DraftDecrypted, plain, port);
        }

        Checks.Record(frame, CheckKind.AddAddrHmac, CheckStatus.Invalid,
            $"HMAC {addAddr.TruncatedHmac:x16} is not {expected:x16}, nor does it verify over the draft's decryption: the address is unreadable");
        return (CheckStatus.Invalid, AddAddrReading.Sealed, null, null);
    }

    /// <summary>
    /// RFC 8684 §3.4.1's HMAC of an ADD_ADDR: Valid, or Invalid (recorded) for Linux's pre-2020
    /// leftmost truncation, whose address is still readable; null, with the HMAC the address as sent
    /// would have, when neither verifies.
    /// </summary>
    private CheckStatus? CheckAddAddrHmac(AddAddrOption addAddr, ulong senderKey, ulong receiverKey, long frame, out ulong expected)
    {
        Span<byte> address = stackalloc byte[16];
        address = address[..addAddr.Address.CopyTo(address)];
        Span<byte> wire = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(wire, addAddr.TruncatedHmac);
        ushort port = addAddr.HasPort ? addAddr.Port : (ushort)0;
        expected = 0;
        if (AddAddrHmac.IsValid(senderKey, receiverKey, addAddr.AddressId, address, port, wire))
        {
            Checks.Valid(CheckKind.AddAddrHmac);
            return CheckStatus.Valid;
        }

        if (AddAddrHmac.IsLeftmost64PreFixKernel(senderKey, receiverKey, addAddr.AddressId, address, port, wire))
        {
            Checks.Record(frame, CheckKind.AddAddrHmac, CheckStatus.Invalid,
                "HMAC is the leftmost 64 bits, as Linux sent before its 2020 fix; RFC 8684 §3.4.1 takes the rightmost 64 bits");
            return CheckStatus.Invalid;
        }

        expected = AddAddrHmac.Compute(senderKey, receiverKey, addAddr.AddressId, address, port);
        return null;
    }

    /// <summary>Moves a join whose token several connections own to the one whose keys its SYN/ACK HMAC verifies with.</summary>
    private void ResolveCollision(Subflow subflow, ReadOnlySpan<byte> wire, long frame)
    {
        if (subflow.TokenCandidates is not { } candidates || subflow.InitiatorNonce is not { } nonceA || subflow.ResponderNonce is not { } nonceB)
        {
            return;
        }

        subflow.TokenCandidates = null;
        foreach (Connection candidate in candidates)
        {
            bool initiatorIsClient = candidate.ServerToken == subflow.JoinToken;
            if (candidate.KeyOf(initiatorIsClient) is { } keyA && candidate.KeyOf(!initiatorIsClient) is { } keyB
                && JoinHmac.IsSynAckHmacValid(keyA, keyB, nonceA, nonceB, candidate.Version, wire))
            {
                if (!ReferenceEquals(candidate, subflow.Connection))
                {
                    subflow.Connection!.Move(subflow, candidate);
                    subflow.Connection = candidate;
                    subflow.InitiatorIsClient = initiatorIsClient;
                    subflow.GroupingFrame = candidate.KeyFrame;
                }

                Note($"frame {FrameRef.Frame(frame)}: the join's HMAC verifies with the keys of connection {candidate.Id}: the join belongs there");
                return;
            }
        }

        Note($"frame {FrameRef.Frame(frame)}: the join's HMAC verifies with the keys of none of the connections that own its token");
    }

    /// <summary>The privacy profile's offer among a SYN's or SYN/ACK's options (docs/design/privacy-profile.md §1), if any.</summary>
    private static ProfileOfferFlags? ProfileOffer(in TcpHeader tcp)
    {
        foreach (TcpOption option in tcp.ReadOptions())
        {
            if (option.Kind is TcpOptionKind.Experimental1 or TcpOptionKind.Experimental2
                && ProfileOfferOption.TryParse(option.Bytes, out ProfileOfferOption offer, out _))
            {
                return offer.Flags;
            }
        }

        return null;
    }

    /// <summary>
    /// Tries the draft's per-join token readings with every key seen (the draft has no negotiation,
    /// so every connection not running the profile is a candidate); the first match names the
    /// connection and whether the join goes toward the server (the token came from the server's key).
    /// </summary>
    private bool TryDraftToken(uint token, Endpoint source, out Connection connection, out bool towardServer, out string how)
    {
        if (!_draftTokens.IsEmpty)
        {
            foreach (Connection candidate in _connections)
            {
                if (candidate.FromJoinsOnly || candidate.Privacy == ConnectionPrivacy.Hardened)
                {
                    continue;
                }

                foreach (bool server in (ReadOnlySpan<bool>)[true, false])
                {
                    // A join toward a host carries a token from that host's key (the receiver's).
                    if (candidate.KeyOf(client: !server) is { } key && _draftTokens.Matches(token, key, source, out how))
                    {
                        connection = candidate;
                        towardServer = server;
                        return true;
                    }
                }
            }
        }

        connection = null!;
        towardServer = false;
        how = "";
        return false;
    }

    private void Malformed(long frame, string what)
    {
        if (++MalformedOptionCount <= CheckTally.MaxFindings)
        {
            _malformed.Add($"frame {FrameRef.Frame(frame)} (TCP options): {what}");
        }
    }

    private void CheckOptionsOfSyn(in TcpHeader tcp, long frame)
    {
        foreach (TcpOption option in tcp.ReadOptions())
        {
            if (option.Kind == TcpOptionKind.Mptcp && !MptcpOption.TryParse(option.Bytes, out _, out WireError error))
            {
                Malformed(frame, $"MPTCP option {Convert.ToHexStringLower(option.Bytes)}: {error}");
            }
        }
    }

    private void Note(string note)
    {
        if (_notes.Count < CheckTally.MaxFindings)
        {
            _notes.Add(note);
        }
    }

    private void CheckJoinHmac(Subflow subflow, long frame, CheckKind kind, ReadOnlySpan<byte> wire)
    {
        Connection? connection = subflow.Connection;
        ulong? keyA = connection?.KeyOf(subflow.InitiatorIsClient);
        ulong? keyB = connection?.KeyOf(!subflow.InitiatorIsClient);
        if (connection is null || keyA is null || keyB is null || subflow.InitiatorNonce is null || subflow.ResponderNonce is null)
        {
            Checks.Record(frame, kind, CheckStatus.Unverifiable, "keys or nonces of this join were not captured");
            SetJoinHmac(subflow, kind, CheckStatus.Unverifiable);
            return;
        }

        bool valid = kind == CheckKind.JoinSynAckHmac
            ? JoinHmac.IsSynAckHmacValid(keyA.Value, keyB.Value, subflow.InitiatorNonce.Value, subflow.ResponderNonce.Value, connection.Version, wire)
            : JoinHmac.IsAckHmacValid(keyA.Value, keyB.Value, subflow.InitiatorNonce.Value, subflow.ResponderNonce.Value, connection.Version, wire);
        if (valid)
        {
            Checks.Valid(kind);
        }
        else
        {
            Checks.Record(frame, kind, CheckStatus.Invalid, $"HMAC {Convert.ToHexStringLower(wire)} does not verify with the connection's keys");
        }

        SetJoinHmac(subflow, kind, valid ? CheckStatus.Valid : CheckStatus.Invalid);
    }

    private static void SetJoinHmac(Subflow subflow, CheckKind kind, CheckStatus status)
    {
        if (kind == CheckKind.JoinSynAckHmac)
        {
            subflow.SynAckHmac = status;
        }
        else
        {
            subflow.AckHmac = status;
        }
    }

    private void FeedPayload(Subflow subflow, in TcpHeader tcp, bool fromInitiator)
    {
        MappingAssembler? assembler = subflow.Mappings[fromInitiator ? 0 : 1];
        uint? isn = fromInitiator ? subflow.InitiatorIsn : subflow.ResponderIsn;
        if (assembler is not null && isn is { } start && !tcp.Payload.IsEmpty)
        {
            assembler.Feed(tcp.SequenceNumber - start, tcp.Payload, Checks);
        }
    }

    private MappingAssembler Assembler(Subflow subflow, bool fromInitiator) =>
        subflow.Mappings[fromInitiator ? 0 : 1] ??= new MappingAssembler();

    private void Index(Connection connection)
    {
        if (connection.ClientToken is { } c) IndexToken(c, connection);
        if (connection.ServerToken is { } s) IndexToken(s, connection);
    }

    private void IndexToken(uint token, Connection connection)
    {
        if (!_byToken.TryGetValue(token, out List<Connection>? owners))
        {
            _byToken[token] = [connection];
        }
        else if (!owners.Contains(connection))
        {
            owners.Add(connection);
            Note($"token {token:x8} collides: connections {string.Join(", ", owners.Select(o => o.Id))} have keys that give it");
        }
    }

    /// <summary>The 64-bit value whose low 32 bits are <paramref name="low"/> nearest to <paramref name="reference"/>.</summary>
    internal static ulong Widen(uint low, ulong reference)
    {
        ulong candidate = (reference & 0xFFFF_FFFF_0000_0000UL) | low;
        long delta = unchecked((long)(candidate - reference));
        if (delta > int.MaxValue && candidate >= 0x1_0000_0000UL) candidate -= 0x1_0000_0000UL;
        else if (delta < int.MinValue) candidate += 0x1_0000_0000UL;
        return candidate;
    }
}
