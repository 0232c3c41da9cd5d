namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// Which end of an MPTCP connection a host is, in RFC 8684's naming: A sent the MP_CAPABLE SYN,
/// B answered it. Every subkey of the profile exists once per role, so that what A seals, issues
/// or offsets can never be mistaken for what B does (no reflection of a value back to its sender).
/// </summary>
public enum PrivacyRole : byte
{
    /// <summary>Host A: the initiator of the connection (sent the MP_CAPABLE SYN).</summary>
    A = 0,

    /// <summary>Host B: the responder (sent the MP_CAPABLE SYN/ACK).</summary>
    B = 1,
}

/// <summary>Helpers on <see cref="PrivacyRole"/>.</summary>
public static class PrivacyRoleExtensions
{
    /// <summary>Returns the other end's role.</summary>
    public static PrivacyRole Peer(this PrivacyRole role) => role == PrivacyRole.A ? PrivacyRole.B : PrivacyRole.A;
}
