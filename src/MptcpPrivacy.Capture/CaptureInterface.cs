using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Capture;

/// <summary>
/// Describes one capture interface: a pcapng Interface Description Block, or the single implied
/// interface of a pcap file.
/// </summary>
/// <param name="LinkType">The link-layer header of this interface's packets (any 16-bit value may appear).</param>
/// <param name="SnapLength">The largest number of bytes captured per packet; 0 means no limit. Values above <see cref="int.MaxValue"/> are clamped.</param>
/// <param name="Name">The <c>if_name</c> option, or <see langword="null"/>.</param>
/// <param name="TicksPerSecond">The timestamp resolution: 1,000,000 for microseconds, 1,000,000,000 for nanoseconds, 1024 for 2^-10 s.</param>
/// <param name="TimestampOffsetSeconds">The <c>if_tsoffset</c> option: seconds to add to every timestamp (0 if absent).</param>
/// <param name="FcsLength">How many bytes of frame check sequence end each packet, or -1 if the file does not say.</param>
public sealed record CaptureInterface(LinkType LinkType, int SnapLength, string? Name, ulong TicksPerSecond, long TimestampOffsetSeconds, int FcsLength)
{
    private const long NanosecondsPerSecond = 1_000_000_000;

    /// <summary>Converts a timestamp in this interface's ticks to nanoseconds since the Unix epoch, saturating at the range of <see cref="long"/>.</summary>
    internal long ToNanoseconds(ulong ticks)
    {
        // The resolutions writers actually use, without the wide arithmetic.
        if (TimestampOffsetSeconds == 0)
        {
            if (TicksPerSecond == NanosecondsPerSecond && ticks <= long.MaxValue)
            {
                return (long)ticks;
            }

            if (TicksPerSecond == 1_000_000 && ticks <= long.MaxValue / 1000)
            {
                return (long)ticks * 1000;
            }
        }

        // Files may claim any resolution and any tick count: do the arithmetic wide, then clamp,
        // so that a silly timestamp is a silly value and never an overflow.
        Int128 seconds = ticks / TicksPerSecond;
        Int128 fraction = ticks % TicksPerSecond;
        var nanoseconds = ((seconds + TimestampOffsetSeconds) * NanosecondsPerSecond) + (fraction * NanosecondsPerSecond / TicksPerSecond);
        return nanoseconds > long.MaxValue ? long.MaxValue : nanoseconds < long.MinValue ? long.MinValue : (long)nanoseconds;
    }
}
