namespace MptcpPrivacy.Privacy;

/// <summary>How an endpoint protects what its MPTCP options reveal (issue 6).</summary>
public enum PrivacyMode
{
    /// <summary>RFC 8684 as written: keys in clear, one static token per connection, ADD_ADDR in clear.</summary>
    Standard,

    /// <summary>draft-bagnulo-mptcp-privacy-00 section 3 as written: ADD_ADDR encrypted and a token per join, both from the MP_CAPABLE keys.</summary>
    Draft,

    /// <summary>The project's privacy profile: a secret no passive observer can compute, single-use join tokens, sealed ADD_ADDR, no other linker.</summary>
    Profile,
}
