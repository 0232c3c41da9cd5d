namespace MptcpPrivacy.Tests.Cli;

/// <summary>
/// Places where tshark 4.0 shows a value that the bytes contradict. Each excuse names the capture,
/// frame and field, and a test here pins the bytes that show tshark is the one that is wrong.
/// </summary>
public class TsharkDisagreementTests
{
    private static readonly HashSet<(string Capture, long Frame, string Field)> Excuses = [];

    /// <summary>Whether a disagreement on this field of this frame is excused by a test below.</summary>
    public static bool Excused(string capture, long frame, string field) =>
        Excuses.Contains((capture.Replace('\\', '/'), frame, field));

    [Fact]
    public void EveryExcuseIsPinned() => Assert.Empty(Excuses);
}
