using MptcpPrivacy.Privacy;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>Seeded randomness for the privacy tests: same seed, same bytes.</summary>
internal static class PrivacyTestSupport
{
    public static RandomBytes Seeded(int seed)
    {
        var random = new Random(seed);
        return destination => random.NextBytes(destination);
    }
}
