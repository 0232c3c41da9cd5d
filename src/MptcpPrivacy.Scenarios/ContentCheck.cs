namespace MptcpPrivacy.Scenarios;

/// <summary>How a scenario's applications make sure what arrived is what was sent.</summary>
public enum ContentCheck
{
    /// <summary>
    /// Each side keeps the SHA-256 of everything it wrote and of everything it read; a direction is
    /// complete when the two digests match. The digests go into the result (and the CLI's summary).
    /// </summary>
    Sha256,

    /// <summary>
    /// The receiver regenerates the sender's pseudo-random content (it knows the seed) and compares
    /// every byte it reads with it as it arrives; no digest is kept. As strict as
    /// <see cref="Sha256"/> (a single wrong, missing or extra byte fails the direction), at a
    /// fraction of the cost, so that a benchmark measures the stack rather than the hash.
    /// </summary>
    Pattern,
}
