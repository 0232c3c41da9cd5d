namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The joining side's view of the tokens its peer issued: it hands out each token once, in order.
/// A SYN retransmitted on the same path keeps its token; any new attempt, from any local address,
/// and any retry after a failure takes the next one (the rule of RFC 9000 §9.5: never reuse an
/// identifier from a different local address), so no token value appears on two paths.
/// </summary>
public sealed class JoinTokenSequence
{
    private readonly byte[] _peerTokenKey;

    /// <summary>Makes the sequence of the tokens issued under <paramref name="peerTokenKey"/> (the peer's join token key), starting at index 0.</summary>
    public JoinTokenSequence(ReadOnlySpan<byte> peerTokenKey) => _peerTokenKey = peerTokenKey.ToArray();

    /// <summary>The index the next <see cref="Take"/> returns.</summary>
    public ulong NextIndex { get; private set; }

    /// <summary>Returns a token never handed out before, for a new join attempt.</summary>
    public JoinToken Take() => JoinToken.Derive(_peerTokenKey, NextIndex++);
}
