namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>
/// Which of issue 6's wire privacy modes both hosts of a scenario run ("profile": "privacy"); the
/// scenario runner turns it into the stack's <c>PrivacyMode</c>, which this layer does not know.
/// </summary>
public enum PrivacyProfile
{
    /// <summary>RFC 8684 as written ("standard").</summary>
    Standard,

    /// <summary>draft-bagnulo-mptcp-privacy-00 section 3 as written ("draft").</summary>
    Draft,

    /// <summary>The project's privacy profile ("privacy").</summary>
    Privacy,
}
