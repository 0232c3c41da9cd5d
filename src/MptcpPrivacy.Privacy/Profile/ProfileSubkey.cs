namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// The named subkeys the profile expands from a <see cref="ConnectionSecret"/>; each exists once per
/// <see cref="PrivacyRole"/> (the owner: the host that issues, seals, sends or offsets with it).
/// See docs/design/privacy-profile.md, "Key schedule".
/// </summary>
public enum ProfileSubkey : byte
{
    /// <summary>Derives the join tokens the owner issues and accepts (joins toward the owner).</summary>
    JoinToken = 1,

    /// <summary>Keys the MP_JOIN HMACs the owner sends (replaces Key-owner ‖ Key-peer of RFC 8684 §3.2).</summary>
    JoinHmac = 2,

    /// <summary>Seals the ADD_ADDR options the owner sends (64 bytes: 32 MAC key, 32 keystream key).</summary>
    AddAddrSeal = 3,

    /// <summary>Keys the echoes of ADD_ADDR the owner sends back.</summary>
    AddAddrEcho = 4,

    /// <summary>Derives the per-subflow offsets on the DSNs the owner sends (and the Data ACKs that acknowledge them).</summary>
    DsnOffset = 5,

    /// <summary>Derives the per-subflow offsets on the TSvals the owner sends.</summary>
    TimestampOffset = 6,

    /// <summary>The owner's initial data sequence number (8 bytes).</summary>
    Idsn = 7,
}
