using MptcpPrivacy.Privacy.Profile;

namespace MptcpPrivacy.Stack.Mptcp.Privacy;

/// <summary>What a subflow's join and data options depend on, per subflow, in every mode.</summary>
internal sealed class SubflowPrivacy
{
    /// <summary>Gets or sets our nonce in the join (R-A or R-B; with the profile's joins, R-A is the token's low half).</summary>
    public uint LocalNonce { get; set; }

    /// <summary>Gets or sets the peer's nonce in the join.</summary>
    public uint RemoteNonce { get; set; }

    /// <summary>Gets or sets the profile's 64-bit join token this subflow used or was found by.</summary>
    public ulong Token { get; set; }

    /// <summary>Gets or sets the subflow's label for offsets: the initial subflow, or the token (issuer, index) of its join.</summary>
    public SubflowLabel Label { get; set; } = SubflowLabel.Initial;

    /// <summary>Gets or sets the passive join's reservation on its token, until the HMAC verified or the join failed.</summary>
    public JoinReservation<MptcpConnection>? Reservation { get; set; }

    /// <summary>Gets or sets the address ID the join carries for the local address.</summary>
    public byte? WireAddressId { get; set; }

    /// <summary>Gets or sets the offset of our data sequence numbers on this subflow (0 but with the profile).</summary>
    public ulong SendDsnOffset { get; set; }

    /// <summary>Gets or sets the offset of the peer's data sequence numbers on this subflow.</summary>
    public ulong ReceiveDsnOffset { get; set; }
}
