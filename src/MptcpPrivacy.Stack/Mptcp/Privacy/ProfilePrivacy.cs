using MptcpPrivacy.Privacy;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Mptcp.Privacy;

/// <summary>
/// The privacy profile on a connection (docs/design/privacy-profile.md): offered in the SYN with
/// an RFC 6994 option beside MP_CAPABLE and run only when the SYN/ACK accepts it; then a P-256 key
/// agreement on pure ACKs after the handshake (or an application secret), single-use 64-bit join
/// tokens found in O(1) in the host's <see cref="JoinTokenTable{TConnection}"/>, join HMACs and
/// sealed ADD_ADDRs under keys no observer of the first subflow has, random address IDs, no
/// REMOVE_ADDR, and data sequence numbers offset per subflow.
/// </summary>
/// <remarks>
/// Key shares: each host repeats its share (two halves, one per pure ACK, with timestamps on) every
/// retransmission timeout until the peer confirms it with a <see cref="KeyConfirmOption"/>, whose
/// tag also proves both ends derived the same secret; a wrong tag resets the connection. Joins and
/// announcements wait until this host holds the secret and the peer confirmed ours, so a join
/// never reaches a peer that cannot find its token.
/// </remarks>
internal sealed class ProfilePrivacy : WirePrivacy
{
    private readonly PrivacyOptions _options;
    private readonly Random _random;
    private readonly AddressIdAllocator _addressIds;
    private readonly Dictionary<byte, byte> _announcementIds = [];
    private readonly Dictionary<byte, byte[]> _received = [];
    private bool _active;
    private readonly KeyShareExchange _first = new(secondStage: false);
    private ProfileKeys? _keys;
    private JoinTokenSequence? _peerTokens;
    private JoinTokenWindow<MptcpConnection>? _window;

    // The split mode's second stage, on the client's first join.
    private bool _split;
    private ConnectionSecret? _firstSecret;
    private MptcpSubflow? _splitSubflow;
    private readonly KeyShareExchange _second = new(secondStage: true);
    private bool _secondStageReady;

    public ProfilePrivacy(MptcpConnection connection, PrivacyOptions options, Random random)
        : base(connection)
    {
        _options = options;
        _random = random;
        _addressIds = new AddressIdAllocator(bytes => random.NextBytes(bytes));
        if (!options.ApplicationSecret.IsEmpty && options.ApplicationSecret.Length < ConnectionSecret.MinimumApplicationSecretLength)
        {
            throw new ArgumentException($"an application secret needs at least {ConnectionSecret.MinimumApplicationSecretLength} bytes", nameof(options));
        }
    }

    /// <inheritdoc/>
    public override PrivacyMode Mode => _active ? PrivacyMode.Profile : PrivacyMode.Standard;

    /// <inheritdoc/>
    public override bool ReadyForJoins => !_active || (_keys is not null && _first.PeerHasOurShare);

    /// <inheritdoc/>
    public override TimeSpan? NextDeadline => _active && CanSendControl && HasPathForControl && _first.Due is { } due ? due : _second.Due;

    /// <summary>Gets whether the split mode's second stage is done (false when the connection does not split).</summary>
    public bool SecondStageReady => _secondStageReady;

    /// <inheritdoc/>
    public override bool JoinMustWait(IReadOnlyList<MptcpSubflow> subflows)
    {
        if (!_split || _secondStageReady)
        {
            return false;
        }

        // The client's first join carries the second stage; every other join waits for it, and the
        // server opens none before it.
        if (!Connection.IsClient)
        {
            return true;
        }

        foreach (MptcpSubflow subflow in subflows)
        {
            if (subflow.Role == SubflowRole.JoinActive && subflow.Phase != SubflowPhase.Closed)
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public override bool AnnouncementsMustWait => _split && !_secondStageReady;

    /// <summary>Gets whether the connection secret exists at this end.</summary>
    public bool HasSecret => _keys is not null;

    private PrivacyRole Role => Connection.IsClient ? PrivacyRole.A : PrivacyRole.B;

    // The client's pure ACKs carry MP_CAPABLE's keys, with no room to spare, until the server's first DSS.
    private bool CanSendControl => !Connection.IsClient || Connection.PeerConfirmedKeys;

    // A key share rides a pure ACK; with no subflow to carry one (every subflow closing or gone) a
    // due share would ask for a poll at once and send nothing, for ever. It waits instead, and goes
    // when a subflow can carry it again.
    private bool HasPathForControl => Connection.CanSignal;

    private PrivacyRole PeerRole => Role.Peer();

    private ProfileOfferFlags OfferFlags =>
        (_options.Required ? ProfileOfferFlags.Required : ProfileOfferFlags.None)
        | (_options.ApplicationSecret.IsEmpty ? ProfileOfferFlags.None : ProfileOfferFlags.ApplicationSecret)
        | (_options.SplitKeyAgreement && _options.ApplicationSecret.IsEmpty ? ProfileOfferFlags.Split : ProfileOfferFlags.None);

    /// <inheritdoc/>
    public override int WriteSynOptions(bool synAck, Span<byte> destination)
    {
        // The client always offers; the server accepts by offering back.
        if ((synAck && !_active) || destination.Length < ProfileOfferOption.Length)
        {
            return 0;
        }

        return new ProfileOfferOption(OfferFlags).Encode(destination);
    }

    /// <inheritdoc/>
    public override bool OnHandshakeOptions(TimeSpan now, in TcpHeader segment, bool synAck)
    {
        ProfileOfferOption? offer = null;
        foreach (TcpOption option in segment.ReadOptions())
        {
            if (option.Kind is TcpOptionKind.Experimental1 or TcpOptionKind.Experimental2
                && ProfileOfferOption.TryParse(option.Bytes, out ProfileOfferOption parsed, out _))
            {
                offer = parsed;
            }
        }

        // Both ends must source the secret alike: an application secret on one side only cannot agree.
        bool peerUsesAppSecret = offer is { } o && (o.Flags & ProfileOfferFlags.ApplicationSecret) != 0;
        _active = offer is not null && peerUsesAppSecret == !_options.ApplicationSecret.IsEmpty;
        _split = _active && (OfferFlags & ProfileOfferFlags.Split) != 0 && (offer!.Value.Flags & ProfileOfferFlags.Split) != 0;
        if (!_active && _options.Required)
        {
            Connection.Counters.ProfileRefused++;
            return false;
        }

        return true;
    }

    /// <inheritdoc/>
    public override void OnKeysExchanged(TimeSpan now)
    {
        if (!_active)
        {
            return;
        }

        ulong keyA = Connection.IsClient ? Connection.LocalKey.Key : Connection.RemoteKey;
        ulong keyB = Connection.IsClient ? Connection.RemoteKey : Connection.LocalKey.Key;
        if (!_options.ApplicationSecret.IsEmpty)
        {
            // Both ends derive the same secret now; there is nothing to exchange or confirm.
            UseSecret(now, ConnectionSecret.FromApplicationSecret(_options.ApplicationSecret.Span, keyA, keyB));
            _first.PeerHasOurShare = true;
            return;
        }

        _first.Start(now, bytes => _random.NextBytes(bytes));
        if (CanSendControl)
        {
            Connection.RequestPureAck();
        }
    }

    /// <inheritdoc/>
    public override void OnTimer(TimeSpan now)
    {
        if (_active && _first.Due <= now && CanSendControl && HasPathForControl)
        {
            Connection.RequestPureAck();
        }

        if (_second.Due <= now && _splitSubflow is { } split)
        {
            if (split.Phase != SubflowPhase.Closed)
            {
                split.Tcp.RequestAcknowledgment();
            }
            else if (_second.Keys is null)
            {
                // The first join died before the second stage: the next join carries it.
                _splitSubflow = null;
                _second.Reset();
            }
            else
            {
                // We hold the final secret; the peer's confirmation can come on any subflow.
                _second.StopRepeating();
            }
        }
    }

    /// <inheritdoc/>
    public override void OnSegment(TimeSpan now, MptcpSubflow subflow, in TcpHeader segment)
    {
        if (!_active)
        {
            return;
        }

        foreach (TcpOption option in segment.ReadOptions())
        {
            if (option.Kind is not (TcpOptionKind.Experimental1 or TcpOptionKind.Experimental2))
            {
                continue;
            }

            if (KeyShareOption.TryParse(option.Bytes, out KeyShareOption part, out _))
            {
                if (!part.SecondStage)
                {
                    OnSharePart(now, part);
                }
                else if (subflow == _splitSubflow)
                {
                    OnSecondStagePart(now, subflow, part);
                }
            }
            else if (KeyConfirmOption.TryParse(option.Bytes, out KeyConfirmOption confirm, out _) && confirm.SecondStage)
            {
                if (_second.Keys is { } keys2)
                {
                    if (confirm.Tag != KeyConfirmOption.ComputeTag(keys2, PeerRole))
                    {
                        Connection.Counters.ProfileKeyMismatches++;
                        Connection.AbortForPrivacy(now, "the peer's second-stage key confirmation does not match our secret");
                        return;
                    }

                    if (!_secondStageReady)
                    {
                        _second.PeerHasOurShare = true;
                        _secondStageReady = true;
                        Connection.OnPrivacyReady(now);
                    }
                }
            }
            else if (KeyConfirmOption.TryParse(option.Bytes, out confirm, out _) && _first.Keys is { } firstKeys)
            {
                if (confirm.Tag != KeyConfirmOption.ComputeTag(firstKeys, PeerRole))
                {
                    // The peer derived another secret: someone replaced a share. Never run on it.
                    Connection.Counters.ProfileKeyMismatches++;
                    Connection.AbortForPrivacy(now, "the peer's key confirmation does not match our secret");
                    return;
                }

                if (!_first.PeerHasOurShare)
                {
                    _first.PeerHasOurShare = true;
                    Connection.OnPrivacyReady(now);
                }
            }
        }
    }

    /// <inheritdoc/>
    public override bool ControlDue(TimeSpan now) =>
        _active && ((_first.ControlDue(now) && (CanSendControl || _first.ConfirmOwed)) || _second.ControlDue(now));

    /// <inheritdoc/>
    public override int WriteControl(TimeSpan now, MptcpSubflow subflow, Span<byte> destination)
    {
        if (!_active)
        {
            return 0;
        }

        // First-stage confirmation and share (on any subflow; the client's only once it may send
        // them), then the second stage's (its share on the split subflow only).
        int written = _first.WriteConfirm(Role, destination);
        if (CanSendControl)
        {
            written += _first.WritePart(now, subflow, destination[written..]);
        }

        written += _second.WriteConfirm(Role, destination[written..]);
        if (subflow == _splitSubflow)
        {
            written += _second.WritePart(now, subflow, destination[written..]);
        }

        return written;
    }

    /// <inheritdoc/>
    public override void OnSubflowEstablished(TimeSpan now, MptcpSubflow subflow)
    {
        if (!_split || _splitSubflow is not null || _keys is null || subflow.Role is not (SubflowRole.JoinActive or SubflowRole.JoinPassive)
            || subflow.PrivacyState.Label.TokenIssuer != PrivacyRole.B || subflow.PrivacyState.Label.IsInitial)
        {
            return;
        }

        // The client's first join: the second pair of shares crosses its path.
        _splitSubflow = subflow;
        _second.Start(now, bytes => _random.NextBytes(bytes));
        subflow.Tcp.RequestAcknowledgment();
    }

    /// <inheritdoc/>
    public override void OnClosed()
    {
        if (_window is not null)
        {
            Connection.Endpoint.ProfileTokens.Remove(_window);
            _window = null;
        }

        _first.Reset();
        _second.Reset();
    }

    /// <inheritdoc/>
    public override (uint Token, uint Nonce) StartJoin(MptcpSubflow subflow, uint randomNonce)
    {
        if (!_active || _peerTokens is null || _keys is null)
        {
            return base.StartJoin(subflow, randomNonce);
        }

        JoinToken token = _peerTokens.Take();
        SubflowPrivacy state = subflow.PrivacyState;
        state.Token = token.Value;
        state.LocalNonce = token.NonceField;
        UseLabel(state, SubflowLabel.Join(PeerRole, token.Index));
        return (token.TokenField, token.NonceField);
    }

    /// <summary>Takes a passive join found by its token: the reservation is spent once its HMAC verifies.</summary>
    public void OnJoinReserved(MptcpSubflow subflow, in JoinReservation<MptcpConnection> reservation)
    {
        SubflowPrivacy state = subflow.PrivacyState;
        state.Token = reservation.Token.Value;
        state.RemoteNonce = reservation.Token.NonceField;
        state.Reservation = reservation;
        UseLabel(state, SubflowLabel.Join(Role, reservation.Token.Index));
    }

    /// <inheritdoc/>
    public override byte WireAddressId(MptcpSubflow subflow)
    {
        if (!_active)
        {
            return base.WireAddressId(subflow);
        }

        SubflowPrivacy state = subflow.PrivacyState;
        if (state.WireAddressId is not { } id)
        {
            id = _addressIds.TryAllocate(out byte drawn) ? drawn : (byte)_random.Next(1, 256);
            state.WireAddressId = id;
        }

        return id;
    }

    /// <inheritdoc/>
    public override ulong SynAckHmac(MptcpSubflow subflow) => !_active || _keys is null
        ? base.SynAckHmac(subflow)
        : ProfileJoinHmac.SynAck(_keys.JoinHmacKey(Role), subflow.PrivacyState.LocalNonce, subflow.PrivacyState.Token);

    /// <inheritdoc/>
    public override bool IsSynAckHmacValid(MptcpSubflow subflow, ulong truncatedHmac, uint nonceB) => !_active || _keys is null
        ? base.IsSynAckHmacValid(subflow, truncatedHmac, nonceB)
        : ProfileJoinHmac.SynAck(_keys.JoinHmacKey(PeerRole), nonceB, subflow.PrivacyState.Token) == truncatedHmac;

    /// <inheritdoc/>
    public override void AckHmac(MptcpSubflow subflow, Span<byte> destination)
    {
        if (!_active || _keys is null)
        {
            base.AckHmac(subflow, destination);
            return;
        }

        ProfileJoinHmac.Ack(_keys.JoinHmacKey(Role), subflow.PrivacyState.RemoteNonce, subflow.PrivacyState.Token, destination);
    }

    /// <inheritdoc/>
    public override bool IsAckHmacValid(MptcpSubflow subflow, ReadOnlySpan<byte> wireHmac) => !_active || _keys is null
        ? base.IsAckHmacValid(subflow, wireHmac)
        : ProfileJoinHmac.IsAckValid(_keys.JoinHmacKey(PeerRole), subflow.PrivacyState.LocalNonce, subflow.PrivacyState.Token, wireHmac);

    /// <inheritdoc/>
    public override void OnJoinVerified(MptcpSubflow subflow)
    {
        if (subflow.PrivacyState.Reservation is { } reservation)
        {
            subflow.PrivacyState.Reservation = null;
            Connection.Endpoint.ProfileTokens.Spend(reservation);
        }
    }

    /// <inheritdoc/>
    public override void OnJoinAbandoned(MptcpSubflow subflow)
    {
        if (subflow.PrivacyState.Reservation is { } reservation)
        {
            subflow.PrivacyState.Reservation = null;
            Connection.Endpoint.ProfileTokens.Release(reservation);
        }
    }

    /// <inheritdoc/>
    public override void AddRemovals(byte localAddressId, IReadOnlyList<MptcpSubflow> subflows, List<byte> removals)
    {
        if (!_active || _keys is null)
        {
            base.AddRemovals(localAddressId, subflows, removals);
            return;
        }

        // One ID per subflow that used the address, each a PRF of the subflow's label: the peer
        // finds the subflows, an observer cannot tie the IDs to the joins they name.
        foreach (MptcpSubflow subflow in subflows)
        {
            if (subflow.LocalAddressId == localAddressId)
            {
                removals.Add(SubflowOffsets.RemoveAddressId(_keys.DsnOffsetKey(Role), subflow.PrivacyState.Label));
            }
        }
    }

    /// <inheritdoc/>
    public override bool TryFindRemoved(ReadOnlySpan<byte> ids, IReadOnlyList<MptcpSubflow> subflows, List<MptcpSubflow> named)
    {
        if (!_active || _keys is null)
        {
            return false;
        }

        foreach (MptcpSubflow subflow in subflows)
        {
            if (ids.Contains(SubflowOffsets.RemoveAddressId(_keys.DsnOffsetKey(PeerRole), subflow.PrivacyState.Label)))
            {
                named.Add(subflow);
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override int WriteAnnouncement(byte addressId, IpAddressBytes address, ushort? port, Span<byte> destination)
    {
        if (!_active || _keys is null)
        {
            return base.WriteAnnouncement(addressId, address, port, destination);
        }

        Span<byte> sealedOption = stackalloc byte[32];
        int length = SealAnnouncement(addressId, address, port, sealedOption);
        if (length > destination.Length)
        {
            return -1;
        }

        sealedOption[..length].CopyTo(destination);
        return length;
    }

    /// <inheritdoc/>
    public override bool TryReadAnnouncement(in AddAddrOption option, out byte addressId, out IpAddressBytes address, out ushort? port)
    {
        if (!_active || _keys is null)
        {
            return base.TryReadAnnouncement(option, out addressId, out address, out port);
        }

        byte[] bytes = new byte[option.EncodedLength];
        option.Encode(bytes);
        if (!SealedAddAddr.TryOpen(_keys.AddAddrSealKey(PeerRole), bytes, out OpenedAddAddr opened))
        {
            (addressId, address, port) = (0, default, null);
            return false;
        }

        (addressId, address, port) = (opened.AddressId, opened.Address, opened.Port);
        _received[opened.AddressId] = bytes;
        return true;
    }

    /// <inheritdoc/>
    public override int WriteEcho(byte addressId, IpAddressBytes address, ushort? port, Span<byte> destination)
    {
        if (!_active || _keys is null || !_received.TryGetValue(addressId, out byte[]? announcement))
        {
            return base.WriteEcho(addressId, address, port, destination);
        }

        Span<byte> echo = stackalloc byte[32];
        int length = SealedAddAddr.SealEcho(_keys.AddAddrEchoKey(Role), announcement, echo);
        if (length > destination.Length)
        {
            return -1;
        }

        echo[..length].CopyTo(destination);
        return length;
    }

    /// <inheritdoc/>
    public override bool IsEchoOf(in AddAddrOption echo, byte addressId, IpAddressBytes address, ushort? port)
    {
        if (!_active || _keys is null)
        {
            return base.IsEchoOf(echo, addressId, address, port);
        }

        Span<byte> announcement = stackalloc byte[32];
        int length = SealAnnouncement(addressId, address, port, announcement);
        Span<byte> echoBytes = stackalloc byte[echo.EncodedLength];
        echo.Encode(echoBytes);
        return SealedAddAddr.IsEchoOf(_keys.AddAddrEchoKey(PeerRole), echoBytes, announcement[..length]);
    }

    // The same announcement seals to the same bytes (its tag is a synthetic IV), so a retransmission
    // repeats itself and the echo can be checked against it; the wire ID is drawn once per announcement.
    private int SealAnnouncement(byte addressId, IpAddressBytes address, ushort? port, Span<byte> destination)
    {
        if (!_announcementIds.TryGetValue(addressId, out byte wireId))
        {
            wireId = _addressIds.TryAllocate(out byte drawn) ? drawn : (byte)_random.Next(1, 256);
            _announcementIds[addressId] = wireId;
        }

        return SealedAddAddr.Seal(_keys!.AddAddrSealKey(Role), wireId, address, port, destination);
    }

    private void OnSharePart(TimeSpan now, KeyShareOption part)
    {
        // Every share (or half) received is answered with a confirmation once the secret exists:
        // the peer repeats its share only while it has not seen one.
        _first.ConfirmOwed = true;
        if (_first.Keys is not null)
        {
            Connection.RequestPureAck();
            return;
        }

        if (!_first.TryAgree(part, out byte[]? shared, out byte[]? peerShare, out byte[]? ownShare))
        {
            if (shared is null && peerShare is not null)
            {
                // Not a point on the curve: what we had is dropped and the share awaited again.
                Connection.Counters.ProfileBadKeyShares++;
            }

            return;
        }

        ulong keyA = Connection.IsClient ? Connection.LocalKey.Key : Connection.RemoteKey;
        ulong keyB = Connection.IsClient ? Connection.RemoteKey : Connection.LocalKey.Key;
        ReadOnlySpan<byte> shareA = Connection.IsClient ? ownShare : peerShare;
        ReadOnlySpan<byte> shareB = Connection.IsClient ? peerShare : ownShare;
        UseSecret(now, ConnectionSecret.FromKeyAgreement(shared, keyA, keyB, shareA, shareB));
        Connection.RequestPureAck();
    }

    private void UseSecret(TimeSpan now, ConnectionSecret secret)
    {
        _firstSecret = secret;
        _keys = secret.DeriveKeys();
        _first.Keys = _keys;
        _peerTokens = new JoinTokenSequence(_keys.JoinTokenKey(PeerRole));
        _window = Connection.Endpoint.ProfileTokens.Register(Connection, _keys.JoinTokenKey(Role));
        Connection.OnPrivacyReady(now);
    }

    private void UseLabel(SubflowPrivacy state, SubflowLabel label)
    {
        state.Label = label;
        state.SendDsnOffset = SubflowOffsets.DsnOffset(_keys!.DsnOffsetKey(Role), label);
        state.ReceiveDsnOffset = SubflowOffsets.DsnOffset(_keys.DsnOffsetKey(PeerRole), label);
    }

    private void OnSecondStagePart(TimeSpan now, MptcpSubflow subflow, KeyShareOption part)
    {
        _second.ConfirmOwed = true;
        if (_second.Keys is not null || _firstSecret is null)
        {
            subflow.Tcp.RequestAcknowledgment();
            return;
        }

        if (!_second.TryAgree(part, out byte[]? shared, out byte[]? peerShare, out byte[]? ownShare))
        {
            if (shared is null && peerShare is not null)
            {
                Connection.Counters.ProfileBadKeyShares++;
            }

            return;
        }

        // PRK' = HKDF-Extract(PRK, Z2 ‖ R-A ‖ R-B) with the join's nonces (R-A its initiator's, the client's).
        uint nonceA = subflow.Role == SubflowRole.JoinActive ? subflow.PrivacyState.LocalNonce : subflow.PrivacyState.RemoteNonce;
        uint nonceB = subflow.Role == SubflowRole.JoinActive ? subflow.PrivacyState.RemoteNonce : subflow.PrivacyState.LocalNonce;
        ReadOnlySpan<byte> shareA2 = Connection.IsClient ? ownShare : peerShare;
        ReadOnlySpan<byte> shareB2 = Connection.IsClient ? peerShare : ownShare;
        ConnectionSecret final = _firstSecret.CombineSplit(shared, shareA2, shareB2, nonceA, nonceB);
        ProfileKeys keys2 = final.DeriveKeys();
        _second.Keys = keys2;

        // Every later token, seal and offset comes from the final secret; the first stage's tokens go.
        if (_window is not null)
        {
            Connection.Endpoint.ProfileTokens.Remove(_window);
        }

        _keys = keys2;
        _peerTokens = new JoinTokenSequence(keys2.JoinTokenKey(PeerRole));
        _window = Connection.Endpoint.ProfileTokens.Register(Connection, keys2.JoinTokenKey(Role));
        subflow.Tcp.RequestAcknowledgment();
    }
}
