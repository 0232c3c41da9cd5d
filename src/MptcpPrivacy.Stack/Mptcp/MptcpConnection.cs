using MptcpPrivacy.Stack.Congestion;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Stack.Mptcp.Scheduling;
using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Mptcp;

/// <summary>Where an MPTCP connection stands as a whole.</summary>
public enum MptcpConnectionState
{
    /// <summary>The first subflow's handshake is under way.</summary>
    Connecting,

    /// <summary>Data can flow.</summary>
    Established,

    /// <summary>Both DATA_FINs are exchanged (or the fallback connection is closing); subflows are closing.</summary>
    Closing,

    /// <summary>Closed: normally, by reset, or by MP_FASTCLOSE.</summary>
    Closed,
}

/// <summary>
/// One MPTCP connection (RFC 8684), sans-I/O: the data level above its subflows. It keeps the data
/// sequence space in both directions, hands data to subflows through a scheduler with one DSS
/// mapping per segment, reassembles what arrives from every subflow, reinjects data from failed
/// subflows, and runs the key exchange, joins, address signalling, fast close and fallback.
/// The host (<see cref="MptcpEndpoint"/>) feeds it segments and polls it; it never reads a clock.
/// </summary>
/// <remarks>
/// Which subflows to open or accept and which addresses to announce or withdraw is decided by its
/// <see cref="PathManager"/>, made when the keys are exchanged; the connection reports path events
/// to it and carries out the <see cref="PathAction"/>s it returns.
/// </remarks>
public sealed class MptcpConnection
{
    private readonly MptcpEndpoint _endpoint;
    private readonly MptcpOptions _options;
    private readonly List<MptcpSubflow> _subflows = [];
    private readonly List<MptcpEvent> _events = [];
    private readonly Queue<(DataSeqNum Dsn, int Length)> _reinject = new();

    // The data-level retransmission timer (as Linux's, RFC 8684 §3.3.6): when the Data ACK stands
    // still while no subflow holds unacknowledged bytes, nothing at the TCP level will ever resend
    // what the peer is missing (Linux drops data past the MPTCP window it last sent after TCP has
    // acknowledged it, MPTcpExtNoDSSInWindow), so the head of the unacknowledged data goes out
    // again. Backs off like an RTO.
    private TimeSpan? _dataRetransmitDeadline;
    private int _dataRetransmitBackoff;

    // Bytes of the head range of _reinject already sent again (a range is cut to the chosen subflow's segment size).
    private int _reinjectHeadSent;

    // The peer's IDSN + 1: where its data starts, and the implicit DSN of MP_CAPABLE's data (RFC 8684 §3.1).
    private DataSeqNum _peerFirstDsn;
    private readonly List<Announcement> _announcements = [];
    private readonly List<(byte Id, IpAddressBytes Address, ushort? Port)> _echoes = [];
    private readonly List<byte> _removals = [];
    private readonly byte[] _scratch = new byte[65536];
    private readonly ByteRing _sendBuffer;
    private DataReassembly? _reassembly;
    private DataSeqNum _dataUna;
    private DataSeqNum _dataNxt;
    private DataSeqNum _peerEdge;
    private DataSeqNum? _dataFin;
    private bool _dataFinAcked;
    private TimeSpan? _dataFinDeadline;
    private DataSeqNum? _peerFinDsn;
    private int _pollCursor;
    private int _lastAdvertisedWindow;
    private IPathManager? _pathManager;
    private bool _fullyEstablished;
    private bool _fullyEstablishedWaitsForPrivacy;
    private readonly List<PathAction> _waitingForPrivacy = [];
    private TimeSpan? _splitDeadline;
    private TimeSpan? _fullyEstablishedDeadline;
    private bool _peerConfirmedKeys;
    private (MptcpSubflow Subflow, DataSeqNum Dsn)? _pendingFail;
    private readonly CoupledCongestionGroup _congestionGroup = new();
    private SubflowSchedulingState[] _schedulingStates = new SubflowSchedulingState[4];

    internal MptcpConnection(MptcpEndpoint endpoint, MptcpOptions options, bool isClient)
    {
        _endpoint = endpoint;
        _options = options;
        DeliverMapped = DeliverData;
        IsClient = isClient;
        _sendBuffer = new ByteRing(options.SendBufferSize);
        IsFallback = !options.Enabled;
        Privacy = WirePrivacy.Create(this, options.Privacy, endpoint.Random);
    }

    /// <summary>Raised for every event, as it happens.</summary>
    public event Action<MptcpConnection, MptcpEvent>? EventRaised;

    /// <summary>Gets whether this host opened the connection.</summary>
    public bool IsClient { get; }

    /// <summary>Gets the connection's state.</summary>
    public MptcpConnectionState State { get; private set; }

    /// <summary>Gets this host's key, token and IDSN.</summary>
    public LocalKey LocalKey { get; private set; }

    /// <summary>Gets the peer's key (valid once <see cref="HasRemoteKey"/>).</summary>
    public ulong RemoteKey { get; private set; }

    /// <summary>Gets whether the peer's key is known.</summary>
    public bool HasRemoteKey { get; private set; }

    /// <summary>Gets the peer's token, which this host's joins carry.</summary>
    public uint RemoteToken { get; private set; }

    /// <summary>Gets whether DSS checksums are in use (RFC 8684 §3.3.1).</summary>
    public bool Checksums { get; private set; }

    /// <summary>Gets the wire privacy mode the connection runs: a profile offer the peer did not accept runs <see cref="PrivacyMode.Standard"/>.</summary>
    public PrivacyMode PrivacyMode => Privacy.Mode;

    /// <summary>Gets whether the connection runs as plain TCP (RFC 8684 §3.7).</summary>
    public bool IsFallback { get; private set; }

    /// <summary>Gets every subflow, open or closed, in the order they were made.</summary>
    public IReadOnlyList<MptcpSubflow> Subflows => _subflows;

    /// <summary>Gets every event so far, in order.</summary>
    public IReadOnlyList<MptcpEvent> Events => _events;

    /// <summary>Gets what was refused or noticed.</summary>
    public MptcpCounters Counters { get; } = new();

    /// <summary>
    /// Gets the connection's path manager: a <see cref="KernelPathManager"/> over the host's
    /// endpoints and <see cref="MptcpOptions.PathManagerLimits"/>, made when the keys are exchanged
    /// (null before, and for a connection that never used MPTCP).
    /// </summary>
    public IPathManager? PathManager => _pathManager;

    /// <summary>Gets the bytes ready for <see cref="Read"/>.</summary>
    public int Readable => _reassembly?.Readable ?? 0;

    /// <summary>Gets whether the peer has closed its direction and every byte before its DATA_FIN was read.</summary>
    public bool ReadCompleted => PeerFinished && Readable == 0;

    /// <summary>Gets the room left in the send buffer.</summary>
    public int WriteSpace => _sendBuffer.Free;

    /// <summary>Gets the bytes written and not yet acknowledged at the data level.</summary>
    public int Unacknowledged => _sendBuffer.Count;

    /// <summary>Gets whether the peer's DATA_FIN (or FIN, after fallback) has arrived in order.</summary>
    public bool PeerFinished { get; private set; }

    /// <summary>Gets the data sequence number of the oldest byte not acknowledged by the peer.</summary>
    public DataSeqNum DataUnacknowledged => _dataUna;

    /// <summary>Gets the earliest time the connection wants <see cref="MptcpEndpoint.PollTransmit"/> called, or null.</summary>
    public TimeSpan? NextDeadline
    {
        get
        {
            TimeSpan? earliest = Min(Min(Min(Min(_dataFinDeadline, _fullyEstablished ? null : _fullyEstablishedDeadline), _dataRetransmitDeadline), Privacy.NextDeadline), SplitPending ? _splitDeadline : null);
            // Only while path events go to it: a policy's deadline left over when the connection
            // leaves Established (a handover's drain) is never run and would be due for ever.
            earliest = Min(earliest, ActivePathManager?.NextDeadline);
            foreach (MptcpSubflow sf in _subflows)
            {
                earliest = Min(earliest, sf.Tcp.NextDeadline);
                if (sf.JoinAckDeadline is { } j)
                {
                    earliest = Min(earliest, j);
                }
            }

            bool canSignal = CanSignal;
            foreach (Announcement a in _announcements)
            {
                // The next transmission, or after the last one the time to give up. A transmission
                // waits for a subflow that can carry it: without one it would be due for ever.
                if (canSignal || a.Transmissions >= _options.AddAddrMaxTransmissions)
                {
                    earliest = Min(earliest, a.Due);
                }
            }

            return earliest;
        }
    }

    internal Span<byte> Scratch => _scratch;

    // Part of the first message is not acknowledged yet (its tail may still need a join).
    private bool SplitPending => _options.FirstMessageSplit is { } split && IsClient && State == MptcpConnectionState.Established
        && OffsetInOurData(_dataUna) < split.HeadBytes + split.TailBytes;

    internal WirePrivacy Privacy { get; }

    internal MptcpEndpoint Endpoint => _endpoint;

    internal ReceiveMappings.Deliver DeliverMapped { get; }

    internal MpCapableFlags CapableFlags => MpCapableFlags.HmacSha256
        | (Checksums || _options.RequireChecksums ? MpCapableFlags.ChecksumRequired : MpCapableFlags.None)
        | (!IsClient && _options.DenyJoinToInitialAddress ? MpCapableFlags.NoJoinToSourceAddress : MpCapableFlags.None);

    internal bool PeerConfirmedKeys
    {
        get => _peerConfirmedKeys;
        set
        {
            _peerConfirmedKeys = value;
            if (value)
            {
                OnFullyEstablished(TimeSpan.Zero);
            }
        }
    }

    internal bool FastClosing { get; private set; }

    internal bool CanSendDataAck => HasRemoteKey && _reassembly is not null;

    internal DataSeqNum DataAckValue => _reassembly is null ? default : _reassembly.Next + (PeerFinished && !IsFallback ? 1UL : 0UL);

    internal long ReceiveWindowFree
    {
        get
        {
            if (_reassembly is null)
            {
                return _options.ReceiveBufferSize;
            }

            _reassembly.NoteAdvertised();
            return _reassembly.WindowFree;
        }
    }

    internal DataSeqNum? DataFinToSend => _dataFin is { } fin && !_dataFinAcked && _dataNxt == fin && !IsFallback ? fin : null;

    /// <summary>Queues bytes to send; returns how many fit.</summary>
    /// <exception cref="InvalidOperationException">The connection was closed for writing.</exception>
    public int Write(ReadOnlySpan<byte> data)
    {
        if (_dataFin is not null || State == MptcpConnectionState.Closed)
        {
            throw new InvalidOperationException("The connection is closed for writing.");
        }

        return _sendBuffer.Write(data);
    }

    /// <summary>Moves received bytes into <paramref name="destination"/>; returns how many (0 with <see cref="ReadCompleted"/> is the end of the stream).</summary>
    public int Read(Span<byte> destination)
    {
        if (_reassembly is null)
        {
            return 0;
        }

        int n = _reassembly.Read(destination);
        if (n > 0 && _reassembly.WindowFree - _lastAdvertisedWindow >= Math.Min(_options.ReceiveBufferSize / 4, 64 * 1024))
        {
            // The window reopened: tell the peer (RFC 9293 §3.8.6.2.2, at the data level).
            _lastAdvertisedWindow = _reassembly.WindowFree;
            BestSubflow()?.Tcp.RequestAcknowledgment();
        }

        return n;
    }

    /// <summary>Closes this direction: a DATA_FIN (a FIN after fallback) follows the queued data (RFC 8684 §3.3.3).</summary>
    public void Close()
    {
        // Before the handshake ends this only marks where the DATA_FIN goes: like shutdown(SHUT_WR)
        // after a non-blocking connect, the queued data and the DATA_FIN leave once it is
        // established (closing the SYN-SENT subflow would drop what the application wrote).
        _dataFin ??= _dataUna + (ulong)_sendBuffer.Count;
    }

    /// <summary>Aborts the connection with MP_FASTCLOSE on every subflow's reset (RFC 8684 §3.5).</summary>
    public void Abort(TimeSpan now)
    {
        if (State == MptcpConnectionState.Closed)
        {
            return;
        }

        FastClosing = true;
        foreach (MptcpSubflow sf in _subflows)
        {
            if (sf.Phase != SubflowPhase.Closed)
            {
                sf.Reset(MpTcpRstReason.Unspecified);
            }
        }

        EnterClosed(now, "aborted with MP_FASTCLOSE");
    }

    /// <summary>Changes a subflow's priority and tells the peer with MP_PRIO (RFC 8684 §3.3.8).</summary>
    public void SetBackup(MptcpSubflow subflow, bool backup, TimeSpan now)
    {
        subflow.SetBackup(backup);
        Raise(new MptcpEvent(now, MptcpEventKind.PriorityChanged, subflow.Tuple, subflow.LocalAddressId, Detail: backup ? "backup" : "regular"));
    }

    internal bool Accepted { get; set; }

    /// <summary>Makes the congestion controller for a new subflow: coupled with the others (RFC 6356) unless configured otherwise.</summary>
    internal ICongestionControl NewCongestionControl() => _options.CongestionControl switch
    {
        CongestionControlAlgorithm.Lia when !IsFallback => new LinkedIncreases(_congestionGroup),
        CongestionControlAlgorithm.Olia when !IsFallback => new Olia(_congestionGroup),
        _ => new NewReno(),
    };

    internal void UseLocalKey(LocalKey key)
    {
        LocalKey = key;
        _dataUna = new DataSeqNum(key.Idsn + 1);
        _dataNxt = _dataUna;
        _peerEdge = _dataUna;
    }

    internal void AddSubflow(MptcpSubflow subflow)
    {
        _subflows.Add(subflow);
        subflow.UseChecksums(Checksums);
    }

    internal void OnSegment(TimeSpan now, MptcpSubflow subflow, in TcpHeader segment)
    {
        subflow.OnSegment(now, segment);
        AfterInput(now);
    }

    /// <summary>Runs due timers, schedules data and returns the next segment to send, if any.</summary>
    internal int PollTransmit(TimeSpan now, Span<byte> buffer, out MptcpSubflow? from)
    {
        RunTimers(now);
        Schedule(now);
        int count = _subflows.Count;
        for (int i = 0; i < count; i++)
        {
            int index = (_pollCursor + i) % count;
            MptcpSubflow sf = _subflows[index];
            int length = sf.Tcp.PollTransmit(now, buffer);
            if (length > 0)
            {
                _pollCursor = index + 1;
                from = sf;
                AfterInput(now);
                return length;
            }
        }

        AfterInput(now);
        RemoveFinishedSubflows();
        from = null;
        return 0;
    }

    internal void OnCapableSynAck(TimeSpan now, MptcpSubflow subflow, MpCapableOption option)
    {
        LearnRemoteKey(option.SenderKey, option.Flags);
        Checksums = _options.RequireChecksums || (option.Flags & MpCapableFlags.ChecksumRequired) != 0;
        subflow.UseChecksums(Checksums);
        State = MptcpConnectionState.Established;
        Raise(new MptcpEvent(now, MptcpEventKind.Established, subflow.Tuple));
        Privacy.OnKeysExchanged(now);

        // Joins wait until the peer can check them: its first DSS, or a round trip after our third ACK.
        _fullyEstablishedDeadline = now + (subflow.Tcp.RetransmissionTimeout.SmoothedRtt ?? TimeSpan.FromMilliseconds(100));
    }

    internal void SetChecksumsFromSyn(bool peerAsked)
    {
        Checksums = _options.RequireChecksums || peerAsked;
        foreach (MptcpSubflow sf in _subflows)
        {
            sf.UseChecksums(Checksums);
        }
    }

    /// <summary>Takes the MP_CAPABLE of the third ACK or of the first data segment at the passive side.</summary>
    internal bool OnCapableAck(TimeSpan now, MptcpSubflow subflow, MpCapableOption option, int payloadLength)
    {
        if (!option.HasReceiverKey || option.ReceiverKey != LocalKey.Key)
        {
            // Not our key echoed: not the peer we answered; treat the segment as not received.
            return false;
        }

        if (!HasRemoteKey)
        {
            LearnRemoteKey(option.SenderKey, option.Flags);
            State = MptcpConnectionState.Established;
            Raise(new MptcpEvent(now, MptcpEventKind.Established, subflow.Tuple));
            Privacy.OnKeysExchanged(now);
            OnFullyEstablished(now);

            // The active side is fully established once a DSS reaches it (RFC 8684 §3.1); Linux
            // opens its joins and announces only then, so answer a data-less third ACK with a Data
            // ACK at once instead of leaving the peer waiting for our first data.
            subflow.Tcp.RequestAcknowledgment();
        }
        else if (option.SenderKey != RemoteKey)
        {
            return false;
        }

        if (option.HasDataLevelLength && payloadLength > 0)
        {
            // RFC 8684 §3.1: the data of the "fourth packet" starts the peer's data sequence space at IDSN + 1, SSN 1.
            DataSeqNum dsn = _peerFirstDsn;
            ushort? checksum = option.HasChecksum ? option.Checksum : null;
            if (!subflow.AddReceiveMapping(dsn, 1, option.DataLevelLength, Checksums ? checksum : null))
            {
                subflow.Reset(MpTcpRstReason.MptcpSpecific);
                return false;
            }
        }

        return true;
    }

    internal bool OnDss(TimeSpan now, MptcpSubflow subflow, in DssOption dss, in TcpHeader segment)
    {
        if (dss.HasDataAck)
        {
            // Our data's sequence numbers carry the subflow's offset on the wire (0 but with the profile).
            ulong sendOffset = Privacy.SendOffset(subflow);
            DataSeqNum ack = FromWire(dss.DataAckIs64Bit ? new DataSeqNum(dss.DataAck) : DataSeqNum.Expand((uint)dss.DataAck, ToWire(_dataUna, sendOffset)), sendOffset);
            OnDataAck(ack, (long)segment.Window << subflow.Tcp.SendWindowShift);
        }

        if (!dss.HasMapping)
        {
            return true;
        }

        // The reassembly exists from the moment the peer's key is known (LearnRemoteKey).
        ulong receiveOffset = Privacy.ReceiveOffset(subflow);
        DataSeqNum reference = ToWire(_reassembly?.Next ?? default, receiveOffset);
        DataSeqNum dsn = FromWire(dss.DsnIs64Bit ? new DataSeqNum(dss.DataSequenceNumber) : DataSeqNum.Expand((uint)dss.DataSequenceNumber, reference), receiveOffset);
        if (dss.DataLevelLength == 0)
        {
            // RFC 8684 §3.7: the infinite mapping; from this segment on, subflow bytes are data bytes.
            if (!dss.DataFin)
            {
                uint ssn = (uint)subflow.Tcp.InitialReceiveSequence.DistanceTo(new SeqNum32(segment.SequenceNumber));
                subflow.OnInfiniteMappingReceived(ssn, dsn);
                FallBack(now, "the peer sent the infinite mapping");
            }

            return true;
        }

        int length = dss.DataLevelLength;
        if (dss.DataFin)
        {
            OnPeerDataFin(now, dsn + (ulong)(length - 1));
            length = segment.Payload.Length == 0 && dss.SubflowSequenceNumber == 0 ? 0 : length - 1;
        }

        if (length == 0)
        {
            return true;
        }

        if (_reassembly is not null && ((dsn + (ulong)length) - _reassembly.Next > 2L * _options.ReceiveBufferSize || _reassembly.Next - dsn > 2L * _options.ReceiveBufferSize))
        {
            Counters.MappingsOutOfWindow++;
            return true;
        }

        ushort? checksum = Checksums && dss.HasChecksum ? dss.Checksum : null;
        if (!subflow.AddReceiveMapping(dsn, dss.SubflowSequenceNumber, (ushort)length, checksum, dss.DataFin))
        {
            subflow.Reset(MpTcpRstReason.MptcpSpecific);
            return false;
        }

        return true;
    }

    // Room for one mapping per 256 bytes of window: a peer's mappings can cover the window, no more.
    internal int MappingCapacity => Math.Max(ReceiveMappings.MaxMappings, _options.ReceiveBufferSize / 256);

    internal void DeliverData(DataSeqNum dsn, ReadOnlySpan<byte> data)
    {
        if (_reassembly is null)
        {
            return;
        }

        _reassembly.Accept(dsn, data);

        // The acknowledgment of these bytes offers the narrower window: remember it, so that Read
        // announces the window once it reopened from here, not from an older, wider offer (else a
        // window that closed stays closed until the peer's zero-window probe).
        _lastAdvertisedWindow = Math.Min(_lastAdvertisedWindow, _reassembly.WindowFree);
        CheckPeerFinished(TimeSpan.Zero);
    }

    internal void DeliverFallback(ReadOnlySpan<byte> data)
    {
        _reassembly ??= new DataReassembly(default, _options.ReceiveBufferSize);
        _reassembly.Accept(_reassembly.Next, data);
    }

    internal void OnUnmappedData(MptcpSubflow subflow)
    {
        // RFC 8684 §3.7: data without a mapping on a lone first subflow that never saw one means a
        // middlebox removed the options: fall back. Anywhere else the subflow is reset.
        subflow.Reset(MpTcpRstReason.MiddleboxInterference);
    }

    internal void OnChecksumFailure(MptcpSubflow subflow)
    {
        _endpoint.Blame(_endpoint.LastNow, subflow, "DSS checksum failure");
        Counters.ChecksumFailures++;
        if (LiveSubflows == 1 && _reassembly is not null)
        {
            // RFC 8684 §3.7: MP_FAIL on the lone subflow; the peer answers with the infinite mapping.
            _pendingFail = (subflow, _reassembly.Next);
            subflow.Tcp.RequestAcknowledgment();
        }
        else
        {
            subflow.Reset(MpTcpRstReason.MiddleboxInterference);
        }
    }

    internal void OnMpFail(TimeSpan now, MptcpSubflow subflow, ulong dsn)
    {
        _endpoint.Blame(now, subflow, "MP_FAIL received");
        DataSeqNum at = new(SubflowOffsets.FromWire(dsn, subflow.PrivacyState.SendDsnOffset));
        if (LiveSubflows == 1 && at >= _dataUna && at <= _dataNxt)
        {
            _dataNxt = at;
            _reinject.Clear();
            _reinjectHeadSent = 0;
            subflow.BeginInfiniteMapping(at);
        }
        else
        {
            subflow.Reset(MpTcpRstReason.MiddleboxInterference);
        }
    }

    internal void OnAddAddr(TimeSpan now, in AddAddrOption option)
    {
        if (ActivePathManager is not { } pm)
        {
            return;
        }

        if (option.Echo)
        {
            foreach (Announcement a in _announcements)
            {
                if (Privacy.IsEchoOf(option, a.Id, a.Address, a.Port))
                {
                    _announcements.Remove(a);
                    Apply(now, pm.OnAddAddrEchoed(a.Id));
                    break;
                }
            }

            return;
        }

        if (!Privacy.TryReadAnnouncement(option, out byte addressId, out IpAddressBytes address, out ushort? port))
        {
            Counters.AddAddrHmacFailures++;
            return;
        }

        int ignoredBefore = pm.AddAddrIgnored;
        IReadOnlyList<PathAction> actions = pm.OnAddAddrReceived(addressId, address, port);
        Counters.AddAddrOverLimit += pm.AddAddrIgnored - ignoredBefore;
        bool joined = actions.Any(a => a is OpenSubflow);
        Raise(new MptcpEvent(now, MptcpEventKind.AddressAnnounced, null, addressId, address, Detail: joined ? "joined" : "not joined"));
        Apply(now, actions);
    }

    internal void OnRemoveAddr(TimeSpan now, in RemoveAddrOption option)
    {
        if (ActivePathManager is not { } pm)
        {
            return;
        }

        Span<byte> ids = stackalloc byte[option.Count];
        for (int i = 0; i < option.Count; i++)
        {
            ids[i] = option[i];
            Raise(new MptcpEvent(now, MptcpEventKind.AddressRemoved, null, ids[i]));
        }

        var named = new List<MptcpSubflow>();
        if (Privacy.TryFindRemoved(ids, _subflows, named))
        {
            // The profile's IDs name subflows, not addresses: close those (RFC 8684 §3.4.2's effect).
            foreach (MptcpSubflow subflow in named)
            {
                if (subflow.Phase != SubflowPhase.Closed)
                {
                    subflow.Reset(MpTcpRstReason.Unspecified);
                }
            }

            return;
        }

        Apply(now, pm.OnRemoveAddrReceived(ids));
    }

    internal void OnPriorityChanged(TimeSpan now, MptcpSubflow subflow) =>
        Raise(new MptcpEvent(now, MptcpEventKind.PriorityChanged, subflow.Tuple, subflow.RemoteAddressId, Detail: subflow.PeerBackup ? "peer set backup" : "peer set regular"));

    internal void OnFastClose(TimeSpan now, ulong key)
    {
        if (key != LocalKey.Key)
        {
            Counters.FastCloseWrongKey++;
            return;
        }

        foreach (MptcpSubflow sf in _subflows)
        {
            if (sf.Tcp.State != TcpState.Closed)
            {
                sf.Tcp.Abort();
            }
        }

        EnterClosed(now, "MP_FASTCLOSE received");
    }

    internal void OnSubflowEstablished(MptcpSubflow subflow)
    {
        Raise(new MptcpEvent(_endpoint.LastNow, MptcpEventKind.SubflowEstablished, subflow.Tuple, subflow.LocalAddressId));
        Privacy.OnSubflowEstablished(_endpoint.LastNow, subflow);
        if (ActivePathManager is { } pm)
        {
            Apply(_endpoint.LastNow, pm.OnSubflowEstablished(subflow.PathId));
        }
    }

    internal void FallBack(TimeSpan now, string reason)
    {
        if (IsFallback)
        {
            return;
        }

        IsFallback = true;
        _reassembly ??= new DataReassembly(default, _options.ReceiveBufferSize);

        Raise(new MptcpEvent(now, MptcpEventKind.FellBack, _subflows.Count > 0 ? FallbackPath.Tuple : null, Detail: reason));
    }

    /// <summary>
    /// Writes the next signal due (MP_FAIL, an ADD_ADDR echo or announcement, REMOVE_ADDR) that
    /// fits in <paramref name="destination"/>. With <paramref name="wholeRoom"/> the destination is
    /// all the option room a segment has: an announcement that does not fit even there never will,
    /// and is given up instead of being asked for on every segment.
    /// </summary>
    internal int WriteSignal(TimeSpan now, MptcpSubflow subflow, Span<byte> destination, bool wholeRoom)
    {
        if (_pendingFail is { } fail && fail.Subflow == subflow && destination.Length >= MpFailOption.Length)
        {
            _pendingFail = null;

            // The DSN is the peer's, in the offset the peer's mappings on this subflow carry.
            return new MpFailOption(SubflowOffsets.ToWire(fail.Dsn.Value, subflow.PrivacyState.ReceiveDsnOffset)).Encode(destination);
        }

        if (_echoes.Count > 0)
        {
            (byte id, IpAddressBytes echoed, ushort? echoedPort) = _echoes[0];
            int echoLength = Privacy.WriteEcho(id, echoed, echoedPort, destination);
            if (echoLength > 0)
            {
                _echoes.RemoveAt(0);
                return echoLength;
            }
        }

        foreach (Announcement a in _announcements)
        {
            if (a.Transmissions < _options.AddAddrMaxTransmissions && a.Due <= now)
            {
                int written = Privacy.WriteAnnouncement(a.Id, a.Address, a.Port, destination);
                if (written < 0)
                {
                    if (wholeRoom)
                    {
                        a.Transmissions = _options.AddAddrMaxTransmissions;
                    }

                    continue;
                }

                a.Transmissions++;
                a.Due = now + _options.AddAddrTimeout;
                return written;
            }
        }

        if (_removals.Count > 0 && destination.Length >= 3 + _removals.Count)
        {
            var option = new RemoveAddrOption(_removals.ToArray());
            _removals.Clear();
            return option.Encode(destination);
        }

        return 0;
    }

    /// <summary>
    /// Returns whether a signal (MP_FAIL, an ADD_ADDR echo or announcement, REMOVE_ADDR) or the
    /// privacy mode's own options are due: they need a pure ACK's room, which a DATA_FIN's DSS
    /// would otherwise take on every pure ACK while the DATA_FIN is unacknowledged.
    /// </summary>
    internal bool SignalDue(TimeSpan now)
    {
        if (_pendingFail is not null || _echoes.Count > 0 || _removals.Count > 0 || Privacy.ControlDue(now))
        {
            return true;
        }

        foreach (Announcement a in _announcements)
        {
            if (a.Transmissions < _options.AddAddrMaxTransmissions && a.Due <= now)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Takes the host's new endpoint <paramref name="endpoint"/> (an address came up, or was configured).</summary>
    internal void OnLocalEndpointAdded(TimeSpan now, PathEndpoint endpoint)
    {
        // Before the keys are exchanged the path manager does not exist yet; it starts from the
        // host's endpoints as they are then, this one included.
        if (ActivePathManager is { } pm)
        {
            Apply(now, pm.OnLocalEndpointAdded(endpoint));
        }
    }

    /// <summary>Takes the host losing <paramref name="address"/>: REMOVE_ADDR for it, and its subflows close.</summary>
    internal void OnLocalAddressLost(TimeSpan now, IpAddressBytes address)
    {
        if (ActivePathManager is { } pm)
        {
            Apply(now, pm.OnLocalAddressLost(address));
        }

        // With or without a path manager (still connecting, fallen back), no subflow outlives its address.
        foreach (MptcpSubflow sf in _subflows)
        {
            if (sf.Tuple.LocalAddress == address && sf.Phase != SubflowPhase.Closed)
            {
                sf.Reset(MpTcpRstReason.Unspecified);
            }
        }
    }

    /// <summary>Takes a change of the backup flag of the host's endpoint <paramref name="endpointId"/>.</summary>
    internal void OnEndpointBackupChanged(TimeSpan now, byte endpointId, bool backup)
    {
        if (ActivePathManager is { } pm)
        {
            Apply(now, pm.OnEndpointBackupChanged(endpointId, backup));
        }
    }

    /// <summary>
    /// Asks the path manager about a peer's MP_JOIN SYN on <paramref name="tuple"/> (RFC 8684 §3.2):
    /// the new subflow as the path manager accounts for it, or null when refused (counted in
    /// <see cref="MptcpCounters.JoinsOverLimit"/>).
    /// </summary>
    internal PathSubflow? OnJoinRequest(FourTuple tuple, in MpJoinOption join)
    {
        if (ActivePathManager is not { } pm
            || pm.OnJoinRequest(tuple.LocalAddress, join.AddressId, tuple.RemoteAddress, tuple.RemotePort, join.Backup) is not { } id)
        {
            Counters.JoinsOverLimit++;
            return null;
        }

        foreach (PathSubflow s in pm.Subflows)
        {
            if (s.Id == id)
            {
                return s;
            }
        }

        throw new InvalidOperationException($"the path manager accepted join {id} but does not account for it");
    }

    /// <summary>Moves this connection off a path whose score reached the thresholds (<see cref="SubflowScoring"/>).</summary>
    internal void OnPathBlamed(TimeSpan now, IpAddressBytes local, IpAddressBytes remote, int score, SubflowScoring scoring, string why)
    {
        foreach (MptcpSubflow sf in _subflows)
        {
            if (sf.Tuple.LocalAddress != local || sf.Tuple.RemoteAddress != remote || sf.Phase == SubflowPhase.Closed)
            {
                continue;
            }

            Raise(new MptcpEvent(now, MptcpEventKind.PathBlamed, sf.Tuple, Detail: $"{why}; score {score}"));
            if (score >= scoring.ResetAt && LiveSubflows > 1)
            {
                sf.Reset(MpTcpRstReason.MiddleboxInterference);
            }
            else if (score >= scoring.BackupAt && !sf.IsBackup && LiveSubflows > 1)
            {
                SetBackup(sf, true, now);
            }
        }
    }

    /// <summary>Asks for a pure ACK on the best subflow, for options that need its room (the profile's key shares).</summary>
    internal void RequestPureAck() => BestSubflow()?.Tcp.RequestAcknowledgment();

    /// <summary>Takes the privacy mode becoming ready for joins: what waited for it goes now.</summary>
    internal void OnPrivacyReady(TimeSpan now)
    {
        if (Privacy.ReadyForJoins && _waitingForPrivacy.Count == 0)
        {
            Raise(new MptcpEvent(now, MptcpEventKind.PrivacyReady, Detail: Privacy.Mode.ToString()));
        }

        if (_fullyEstablishedWaitsForPrivacy && Privacy.ReadyForJoins)
        {
            _fullyEstablishedWaitsForPrivacy = false;
            OnFullyEstablished(now);
        }

        ReleaseWaitingActions(now);
    }

    /// <summary>Carries out the path manager's actions held for the privacy mode, once it no longer holds them.</summary>
    private void ReleaseWaitingActions(TimeSpan now)
    {
        if (_waitingForPrivacy.Count > 0 && !Privacy.AnnouncementsMustWait && !Privacy.JoinMustWait(_subflows))
        {
            PathAction[] waiting = [.. _waitingForPrivacy];
            _waitingForPrivacy.Clear();
            Apply(now, waiting);
        }
    }

    /// <summary>Closes a connection whose handshake the privacy mode refused (its first subflow is already reset).</summary>
    internal void RefuseForPrivacy(TimeSpan now, string reason)
    {
        Raise(new MptcpEvent(now, MptcpEventKind.PrivacyFailed, InitialSubflow.Tuple, Detail: reason));
        EnterClosed(now, reason);
    }

    /// <summary>Aborts the connection because its privacy mode cannot go on safely (never silently).</summary>
    internal void AbortForPrivacy(TimeSpan now, string reason)
    {
        Raise(new MptcpEvent(now, MptcpEventKind.PrivacyFailed, Detail: reason));
        Abort(now);
    }

    // The privacy profile's per-subflow offsets (SubflowOffsets), on the stack's sequence type.
    private static DataSeqNum ToWire(DataSeqNum dsn, ulong offset) => new(SubflowOffsets.ToWire(dsn.Value, offset));

    private static DataSeqNum FromWire(DataSeqNum wire, ulong offset) => new(SubflowOffsets.FromWire(wire.Value, offset));

    // How far into our own data sequence space dsn is (0 for the first byte, IDSN + 1).
    private long OffsetInOurData(DataSeqNum dsn) => dsn - new DataSeqNum(LocalKey.Idsn + 1);

    private MptcpSubflow InitialSubflow => _subflows[0];

    /// <summary>Gets the path manager while path events go to it (the connection established and still MPTCP), else null.</summary>
    private IPathManager? ActivePathManager => !IsFallback && State == MptcpConnectionState.Established ? _pathManager : null;

    private int LiveSubflows
    {
        get
        {
            // A loop, not LINQ: this runs for every segment and must not allocate.
            int live = 0;
            foreach (MptcpSubflow sf in _subflows)
            {
                live += sf.Phase != SubflowPhase.Closed ? 1 : 0;
            }

            return live;
        }
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => (a, b) switch
    {
        ({ } x, { } y) => x < y ? x : y,
        ({ } x, null) => x,
        (null, var y) => y,
    };

    private void LearnRemoteKey(ulong key, MpCapableFlags peerFlags)
    {
        RemoteKey = key;
        HasRemoteKey = true;
        (uint token, ulong idsn) = MptcpKeys.TokenAndIdsn(key, MptcpVersion.V1);
        RemoteToken = token;
        _peerFirstDsn = new DataSeqNum(idsn + 1);
        _reassembly = new DataReassembly(_peerFirstDsn, _options.ReceiveBufferSize);
        _lastAdvertisedWindow = _reassembly.WindowFree;
        _peerEdge = _dataNxt + (ulong)Math.Max(InitialSubflow.Tcp.SendWindow, 1);

        FourTuple initial = InitialSubflow.Tuple;
        var pathOptions = new PathManagerOptions(_options.PathManagerLimits, _endpoint.Endpoints);
        bool peerDenies = (peerFlags & MpCapableFlags.NoJoinToSourceAddress) != 0;
        _pathManager = _options.PathPolicy is { } policy
            ? new PolicyPathManager(policy, pathOptions, initial.LocalAddress, initial.RemoteAddress, initial.RemotePort, () => _endpoint.LastNow, peerDenies)
            : new KernelPathManager(pathOptions, initial.LocalAddress, initial.RemoteAddress, initial.RemotePort, peerDenies);
    }

    /// <summary>
    /// The connection is fully established (RFC 8684 §3.1): the path manager may announce addresses
    /// and open subflows. At the passive side that is the third ACK; at the active side the peer's
    /// first DSS, or a round trip after the third ACK, when the peer can check our joins.
    /// </summary>
    private void OnFullyEstablished(TimeSpan now)
    {
        if (_fullyEstablished)
        {
            return;
        }

        if (!Privacy.ReadyForJoins)
        {
            // The profile's secret is not agreed at both ends yet: joins and announcements wait for it.
            _fullyEstablishedWaitsForPrivacy = true;
            _fullyEstablishedDeadline = null;
            return;
        }

        _fullyEstablished = true;
        if (ActivePathManager is { } pm)
        {
            Apply(now == TimeSpan.Zero ? _endpoint.LastNow : now, pm.OnFullyEstablished());
        }
    }

    /// <summary>Carries out the path manager's decisions, in order.</summary>
    private void Apply(TimeSpan now, IReadOnlyList<PathAction> actions)
    {
        bool signal = false;
        foreach (PathAction action in actions)
        {
            switch (action)
            {
                case OpenSubflow when Privacy.JoinMustWait(_subflows):
                case Announce when Privacy.AnnouncementsMustWait:
                    // The split key agreement's second stage is not done: later, with the final keys.
                    _waitingForPrivacy.Add(action);
                    break;
                case OpenSubflow open when _endpoint.IsShunned(open.LocalAddress, open.RemoteAddress, now):
                    // Scoring found an attacker on that path: no join goes there again.
                    Raise(new MptcpEvent(now, MptcpEventKind.PathBlamed, null, Address: open.RemoteAddress, Detail: $"join from {open.LocalAddress} not opened: path shunned"));
                    break;
                case OpenSubflow open:
                    _endpoint.OpenJoin(now, this, open);
                    break;
                case Announce announce:
                    _announcements.Add(new Announcement(announce.AddressId, announce.Address, announce.Port) { Due = now });
                    signal = true;
                    break;
                case EchoAnnounce echo:
                    _echoes.Add((echo.AddressId, echo.Address, echo.Port));
                    signal = true;
                    break;
                case RemoveAddress remove:
                    // A withdrawn address is no longer announced (RFC 8684 §3.4.2).
                    _announcements.RemoveAll(a => a.Id == remove.AddressId);
                    Privacy.AddRemovals(remove.AddressId, _subflows, _removals);
                    signal = true;
                    break;
                case CloseSubflow close:
                    if (SubflowWithPathId(close.SubflowId) is { Phase: not SubflowPhase.Closed } closing)
                    {
                        closing.Reset(MpTcpRstReason.Unspecified);
                    }

                    break;
                case PathManagement.SetBackup backup:
                    if (SubflowWithPathId(backup.SubflowId) is { } subflow)
                    {
                        SetBackup(subflow, backup.Backup, now);
                    }

                    break;
                default:
                    throw new InvalidOperationException($"unknown path action {action}");
            }
        }

        if (signal)
        {
            // After the closes: the option must ride on a subflow that stays (RFC 8684 §3.4.2).
            BestSubflow()?.Tcp.RequestAcknowledgment();
        }
    }

    // A loop rather than List.Find with a lambda: this runs on every timer check, and the lambda's
    // closure over `now` would be allocated each time.
    private Announcement? ExpiredAnnouncement(TimeSpan now)
    {
        foreach (Announcement a in _announcements)
        {
            if (a.Transmissions >= _options.AddAddrMaxTransmissions && a.Due <= now)
            {
                return a;
            }
        }

        return null;
    }

    private MptcpSubflow? SubflowWithPathId(int id) => _subflows.Find(s => s.PathId == id);

    private void OnDataAck(DataSeqNum ack, long window)
    {
        DataSeqNum sentMax = _dataNxt;

        if (_dataFin is { } fin && _dataNxt == fin)
        {
            sentMax = fin + 1UL;
        }

        if (ack > sentMax)
        {
            // Data never sent: a forgery or a broken peer.
            Counters.DataAcksOutOfWindow++;
            return;
        }

        if (ack < _dataUna)
        {
            // Older than one already taken: normal when subflows have different round-trip times.
            return;
        }

        if (ack > _dataUna)
        {
            long acked = Math.Min(ack - _dataUna, _sendBuffer.Count);
            _sendBuffer.Discard((int)acked);
            _dataUna += (ulong)acked;
            _dataRetransmitDeadline = null;
            _dataRetransmitBackoff = 0;
            if (_dataFin is { } f && ack == f + 1UL)
            {
                _dataFinAcked = true;
                _dataFinDeadline = null;
            }
        }

        DataSeqNum edge = ack + (ulong)window;
        if (edge > _peerEdge)
        {
            _peerEdge = edge;
        }
    }

    private void OnPeerDataFin(TimeSpan now, DataSeqNum finDsn)
    {
        if (_peerFinDsn is not null || _reassembly is null)
        {
            return;
        }

        if (finDsn < _reassembly.Next || finDsn - _reassembly.Next > _options.ReceiveBufferSize)
        {
            Counters.MappingsOutOfWindow++;
            return;
        }

        _peerFinDsn = finDsn;
        CheckPeerFinished(now);
    }

    private void CheckPeerFinished(TimeSpan now)
    {
        if (!PeerFinished && _peerFinDsn is { } fin && _reassembly is not null && _reassembly.Next == fin)
        {
            PeerFinished = true;
            Raise(new MptcpEvent(now == TimeSpan.Zero ? _endpoint.LastNow : now, MptcpEventKind.PeerClosed));
            BestSubflow()?.Tcp.RequestAcknowledgment();
        }
    }

    private void RunDataRetransmitTimer(TimeSpan now)
    {
        if (IsFallback || _dataNxt <= _dataUna || State is not (MptcpConnectionState.Established or MptcpConnectionState.Closing))
        {
            _dataRetransmitDeadline = null;
            _dataRetransmitBackoff = 0;
            return;
        }

        // Runs before every segment sent: only arming or firing the timer looks at the subflows.
        if (_dataRetransmitDeadline is { } deadline && now < deadline)
        {
            return;
        }

        TimeSpan rto = TimeSpan.FromMilliseconds(200);
        foreach (MptcpSubflow sf in _subflows)
        {
            if (sf.CanSend && sf.Tcp.RetransmissionTimeout.Current > rto)
            {
                rto = sf.Tcp.RetransmissionTimeout.Current;
            }
        }

        if (_dataRetransmitDeadline is null)
        {
            _dataRetransmitDeadline = now + rto;
            return;
        }

        if (_reinject.Count == 0 && _subflows.All(sf => !sf.CanSend || sf.Queued == 0))
        {
            _reinject.Enqueue((_dataUna, (int)Math.Min(_dataNxt - _dataUna, 64 * 1024)));
            _reinjectHeadSent = 0;
            Counters.DataLevelRetransmissions++;
        }

        _dataRetransmitBackoff = Math.Min(_dataRetransmitBackoff + 1, 8);
        _dataRetransmitDeadline = now + (rto * (1 << _dataRetransmitBackoff));
    }

    private void RunTimers(TimeSpan now)
    {
        RunDataRetransmitTimer(now);
        Privacy.OnTimer(now);
        if (SplitPending && _options.FirstMessageSplit is { } split)
        {
            // Fail closed: the tail goes on a join or nowhere. A join that is up resets the wait.
            long sent = OffsetInOurData(_dataNxt);
            bool joinUp = _subflows.Exists(sf => sf.Role == SubflowRole.JoinActive && sf.CanSend && !sf.IsStale && sf.Tuple.LocalAddress != InitialSubflow.Tuple.LocalAddress);
            if (IsFallback && sent > split.HeadBytes)
            {
                FailSplit(now, "the connection fell back to one path with the first message's tail unacknowledged");
            }
            else if (joinUp)
            {
                _splitDeadline = null;
            }
            else if ((_splitDeadline ??= now + split.JoinTimeout) <= now)
            {
                FailSplit(now, "no join was up in time to carry the first message's tail");
            }
        }

        // A first join that failed lets the next one go (it carries the second stage instead).
        ReleaseWaitingActions(now);

        if (!_fullyEstablished && _fullyEstablishedDeadline is { } js && js <= now)
        {
            OnFullyEstablished(now);
        }

        for (int i = 0; i < _subflows.Count; i++)
        {
            MptcpSubflow sf = _subflows[i];
            if (sf.Tcp.NextDeadline is { } d && d <= now)
            {
                sf.Tcp.OnTimer(now);
            }

            if (sf.JoinAckDeadline is { } j && j <= now)
            {
                sf.OnJoinAckTimer();
                sf.JoinAckDeadline = sf.Phase == SubflowPhase.JoinPending ? now + sf.Tcp.RetransmissionTimeout.Current : null;
            }
        }

        // A path policy acts on stale subflows and on its own deadlines (issue 7); the kernel model ignores both.
        if (ActivePathManager is { } policy)
        {
            for (int i = 0; i < _subflows.Count; i++)
            {
                if (_subflows[i].IsStale)
                {
                    Apply(now, policy.OnSubflowStale(_subflows[i].PathId));
                }
            }

            Apply(now, policy.OnTimer(now));
        }

        foreach (Announcement a in _announcements)
        {
            if (a.Transmissions < _options.AddAddrMaxTransmissions && a.Due <= now)
            {
                BestSubflow()?.Tcp.RequestAcknowledgment();
                break;
            }
        }

        // Unechoed after the last transmission: give up, and let the path manager move on to the
        // next address as if echoed (as Linux after ADD_ADDR_RETRANS_MAX).
        while (ExpiredAnnouncement(now) is { } expired)
        {
            _announcements.Remove(expired);
            if (ActivePathManager is { } pm)
            {
                Apply(now, pm.OnAddAddrEchoed(expired.Id));
            }
        }

        if (_dataFinDeadline is { } fd && fd <= now)
        {
            _dataFinDeadline = null;
        }

        if (DataFinToSend is not null && _dataFinDeadline is null)
        {
            MptcpSubflow? best = BestSubflow();
            if (best is not null)
            {
                best.Tcp.RequestAcknowledgment();
                _dataFinDeadline = now + best.Tcp.RetransmissionTimeout.Current;
            }
        }
    }

    private void AfterInput(TimeSpan now)
    {
        if (State == MptcpConnectionState.Connecting && IsFallback && _subflows.Count > 0
            && InitialSubflow.Tcp.State is TcpState.Established or TcpState.CloseWait)
        {
            // Plain TCP: established with the three-way handshake.
            State = MptcpConnectionState.Established;
            Raise(new MptcpEvent(now, MptcpEventKind.Established, InitialSubflow.Tuple));
        }

        // By index: the path manager may open subflows while this runs.
        for (int i = 0; i < _subflows.Count; i++)
        {
            MptcpSubflow sf = _subflows[i];
            TcpState tcp = sf.Tcp.State;
            if (sf.Phase == SubflowPhase.Handshake && tcp is TcpState.Established or TcpState.CloseWait or TcpState.FinWait1 or TcpState.FinWait2)
            {
                sf.OnTcpEstablished();
                if (sf.Phase == SubflowPhase.JoinPending)
                {
                    sf.JoinAckDeadline = now + sf.Tcp.RetransmissionTimeout.Current;
                }
            }

            if (sf.Phase == SubflowPhase.Established && sf.JoinAckDeadline is not null)
            {
                sf.JoinAckDeadline = null;
            }

            DataSeqNum? ackedEnd = sf.AcknowledgeMappings();
            if (IsFallback && ackedEnd is { } end && end > _dataUna)
            {
                long acked = Math.Min(end - _dataUna, _sendBuffer.Count);
                _sendBuffer.Discard((int)acked);
                _dataUna += (ulong)acked;
            }

            if (sf.Phase != SubflowPhase.Closed && tcp is TcpState.Closed or TcpState.TimeWait)
            {
                bool wasLive = sf.Phase != SubflowPhase.Closed;
                sf.MarkClosed();
                sf.Tcp.ReleaseBuffers();
                if (wasLive)
                {
                    OnSubflowClosed(now, sf);
                }
            }

            if (IsFallback && sf.Tcp.ReceivedFin && sf.Tcp.BytesAvailable == 0 && !PeerFinished)
            {
                PeerFinished = true;
                Raise(new MptcpEvent(now, MptcpEventKind.PeerClosed, sf.Tuple));
            }

            if (!IsFallback && sf.Tcp.State == TcpState.CloseWait)
            {
                // The peer closed this subflow (after REMOVE_ADDR, or at the end): close ours too.
                sf.Tcp.Close();
            }
        }

        if (State == MptcpConnectionState.Established)
        {
            bool ourSideDone = _dataFin is not null && (IsFallback ? _dataNxt == _dataFin : _dataFinAcked);
            if (ourSideDone && IsFallback)
            {
                FallbackPath.Tcp.Close();
            }

            if (ourSideDone && PeerFinished)
            {
                State = MptcpConnectionState.Closing;
                foreach (MptcpSubflow sf in _subflows)
                {
                    sf.Tcp.Close();
                }
            }
        }

        if (State is MptcpConnectionState.Connecting or MptcpConnectionState.Established or MptcpConnectionState.Closing
            && _subflows.Count > 0 && LiveSubflows == 0)
        {
            EnterClosed(now, State == MptcpConnectionState.Closing ? "closed" : "every subflow closed");
        }
    }

    private void OnSubflowClosed(TimeSpan now, MptcpSubflow subflow)
    {
        if (subflow.Tcp.CongestionControl is CoupledCongestionControl coupled)
        {
            coupled.Leave();
        }

        if (!IsFallback)
        {
            Reinject(subflow);
        }

        Raise(new MptcpEvent(now, MptcpEventKind.SubflowClosed, subflow.Tuple, subflow.LocalAddressId, Detail: subflow.Tcp.CloseReason.ToString())
        {
            ResetReason = subflow.ResetReason,
        });

        // A closed subflow frees a slot: the path manager may use an endpoint it has not tried yet.
        if (ActivePathManager is { } pm)
        {
            Apply(now, pm.OnSubflowClosed(subflow.PathId));
        }
    }

    private void Reinject(MptcpSubflow subflow)
    {
        SendMappings mappings = subflow.SentMappings;
        for (int i = 0; i < mappings.Count; i++)
        {
            SendMapping m = mappings[i];
            if (m.DsnEnd > _dataUna)
            {
                _reinject.Enqueue((m.Dsn, m.Length));
            }
        }
    }

    private void Schedule(TimeSpan now)
    {
        if (State is not (MptcpConnectionState.Established or MptcpConnectionState.Closing))
        {
            return;
        }

        foreach (MptcpSubflow sf in _subflows)
        {
            bool stale = sf.CanSend && sf.Tcp.RetransmissionTimeout.BackoffCount >= _options.StaleAfterTimeouts && sf.Queued > 0;
            if (stale && !sf.IsStale && !sf.ReinjectedAfterFailure && !IsFallback)
            {
                sf.ReinjectedAfterFailure = true;
                Reinject(sf);
            }

            if (!stale && sf.Tcp.RetransmissionTimeout.BackoffCount == 0)
            {
                sf.ReinjectedAfterFailure = false;
            }

            sf.IsStale = stale;
        }

        for (int guard = 0; guard < 4096; guard++)
        {
            bool reinjecting = false;
            DataSeqNum dsn;
            long length;
            while (_reinject.Count > 0)
            {
                (DataSeqNum d, int l) = _reinject.Peek();
                if (d + (ulong)l <= _dataUna)
                {
                    _reinject.Dequeue();
                    _reinjectHeadSent = 0;
                    continue;
                }

                break;
            }

            if (_reinject.Count > 0)
            {
                (DataSeqNum d, int l) = _reinject.Peek();
                long skip = Math.Max(_reinjectHeadSent, _dataUna - d);
                dsn = d + (ulong)skip;
                length = l - skip;
                reinjecting = true;
            }
            else
            {
                dsn = _dataNxt;
                length = (_dataUna + (ulong)_sendBuffer.Count) - _dataNxt;
                if (!IsFallback)
                {
                    length = Math.Min(length, _peerEdge - _dataNxt);
                }
            }

            if (length <= 0)
            {
                return;
            }

            MptcpSubflow? sf = IsFallback ? FallbackSubflow() : PickSubflow();
            if (SplitWindow(dsn) is { } window)
            {
                // The first message's head goes on the initial subflow and its tail on the first
                // join only; nothing of it goes anywhere else, and never after a fallback.
                if (!TrySplitSubflow(now, window.Tail, out sf))
                {
                    return;
                }

                length = Math.Min(length, window.Left);
            }

            if (sf is null || (reinjecting && sf.IsStale))
            {
                // Reinjected data waits for a subflow that works; sending it on a stalled one gains nothing.
                return;
            }

            int n = (int)Math.Min(length, IsFallback ? Math.Min(sf.Tcp.SendBufferFree, ushort.MaxValue) : sf.PayloadMss);
            if (n <= 0)
            {
                return;
            }

            sf.Push(dsn, _sendBuffer, (int)(dsn - _dataUna), n);
            if (reinjecting)
            {
                Counters.BytesReinjected += n;
                (DataSeqNum d, int l) = _reinject.Peek();
                _reinjectHeadSent = (int)((dsn + (ulong)n) - d);
                if (_reinjectHeadSent >= l)
                {
                    _reinject.Dequeue();
                    _reinjectHeadSent = 0;
                }
            }
            else
            {
                _dataNxt += (ulong)n;
            }
        }
    }

    // Where dsn stands in the first-message split: in the head or the tail, and how many bytes of that part are left.
    private (bool Tail, long Left)? SplitWindow(DataSeqNum dsn)
    {
        if (_options.FirstMessageSplit is not { } split || !IsClient)
        {
            return null;
        }

        long offset = OffsetInOurData(dsn);
        return offset < split.HeadBytes ? (false, split.HeadBytes - offset)
            : offset < split.HeadBytes + split.TailBytes ? (true, split.HeadBytes + split.TailBytes - offset)
            : null;
    }

    private bool TrySplitSubflow(TimeSpan now, bool tail, out MptcpSubflow? subflow)
    {
        subflow = null;
        if (!tail)
        {
            subflow = InitialSubflow.CanSend ? InitialSubflow : null;
            return subflow is not null;
        }

        if (IsFallback)
        {
            FailSplit(now, "the connection fell back to one path before the first message's tail was sent");
            return false;
        }

        foreach (MptcpSubflow sf in _subflows)
        {
            // Another path: a join from the initial subflow's own address (to another server address)
            // crosses the same access network, whose observer would see the whole message.
            if (sf != InitialSubflow && sf.Role == SubflowRole.JoinActive && sf.CanSend && !sf.IsStale && sf.Tuple.LocalAddress != InitialSubflow.Tuple.LocalAddress)
            {
                subflow = sf;
                return true;
            }
        }

        return false;
    }

    private void FailSplit(TimeSpan now, string reason)
    {
        if (State != MptcpConnectionState.Closed)
        {
            Counters.FirstMessageSplitFailures++;
            AbortForPrivacy(now, reason);
        }
    }

    /// <summary>
    /// Gets the subflow a fallen-back connection runs on: the initial one when the handshake fell
    /// back, the lone subflow left when an MP_FAIL did (RFC 8684 §3.7), which may be a join.
    /// </summary>
    private MptcpSubflow FallbackPath => _subflows.Find(sf => sf.Phase != SubflowPhase.Closed) ?? InitialSubflow;

    private MptcpSubflow? FallbackSubflow()
    {
        MptcpSubflow sf = FallbackPath;
        return sf.Tcp.State is TcpState.Established or TcpState.CloseWait && sf.Tcp.SendBufferFree > 0 ? sf : null;
    }

    private MptcpSubflow? PickSubflow()
    {
        if (_schedulingStates.Length < _subflows.Count)
        {
            _schedulingStates = new SubflowSchedulingState[_subflows.Count * 2];
        }

        for (int i = 0; i < _subflows.Count; i++)
        {
            MptcpSubflow sf = _subflows[i];
            TcpSubflow tcp = sf.Tcp;
            _schedulingStates[i] = new SubflowSchedulingState(
                i,
                sf.CanSend,
                sf.IsBackup || sf.PeerBackup,
                sf.IsStale,
                tcp.RetransmissionTimeout.SmoothedRtt,
                tcp.CongestionControl.CongestionWindow,
                sf.Queued,
                tcp.SendBufferFree >= sf.PayloadMss ? tcp.SendBufferFree : 0,
                sf.PayloadMss);
        }

        return _options.Scheduler.SelectOne(_schedulingStates.AsSpan(0, _subflows.Count)) is { } chosen ? _subflows[chosen] : null;
    }

    private static bool Faster(MptcpSubflow a, MptcpSubflow b)
    {
        TimeSpan? ra = a.Tcp.RetransmissionTimeout.SmoothedRtt;
        TimeSpan? rb = b.Tcp.RetransmissionTimeout.SmoothedRtt;
        return (ra, rb) switch
        {
            ({ } x, { } y) => x < y,
            ({ }, null) => true,
            _ => false,
        };
    }

    /// <summary>
    /// Gets whether a subflow can carry a signal now (a pure ACK with an option: ADD_ADDR, a key
    /// share): what <see cref="RequestPureAck"/> needs. A signal due while none can is not a
    /// deadline: it would be due, and unsent, at every poll.
    /// </summary>
    internal bool CanSignal
    {
        get
        {
            foreach (MptcpSubflow sf in _subflows)
            {
                if (CarriesSignals(sf))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private static bool CarriesSignals(MptcpSubflow sf) =>
        sf.Phase == SubflowPhase.Established && sf.Tcp.State is TcpState.Established or TcpState.CloseWait or TcpState.FinWait1 or TcpState.FinWait2;

    private MptcpSubflow? BestSubflow()
    {
        MptcpSubflow? best = null;
        foreach (MptcpSubflow sf in _subflows)
        {
            if (CarriesSignals(sf) && (best is null || (best.IsStale && !sf.IsStale) || (best.IsStale == sf.IsStale && Faster(sf, best))))
            {
                best = sf;
            }
        }

        return best;
    }

    private void RemoveFinishedSubflows()
    {
        for (int i = _subflows.Count - 1; i > 0; i--)
        {
            MptcpSubflow sf = _subflows[i];
            if (sf.Phase == SubflowPhase.Closed && sf.Tcp.State == TcpState.Closed && sf.SentMappings.Count == 0)
            {
                _endpoint.Unregister(sf);
            }
        }
    }

    private void EnterClosed(TimeSpan now, string detail)
    {
        if (State == MptcpConnectionState.Closed)
        {
            return;
        }

        State = MptcpConnectionState.Closed;
        _announcements.Clear();
        _dataFinDeadline = null;
        ReleaseBuffers();
        Raise(new MptcpEvent(now, MptcpEventKind.Closed, Detail: detail));
        Privacy.OnClosed();
        _endpoint.OnConnectionClosed(this);
    }

    // The megabytes of buffers go back to the pool for the next connection; what the application
    // has not read yet stays, and so does a subflow's buffer that still holds bytes.
    private void ReleaseBuffers()
    {
        if (_sendBuffer.Count == 0)
        {
            _sendBuffer.Release();
        }

        _reassembly?.ReleaseIfEmpty();
        foreach (MptcpSubflow sf in _subflows)
        {
            sf.Tcp.ReleaseBuffers();
        }
    }

    private void Raise(MptcpEvent e)
    {
        _events.Add(e);
        EventRaised?.Invoke(this, e);
    }

    /// <summary>One of our ADD_ADDRs awaiting its echo; it leaves the list when echoed, given up or withdrawn.</summary>
    private sealed class Announcement(byte id, IpAddressBytes address, ushort? port)
    {
        public byte Id { get; } = id;

        public IpAddressBytes Address { get; } = address;

        public ushort? Port { get; } = port;

        public int Transmissions { get; set; }

        public TimeSpan Due { get; set; }
    }
}
