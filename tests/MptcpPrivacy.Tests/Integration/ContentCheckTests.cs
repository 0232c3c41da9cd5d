using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;

namespace MptcpPrivacy.Tests.Integration;

/// <summary>
/// The benchmark's cheaper content check (<see cref="ContentCheck.Pattern"/>) must be as strict as
/// the SHA-256 digests it stands in for: every wrong, missing or extra byte fails.
/// </summary>
public class ContentCheckTests
{
    private const int Chunk = 64 * 1024;

    private static byte[] Content(int seed, long length)
    {
        // What a BulkTransfer writes: the pattern drawn in 64 KiB chunks, the last one short.
        var pattern = new ContentPattern(seed);
        byte[] bytes = new byte[length];
        for (int at = 0; at < bytes.Length; at += Chunk)
        {
            pattern.Fill(bytes.AsSpan(at, Math.Min(Chunk, bytes.Length - at)));
        }

        return bytes;
    }

    private static ScenarioSpec TwoPaths(string path1, string path2, long up, long down, int seed) => new()
    {
        Paths = [PathSpec.Parse(path1), PathSpec.Parse(path2)],
        ClientToServerBytes = up,
        ServerToClientBytes = down,
        Seed = seed,
        DurationNs = 600_000_000_000,
    };

    private static long? Verify(int seed, long length, byte[] received, int piece)
    {
        var verifier = new PatternVerifier(seed, length);
        for (int at = 0; at < received.Length; at += piece)
        {
            verifier.Check(received.AsSpan(at, Math.Min(piece, received.Length - at)));
        }

        return verifier.FirstMismatchAt;
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(4096, 1)]
    [InlineData(65_535, 3)]
    [InlineData(100_000, 65_536)]
    public void TheSendersContentInAnyPiecesMatches(int piece, int seed)
    {
        // 200,003 bytes: three whole chunks and a short one whose length is not a multiple of 8.
        byte[] content = Content(seed, 200_003);
        Assert.Null(Verify(seed, content.Length, content, piece));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(200_002)]
    public void OneWrongByteIsFoundWhereItIs(int at)
    {
        byte[] content = Content(5, 200_003);
        content[at] ^= 0x01;
        Assert.Equal(at, Verify(5, content.Length, content, 1500));
    }

    [Fact]
    public void AnyWrongByteInAnyPiecesIsFoundWhereItIs()
    {
        // Seeded: lengths with and without a tail, pieces of any size (words split across reads),
        // one byte flipped anywhere, the vector checks and the scalar ones all crossed.
        var random = new Random(8684);
        for (int trial = 0; trial < 200; trial++)
        {
            int length = random.Next(1, 150_000);
            int seed = random.Next();
            byte[] content = Content(seed, length);
            int piece = random.Next(1, 3) == 1 ? random.Next(1, 20) : random.Next(1, 70_000);
            Assert.Null(Verify(seed, length, content, piece));
            int at = random.Next(length);
            content[at] ^= (byte)random.Next(1, 256);
            Assert.Equal(at, Verify(seed, length, content, piece));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(65_536)]
    [InlineData(131_075)]
    public void ShortAndExactLengthsMatch(int length)
    {
        byte[] content = Content(9, length);
        Assert.Null(Verify(9, length, content, 5));
        Assert.Null(Verify(9, length, content, 100_000));
    }

    [Fact]
    public void AnExtraByteAfterTheEndIsAMismatch()
    {
        byte[] content = [.. Content(5, 1000), 0];
        Assert.Equal(1000, Verify(5, 1000, content, 1500));
    }

    [Fact]
    public void AnotherSeedsContentIsAMismatch() =>
        Assert.Equal(0, Verify(6, 1000, Content(5, 1000), 100));

    [Fact]
    public void AScenarioCheckedByPatternCompletesWithoutDigests()
    {
        ScenarioSpec spec = TwoPaths("rate=20M,rtt=20ms,loss=1%,reorder=1%", "rate=20M,rtt=40ms,dup=1%", 300_001, 200_003, seed: 3);
        ScenarioResult r = ScenarioRunner.Run(spec, check: ContentCheck.Pattern);
        Assert.True(r.Success);
        Assert.Equal(300_001, r.Upload.BytesDelivered);
        Assert.Equal(200_003, r.Download.BytesDelivered);
        Assert.Null(r.Upload.SentSha256);
        Assert.Null(r.Download.DeliveredSha256);
    }

    [Fact]
    public void BothChecksSeeTheSameTransfer()
    {
        // The check is the applications' business: the packets on the wire are the same either way.
        ScenarioSpec spec = TwoPaths("rate=20M,rtt=20ms,loss=1%", "rate=20M,rtt=40ms", 500_000, 0, seed: 4);
        var withDigests = new MemoryStream();
        var withPattern = new MemoryStream();
        Assert.True(ScenarioRunner.Run(spec, withDigests).Success);
        Assert.True(ScenarioRunner.Run(spec, withPattern, check: ContentCheck.Pattern).Success);
        Assert.Equal(withDigests.ToArray(), withPattern.ToArray());
    }
}
