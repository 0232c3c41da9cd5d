using System.Globalization;

namespace MptcpPrivacy.Audit.Reporting;

/// <summary>
/// The horizontal time scale of a timeline: a domain of nanoseconds relative to an origin, rounded
/// out to whole multiples of a "nice" tick step (1, 2 or 5 × 10^k ns), mapped onto a pixel interval.
/// </summary>
/// <remarks>
/// All tick arithmetic is done on integer nanoseconds (<see cref="Int128"/>, so two extreme
/// <see cref="long"/> timestamps cannot overflow) rather than on doubles: ticks then land exactly on
/// their labels, and the labels are exact integers of the chosen unit.
/// </remarks>
internal sealed class TimeAxis
{
    /// <summary>Pixels one character of a tick label takes (11 px monospace, with some slack).</summary>
    public const double TickLabelCellWidth = 6.8;

    /// <summary>The width given to a zero-length range (a single packet), so the scale is still defined.</summary>
    private const long ZeroRangeNs = 1_000;

    private static readonly (long Ns, string Name)[] Units =
    [
        (1, "ns"), (1_000, "\u00B5s"), (1_000_000, "ms"), (1_000_000_000, "s"),
    ];

    private readonly long _originNs;
    private readonly long _unitNs;
    private readonly string _unitName;

    private TimeAxis(long originNs, Int128 lo, Int128 hi, Int128 step, double left, double width)
    {
        _originNs = originNs;
        Lo = lo;
        Hi = hi;
        Step = step;
        Left = left;
        Width = width;
        (_unitNs, _unitName) = Units[0];
        foreach ((long ns, string name) in Units)
        {
            if (step >= ns)
            {
                (_unitNs, _unitName) = (ns, name);
            }
        }

        var ticks = new List<Int128>();
        for (Int128 t = lo; t <= hi; t += step)
        {
            ticks.Add(t);
        }

        Ticks = ticks;
    }

    /// <summary>Gets the relative time, in nanoseconds, at the left edge of the plot.</summary>
    public Int128 Lo { get; }

    /// <summary>Gets the relative time, in nanoseconds, at the right edge of the plot.</summary>
    public Int128 Hi { get; }

    /// <summary>Gets the distance between ticks in nanoseconds: 1, 2 or 5 × 10^k.</summary>
    public Int128 Step { get; }

    /// <summary>Gets the pixel x of the plot's left edge.</summary>
    public double Left { get; }

    /// <summary>Gets the plot's width in pixels.</summary>
    public double Width { get; }

    /// <summary>Gets the tick positions, relative nanoseconds, from <see cref="Lo"/> to <see cref="Hi"/> inclusive.</summary>
    public IReadOnlyList<Int128> Ticks { get; }

    /// <summary>
    /// Builds the scale for data between <paramref name="dataLo"/> and <paramref name="dataHi"/>
    /// (nanoseconds relative to <paramref name="originNs"/>) drawn over <paramref name="width"/> pixels.
    /// </summary>
    public static TimeAxis Create(long originNs, Int128 dataLo, Int128 dataHi, double left, double width)
    {
        if (dataHi < dataLo)
        {
            (dataLo, dataHi) = (dataHi, dataLo);
        }

        if (dataHi == dataLo)
        {
            dataHi = dataLo + ZeroRangeNs;
        }

        // About one tick per 80 px; then widen the step until the widest label fits between ticks.
        int maxTicks = Math.Max(2, (int)(width / 80));
        Int128 range = dataHi - dataLo;
        for (Int128 decade = 1; ; decade *= 10)
        {
            foreach (int m in (ReadOnlySpan<int>)[1, 2, 5])
            {
                Int128 step = decade * m;
                if (step * maxTicks < range)
                {
                    continue;
                }

                Int128 lo = FloorDiv(dataLo, step) * step;
                Int128 hi = CeilDiv(dataHi, step) * step;
                var axis = new TimeAxis(originNs, lo, hi, step, left, width);
                double stepPx = width * (double)step / (double)(hi - lo);
                double labelPx = axis.Ticks.Max(t => axis.Label(t).Length) * TickLabelCellWidth + 10;
                // Three ticks always fit a plot a few hundred pixels wide; this also ends the search.
                if (labelPx <= stepPx || axis.Ticks.Count <= 3)
                {
                    return axis;
                }
            }
        }
    }

    /// <summary>Formats a duration in nanoseconds as seconds with no more decimals than needed ("1.5 s", "0.000002 s").</summary>
    public static string Seconds(Int128 ns)
    {
        string sign = ns < 0 ? "-" : "";
        Int128 abs = Int128.Abs(ns);
        Int128 whole = abs / 1_000_000_000;
        long frac = (long)(abs % 1_000_000_000);
        string s = whole.ToString(CultureInfo.InvariantCulture);
        if (frac != 0)
        {
            s += "." + frac.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        }

        return sign + s + " s";
    }

    /// <summary>Formats a Unix time in nanoseconds as UTC with nanosecond precision, or as raw nanoseconds outside the calendar's range.</summary>
    public static string Utc(long unixNs)
    {
        long seconds = (long)FloorDiv(unixNs, 1_000_000_000);
        const long MinSeconds = -62_135_596_800, MaxSeconds = 253_402_300_799;
        if (seconds < MinSeconds || seconds > MaxSeconds)
        {
            return unixNs.ToString(CultureInfo.InvariantCulture) + " ns since 1970-01-01";
        }

        long nanos = unixNs - (seconds * 1_000_000_000);
        DateTime t = DateTime.UnixEpoch.AddSeconds(seconds);
        return t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "."
            + nanos.ToString("D9", CultureInfo.InvariantCulture) + " UTC";
    }

    /// <summary>Converts an absolute Unix time in nanoseconds to its offset from the axis origin.</summary>
    public Int128 Relative(long unixNs) => (Int128)unixNs - _originNs;

    /// <summary>Returns the pixel x of an absolute Unix time in nanoseconds.</summary>
    public double X(long unixNs) => XOf(Relative(unixNs));

    /// <summary>Returns the pixel x of a time relative to the origin, in nanoseconds.</summary>
    public double XOf(Int128 relativeNs) => Left + (Width * (double)(relativeNs - Lo) / (double)(Hi - Lo));

    /// <summary>Returns the label of a tick: an exact integer in the unit the step calls for ("250 ms", "3 s").</summary>
    public string Label(Int128 tick) =>
        (tick / _unitNs).ToString(CultureInfo.InvariantCulture) + " " + _unitName;

    private static Int128 FloorDiv(Int128 a, Int128 b)
    {
        Int128 q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }

    private static Int128 CeilDiv(Int128 a, Int128 b) => -FloorDiv(-a, b);
}
