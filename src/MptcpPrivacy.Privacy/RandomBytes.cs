namespace MptcpPrivacy.Privacy;

/// <summary>
/// Fills a buffer with random bytes. Injected everywhere randomness is needed, so that tests run
/// with a seeded generator and production passes <see cref="System.Security.Cryptography.RandomNumberGenerator.Fill"/>.
/// </summary>
/// <param name="destination">The bytes to overwrite.</param>
public delegate void RandomBytes(Span<byte> destination);
