using MptcpPrivacy.Capture;

using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Tests.Capture;

public class CaptureInterfaceTests
{
    [Theory]
    [InlineData(1_000_000_000UL, 0L, 1_234_567_891UL, 1_234_567_891L)]
    [InlineData(1_000_000_000UL, 0L, ulong.MaxValue, long.MaxValue)] // saturates
    [InlineData(1_000_000UL, 0L, 1_500_000UL, 1_500_000_000L)]
    [InlineData(1_000_000UL, 0L, (ulong.MaxValue / 1000) + 1, long.MaxValue)] // past the fast path, still saturates
    [InlineData(1_000_000UL, 0L, 9_223_372_036_854_775UL, 9_223_372_036_854_775_000L)] // the largest the fast path takes
    [InlineData(1_000_000UL, -10L, 5_000_000UL, -5_000_000_000L)] // if_tsoffset may be negative
    [InlineData(1_000_000UL, 100L, 1UL, 100_000_001_000L)]
    [InlineData(1024UL, 0L, 1536UL, 1_500_000_000L)] // 2^-10 s
    [InlineData(1UL << 63, 0L, 3UL << 61, 750_000_000L)] // 2^-63 s: three quarters of a second
    [InlineData(10_000_000_000_000_000_000UL, 0L, 15_000_000_000_000_000_000UL, 1_500_000_000L)] // 10^-19 s
    [InlineData(1UL, -9_300_000_000L, 0UL, long.MinValue)] // saturates below too
    public void Ticks_become_nanoseconds(ulong ticksPerSecond, long offsetSeconds, ulong ticks, long expected)
    {
        var captureInterface = new CaptureInterface(LinkType.Ethernet, 0, null, ticksPerSecond, offsetSeconds, -1);
        Assert.Equal(expected, captureInterface.ToNanoseconds(ticks));
    }
}
