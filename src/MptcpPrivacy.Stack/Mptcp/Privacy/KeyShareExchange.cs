using MptcpPrivacy.Privacy;
using MptcpPrivacy.Privacy.Profile;

namespace MptcpPrivacy.Stack.Mptcp.Privacy;

/// <summary>
/// One P-256 key exchange of the profile (the first stage on the initial subflow, or the split
/// mode's second stage on the client's first join): our share repeated in two halves on pure ACKs
/// every retransmission timeout until the peer confirms it, the peer's halves assembled, and the
/// confirmation we owe for every share received once we hold the keys.
/// </summary>
internal sealed class KeyShareExchange(bool secondStage)
{
    private readonly List<KeyShareOption> _peerParts = [];
    private P256KeyShare? _share;
    private byte[]? _compressed;
    private KeyShareOption[]? _parts;
    private int _next;
    private bool _peerHasOurShare;

    /// <summary>Gets when our share goes out next (null: not started, or confirmed).</summary>
    public TimeSpan? Due { get; private set; }

    /// <summary>Gets or sets whether a share arrived since our last confirmation.</summary>
    public bool ConfirmOwed { get; set; }

    /// <summary>Gets or sets the keys this exchange produced (null until then).</summary>
    public ProfileKeys? Keys { get; set; }

    /// <summary>Gets or sets whether the peer confirmed our share; it is then sent no more and forgotten.</summary>
    public bool PeerHasOurShare
    {
        get => _peerHasOurShare;
        set
        {
            _peerHasOurShare = value;
            if (value)
            {
                Due = null;
                _share?.Dispose();
                _share = null;
            }
        }
    }

    /// <summary>Draws our share and makes it due now.</summary>
    public void Start(TimeSpan now, RandomBytes random)
    {
        _share?.Dispose();
        _share = P256KeyShare.Generate(random);
        _compressed = _share.PublicKey.ToArray();
        _parts = KeyShareOption.FromCompressed(_compressed, secondStage, halves: true);
        _next = 0;
        Due = now;
    }

    /// <summary>Forgets everything (the exchange starts again on another subflow, or the connection closed).</summary>
    public void Reset()
    {
        _share?.Dispose();
        (_share, _compressed, _parts, _next, Due, ConfirmOwed, Keys) = (null, null, null, 0, null, false, null);
        _peerParts.Clear();
    }

    /// <summary>Stops repeating our share (we hold the keys; the peer's confirmation may come on any subflow).</summary>
    public void StopRepeating() => Due = null;

    /// <summary>Returns whether a confirmation or a part of our share is due.</summary>
    public bool ControlDue(TimeSpan now) => (ConfirmOwed && Keys is not null) || (Due is { } due && due <= now && _parts is not null);

    /// <summary>Writes the confirmation we owe, if it fits; returns its length.</summary>
    public int WriteConfirm(PrivacyRole role, Span<byte> destination)
    {
        if (!ConfirmOwed || Keys is not { } keys || destination.Length < KeyConfirmOption.Length)
        {
            return 0;
        }

        ConfirmOwed = false;
        return new KeyConfirmOption(KeyConfirmOption.ComputeTag(keys, role), secondStage).Encode(destination);
    }

    /// <summary>Writes the next half of our share when due and it fits; returns its length.</summary>
    public int WritePart(TimeSpan now, MptcpSubflow subflow, Span<byte> destination)
    {
        if (PeerHasOurShare || _parts is not { } parts || Due is not { } due || due > now || parts[_next].EncodedLength > destination.Length)
        {
            return 0;
        }

        int written = parts[_next].Encode(destination);
        _next = (_next + 1) % parts.Length;
        if (_next == 0)
        {
            // The whole share went out: again after a retransmission timeout unless confirmed.
            Due = now + subflow.Tcp.RetransmissionTimeout.Current;
        }
        else
        {
            subflow.Tcp.RequestAcknowledgment();
        }

        return written;
    }

    /// <summary>
    /// Adds a part of the peer's share; once it is whole, agrees on the shared secret. False while a
    /// part is missing (<paramref name="peerShare"/> null) or when the share is not a point on the
    /// curve (<paramref name="peerShare"/> set, <paramref name="shared"/> null: the parts are dropped).
    /// </summary>
    public bool TryAgree(KeyShareOption part, out byte[]? shared, out byte[]? peerShare, out byte[]? ownShare)
    {
        (shared, peerShare, ownShare) = (null, null, _compressed);
        if (_share is null || _compressed is null)
        {
            return false;
        }

        _peerParts.RemoveAll(p => p.Part == part.Part);
        _peerParts.Add(part);
        byte[] assembled = new byte[P256Point.CompressedLength];
        if (!KeyShareOption.TryAssemble(_peerParts.ToArray(), assembled))
        {
            return false;
        }

        peerShare = assembled;
        byte[] secret = new byte[32];
        if (!_share.TryDeriveSharedSecret(assembled, secret))
        {
            _peerParts.Clear();
            ConfirmOwed = false;
            return false;
        }

        shared = secret;
        return true;
    }
}
