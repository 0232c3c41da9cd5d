using MptcpPrivacy.Privacy;
using MptcpPrivacy.Privacy.Draft;
using MptcpPrivacy.Privacy.Profile;

namespace MptcpPrivacy.Stack.Mptcp.Privacy;

/// <summary>
/// Which of issue 6's wire privacy modes a host runs, and how (docs/design/privacy-profile.md).
/// </summary>
public sealed record PrivacyOptions
{
    /// <summary>Gets the mode: RFC 8684 as written, the draft's mechanisms as written, or the privacy profile.</summary>
    public PrivacyMode Mode { get; init; } = PrivacyMode.Standard;

    /// <summary>
    /// Gets whether a profile host refuses to run without the profile (the offer's R flag): a client
    /// resets a connection whose SYN/ACK does not accept the offer, a server resets a SYN that does
    /// not offer it. Without it a peer that does not know the profile (Linux) gets standard MPTCP.
    /// </summary>
    public bool Required { get; init; }

    /// <summary>
    /// Gets a secret the application agreed with its peer beforehand (for example a TLS exporter,
    /// at least 16 bytes): the profile's connection secret comes from it instead of a P-256 key
    /// agreement (the offer's P flag), so no key share crosses the network.
    /// </summary>
    public ReadOnlyMemory<byte> ApplicationSecret { get; init; }

    /// <summary>
    /// Gets whether the profile splits its key agreement across two paths (the offer's S flag, used
    /// when both ends set it): a second pair of P-256 shares crosses the client's first join, and
    /// every later token, seal and offset comes from the secret of both stages, which an active
    /// attacker on one path alone cannot compute. Later joins and announcements wait for it.
    /// </summary>
    public bool SplitKeyAgreement { get; init; }

    /// <summary>Gets how many live single-use join tokens a profile connection keeps for its peer.</summary>
    public JoinTokenLimits JoinTokens { get; init; } = JoinTokenLimits.Default;

    /// <summary>Gets the draft's reading of its "trail of n zeros" (A: recompute and compare; B: decrypt and check the zeros).</summary>
    public DraftReading DraftReading { get; init; } = DraftReading.A;

    /// <summary>Gets the draft's n, in bits (reading A: a multiple of 8; reading B: 1 to 31).</summary>
    public int DraftZeroBits { get; init; } = 8;
}
