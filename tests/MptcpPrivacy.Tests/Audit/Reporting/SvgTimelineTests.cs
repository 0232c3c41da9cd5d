using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MptcpPrivacy.Audit.Reporting;

namespace MptcpPrivacy.Tests.Audit.Reporting;

/// <summary>
/// The SVG timeline is a well-formed standalone SVG document with one bar per span, one marker per
/// event, escaped labels, finite non-negative geometry for degenerate ranges, a sane axis, a legend
/// of exactly the kinds present, and the same bytes for the same model in any culture.
/// </summary>
public partial class SvgTimelineTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private const long T0 = 1_714_564_800_123_456_789; // 2024-05-01 12:00:00.123456789 UTC
    private const long Sec = 1_000_000_000;

    [Fact]
    public void Render_IsStandaloneSvgWithSizeAndViewBox()
    {
        XDocument doc = XDocument.Parse(SvgTimeline.Render(Sample()));

        XElement root = doc.Root!;
        Assert.Equal(Svg + "svg", root.Name);
        Assert.Equal("1.1", (string?)root.Attribute("version"));
        double width = Number(root, "width"), height = Number(root, "height");
        Assert.True(width > 0 && height > 0);
        Assert.Equal($"0 0 {root.Attribute("width")!.Value} {root.Attribute("height")!.Value}", (string?)root.Attribute("viewBox"));
        Assert.Equal(Sample().Title, root.Element(Svg + "title")!.Value);

        // Standalone: nothing fetched from elsewhere, no script.
        Assert.Empty(doc.Descendants(Svg + "script"));
        Assert.Empty(doc.Descendants(Svg + "image"));
        Assert.DoesNotContain(doc.Descendants().Attributes(), a => a.Name.LocalName == "href");
    }

    [Fact]
    public void Render_OneBarPerSpanAndOneMarkerPerEvent_ClassedByKind()
    {
        TimelineModel model = Sample();
        XDocument doc = XDocument.Parse(SvgTimeline.Render(model));

        Assert.Equal(model.Rows.Sum(r => r.Spans.Count), WithClass(doc, "span").Count());
        Assert.Equal(2, WithClass(doc, "span", "initial").Count());
        Assert.Single(WithClass(doc, "span", "join"));
        Assert.Single(WithClass(doc, "span", "failed-join"));
        Assert.Single(WithClass(doc, "span", "announced-address"));
        Assert.All(WithClass(doc, "span"), e => Assert.Equal(Svg + "rect", e.Name));

        List<XElement> markers = WithClass(doc, "event").ToList();
        Assert.Equal(model.Events.Count, markers.Count);
        Assert.Equal(2, WithClass(doc, "event", "join").Count());
        Assert.Single(WithClass(doc, "event", "add-addr"));
        Assert.Single(WithClass(doc, "event", "mp-capable"));
        for (int i = 0; i < model.Events.Count; i++)
        {
            // Markers come in model order, each with its label in the tooltip.
            Assert.Contains(model.Events[i].Label, markers[i].Element(Svg + "title")!.Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Render_BarsAndMarkersSitAtTheirTimes()
    {
        XDocument doc = XDocument.Parse(SvgTimeline.Render(Sample()));
        (double left, double width) = PlotArea(doc);

        // The join span runs from 1.2 s to 9.4 s of a 0–10 s axis.
        XElement join = WithClass(doc, "span", "join").Single();
        Assert.Equal(left + (0.12 * width), Number(join, "x"), 1);
        Assert.Equal(0.82 * width, Number(join, "width"), 1);

        // The MP_PRIO marker at 6 s is centred there, on the join's row.
        (double cx, double cy) = Centre(WithClass(doc, "event", "mp-prio").Single());
        Assert.Equal(left + (0.6 * width), cx, 1);
        Assert.InRange(cy, Number(join, "y"), Number(join, "y") + Number(join, "height"));
    }

    [Fact]
    public void Render_HostileLabelsAreEscapedAndForbiddenCharactersReplaced()
    {
        const string Hostile = "<script>alert('x')</script> & \"q\" ü 日本 ]]> \u0001\uD800\u202Eevil";
        const string Shown = "<script>alert('x')</script> & \"q\" ü 日本 ]]> \uFFFD\uFFFD\uFFFDevil";
        var model = new TimelineModel(
            Hostile,
            T0,
            T0 + Sec,
            [new TimelineRow(Hostile, TimelineRowKind.Initial, [new TimelineSpan(T0, T0 + Sec)])],
            [new TimelineEvent(T0, 0, TimelineEventKind.MpCapable, Hostile)]);

        string svg = SvgTimeline.Render(model);
        XDocument doc = XDocument.Parse(svg);

        Assert.DoesNotContain(doc.Descendants(), e => e.Name.LocalName == "script");
        Assert.DoesNotContain("<script", svg, StringComparison.Ordinal);
        Assert.Equal(Shown, doc.Root!.Element(Svg + "title")!.Value);
        Assert.Equal(Shown, WithClass(doc, "title").Single().Value);
        Assert.Equal(Shown, WithClass(doc, "row-label").Single().Value);
        Assert.StartsWith(Shown, WithClass(doc, "event").Single().Element(Svg + "title")!.Value, StringComparison.Ordinal);
        Assert.StartsWith(Shown, WithClass(doc, "span").Single().Element(Svg + "title")!.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LongLabelsWidenTheLabelColumn()
    {
        const string Ipv6 = "[2001:db8:1::2]:40000 → [2001:db8::1]:10000";
        var model = new TimelineModel(
            "c",
            T0,
            T0 + Sec,
            [new TimelineRow("a", TimelineRowKind.Initial, [new TimelineSpan(T0, T0 + Sec)]), new TimelineRow(Ipv6, TimelineRowKind.Join, [])],
            []);
        XDocument doc = XDocument.Parse(SvgTimeline.Render(model));

        // 12 px monospace advances 0.6 em = 7.2 px per character; the label starts at x = 16.
        XElement label = WithClass(doc, "row-label").Single(e => e.Value == Ipv6);
        double labelEnd = Number(label, "x") + (Ipv6.Length * 7.2);
        Assert.True(PlotArea(doc).Left > labelEnd, $"plot starts at {PlotArea(doc).Left}, label ends near {labelEnd}");
        Assert.True(Number(doc.Root!, "width") >= PlotArea(doc).Left + PlotArea(doc).Width);
    }

    [Fact]
    public void Render_ZeroLengthRangeAndSpans_GeometryIsFiniteAndVisible()
    {
        var model = new TimelineModel(
            "single packet",
            T0,
            T0,
            [new TimelineRow("r", TimelineRowKind.FailedJoin, [new TimelineSpan(T0, T0)])],
            [new TimelineEvent(T0, 0, TimelineEventKind.Join, "SYN"), new TimelineEvent(T0, 0, TimelineEventKind.Failure, "bad HMAC")]);
        XDocument doc = XDocument.Parse(SvgTimeline.Render(model));

        AssertGeometryIsSane(doc);
        XElement bar = WithClass(doc, "span").Single();
        Assert.True(Number(bar, "width") >= 2, "a single packet's span must stay visible");
        Assert.True(WithClass(doc, "tick-label").Count() >= 2);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(long.MinValue, long.MaxValue)]
    [InlineData(long.MaxValue, long.MinValue)]
    public void Render_ExtremeTimestamps_GeometryIsFinite(long spanStart, long spanEnd)
    {
        var model = new TimelineModel(
            "extremes",
            0,
            long.MaxValue,
            [new TimelineRow("r", TimelineRowKind.Unknown, [new TimelineSpan(spanStart, spanEnd)])],
            [new TimelineEvent(long.MinValue, 0, TimelineEventKind.Reset, "early"), new TimelineEvent(long.MaxValue, 0, TimelineEventKind.Reset, "late")]);
        XDocument doc = XDocument.Parse(SvgTimeline.Render(model));

        AssertGeometryIsSane(doc);
        AssertTicksAreNiceAndInsidePlot(doc);
    }

    [Fact]
    public void Render_NoRowsOrEvents_IsStillAValidDocument()
    {
        XDocument doc = XDocument.Parse(SvgTimeline.Render(new TimelineModel("empty", T0, T0 + Sec, [], [])));

        AssertGeometryIsSane(doc);
        Assert.Empty(WithClass(doc, "span"));
        Assert.Empty(WithClass(doc, "legend-row"));
        Assert.Empty(WithClass(doc, "legend-event"));
    }

    [Theory]
    [InlineData(0L, 1L)] // 1 ns
    [InlineData(0L, 3_700L)] // microseconds
    [InlineData(-250_000L, 750_000L)] // data before t = 0
    [InlineData(0L, 10 * Sec)]
    [InlineData(0L, 2 * 3600 * Sec)] // hours
    [InlineData(0L, 3 * 86400 * Sec)] // days
    [InlineData(17L, 123_456_789_012L)]
    public void Render_TicksAreNiceMonotonicAndInsidePlot(long from, long to)
    {
        var model = new TimelineModel(
            "axis",
            T0,
            T0 + to,
            [new TimelineRow("r", TimelineRowKind.Initial, [new TimelineSpan(T0 + from, T0 + to)])],
            []);
        XDocument doc = XDocument.Parse(SvgTimeline.Render(model));

        AssertGeometryIsSane(doc);
        AssertTicksAreNiceAndInsidePlot(doc);

        // The span is inside the plot: the axis covers all the data.
        (double left, double width) = PlotArea(doc);
        XElement bar = WithClass(doc, "span").Single();
        Assert.InRange(Number(bar, "x"), left - 0.01, left + width);
        Assert.InRange(Number(bar, "x") + Number(bar, "width"), left, left + width + 0.01);
    }

    [Fact]
    public void TimeAxis_StepIsOneTwoOrFiveTimesAPowerOfTenAndCoversTheData()
    {
        var random = new Random(20240501);
        for (int i = 0; i < 2000; i++)
        {
            long lo = random.NextInt64(-1_000_000_000_000, 1_000_000_000_000) >> random.Next(0, 40);
            long hi = lo + (random.NextInt64(0, long.MaxValue / 4) >> random.Next(0, 62));
            var axis = TimeAxis.Create(0, lo, hi, 100, 760);
            string why = $"seed 20240501, iteration {i}: [{lo}, {hi}] gave step {axis.Step}";

            Int128 step = axis.Step;
            while (step % 10 == 0)
            {
                step /= 10;
            }

            Assert.True(step == 1 || step == 2 || step == 5, why);
            Assert.True(axis.Lo <= lo && axis.Hi >= hi && axis.Hi > axis.Lo, why);
            Assert.True(axis.Lo % axis.Step == 0 && axis.Hi % axis.Step == 0, why);
            Assert.InRange(axis.Ticks.Count, 2, 12);
            Assert.Equal(100, axis.XOf(axis.Lo), 6);
            Assert.Equal(860, axis.XOf(axis.Hi), 6);
        }
    }

    [Theory]
    [InlineData(0L, "0 s")]
    [InlineData(1_500_000_000L, "1.5 s")]
    [InlineData(-2_000L, "-0.000002 s")]
    [InlineData(3_600_000_000_001L, "3600.000000001 s")]
    public void TimeAxis_SecondsFormatsExactly(long ns, string expected) => Assert.Equal(expected, TimeAxis.Seconds(ns));

    [Fact]
    public void Render_LegendListsExactlyTheKindsPresent()
    {
        var model = new TimelineModel(
            "legend",
            T0,
            T0 + Sec,
            [
                new TimelineRow("a", TimelineRowKind.Initial, [new TimelineSpan(T0, T0 + Sec)]),
                new TimelineRow("b", TimelineRowKind.AnnouncedAddress, [new TimelineSpan(T0, T0 + Sec)]),
                new TimelineRow("c", TimelineRowKind.Initial, []),
            ],
            [
                new TimelineEvent(T0, 0, TimelineEventKind.AddAddr, "x"),
                new TimelineEvent(T0 + 5, 1, TimelineEventKind.Failure, "y"),
                new TimelineEvent(T0 + 9, 0, TimelineEventKind.AddAddr, "z"),
            ]);
        XDocument doc = XDocument.Parse(SvgTimeline.Render(model));

        Assert.Equal(new[] { "initial", "announced-address" }, WithClass(doc, "legend-row").Select(e => Classes(e)[1]));
        Assert.Equal(new[] { "add-addr", "failure" }, WithClass(doc, "legend-event").Select(e => Classes(e)[1]));

        // Only the patterns the bars use are defined.
        Assert.Empty(doc.Descendants(Svg + "pattern"));
    }

    [Fact]
    public void Render_PatternedKindsDefineTheirPatternAndNotOthers()
    {
        var model = new TimelineModel(
            "patterns",
            T0,
            T0 + Sec,
            [new TimelineRow("f", TimelineRowKind.FailedJoin, [new TimelineSpan(T0, T0 + Sec)]), new TimelineRow("u", TimelineRowKind.Unknown, [new TimelineSpan(T0, T0 + Sec)])],
            []);
        XDocument doc = XDocument.Parse(SvgTimeline.Render(model));

        var ids = doc.Descendants(Svg + "pattern").Select(p => p.Attribute("id")!.Value).ToHashSet();
        Assert.Equal(2, ids.Count);
        foreach (XElement bar in WithClass(doc, "span"))
        {
            // Every url(#…) fill resolves inside the document.
            Match m = Regex.Match(bar.Attribute("fill")!.Value, @"^url\(#(.+)\)$");
            Assert.True(m.Success && ids.Contains(m.Groups[1].Value), bar.ToString());
        }
    }

    [Fact]
    public void Style_EveryKindHasItsOwnClassAndLegendText()
    {
        // The style tables are indexed by enum value; a kind added to the model must be added there too.
        TimelineRowKind[] rowKinds = Enum.GetValues<TimelineRowKind>();
        Assert.Equal(rowKinds.Length, rowKinds.Select(TimelineStyle.ClassName).Distinct().Count());
        Assert.Equal(rowKinds.Length, rowKinds.Select(TimelineStyle.LegendText).Distinct().Count());
        Assert.Equal(rowKinds.Length, rowKinds.Select(TimelineStyle.BarAttributes).Distinct().Count());
        TimelineEventKind[] eventKinds = Enum.GetValues<TimelineEventKind>();
        Assert.Equal(eventKinds.Length, eventKinds.Select(TimelineStyle.ClassName).Distinct().Count());
        Assert.Equal(eventKinds.Length, eventKinds.Select(TimelineStyle.LegendText).Distinct().Count());
        Assert.Equal(eventKinds.Length, eventKinds.Select(k => TimelineMarkers.PathData(k, 0, 0)).Distinct().Count());

        // Beyond colour: the kinds that most change a privacy reading carry a pattern or a dash.
        foreach (TimelineRowKind kind in new[] { TimelineRowKind.FailedJoin, TimelineRowKind.Fallback, TimelineRowKind.Unknown, TimelineRowKind.AnnouncedAddress })
        {
            string attributes = TimelineStyle.BarAttributes(kind);
            Assert.True(attributes.Contains("url(#", StringComparison.Ordinal) || attributes.Contains("stroke-dasharray", StringComparison.Ordinal), kind.ToString());
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => TimelineStyle.ClassName((TimelineRowKind)99));
    }

    [Fact]
    public void Render_CoincidentEventsOnARow_AreFannedOutAroundTheirTime()
    {
        var model = new TimelineModel(
            "same time",
            T0,
            T0 + (10 * Sec),
            [new TimelineRow("a", TimelineRowKind.Initial, [new TimelineSpan(T0, T0 + (10 * Sec))]), new TimelineRow("b", TimelineRowKind.Join, [])],
            [
                new TimelineEvent(T0 + (5 * Sec), 0, TimelineEventKind.AddAddr, "one"),
                new TimelineEvent(T0 + (5 * Sec), 0, TimelineEventKind.AddAddr, "two"),
                new TimelineEvent(T0 + (5 * Sec) + 1, 0, TimelineEventKind.AddAddr, "three"),
                new TimelineEvent(T0 + (5 * Sec), 1, TimelineEventKind.AddAddr, "other row"),
            ]);
        XDocument doc = XDocument.Parse(SvgTimeline.Render(model));
        (double left, double width) = PlotArea(doc);
        double trueX = left + (width / 2);

        double[] xs = WithClass(doc, "event").Select(e => Centre(e).X).ToArray();
        double[] sameRow = xs[..3].Order().ToArray();
        Assert.True(sameRow[1] - sameRow[0] >= 2 && sameRow[2] - sameRow[1] >= 2, string.Join(", ", xs));
        Assert.Equal(trueX, sameRow.Average(), 1);

        // Alone on its row, the fourth stays exactly at its time.
        Assert.Equal(trueX, xs[3], 1);
    }

    [Fact]
    public void Render_HeightGrowsWithRowsAndStaysReasonable()
    {
        double Height(int rows) => Number(XDocument.Parse(SvgTimeline.Render(Rows(rows))).Root!, "height");

        double h1 = Height(1), h10 = Height(10), h200 = Height(200);
        Assert.True(h1 < h10 && h10 < h200);
        Assert.InRange(h200, 200 * 15, 200 * 30);
        Assert.InRange(h1, 100, 400);

        XDocument doc = XDocument.Parse(SvgTimeline.Render(Rows(200)));
        Assert.Equal(200, WithClass(doc, "span").Count());
        AssertGeometryIsSane(doc);
    }

    [Fact]
    public void Render_EventOnMissingRow_Throws()
    {
        var model = new TimelineModel("bad", T0, T0, [new TimelineRow("a", TimelineRowKind.Initial, [])], [new TimelineEvent(T0, 1, TimelineEventKind.Join, "x")]);
        Assert.Throws<ArgumentException>(() => SvgTimeline.Render(model));
    }

    [Fact]
    public void Render_IsDeterministicAcrossCallsAndCultures()
    {
        TimelineModel model = Sample();
        string first = SvgTimeline.Render(model);
        Assert.Equal(first, SvgTimeline.Render(model));

        // The test project runs in invariant-globalization mode, where "de-DE" has invariant data;
        // a hand-made culture with a decimal comma and a Unicode minus sign is the harder test.
        var hostile = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        hostile.NumberFormat.NumberDecimalSeparator = ",";
        hostile.NumberFormat.NumberGroupSeparator = ".";
        hostile.NumberFormat.NegativeSign = "\u2212";
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = hostile;
            Assert.Equal("\u22121,5", (-1.5).ToString(CultureInfo.CurrentCulture));
            Assert.Equal(first, SvgTimeline.Render(model));
            Assert.Equal(first, SvgTimeline.Render(model with { }));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    /// <summary>A connection seen for 10 s: two spans of the initial subflow, a join, a failed join, an announced address.</summary>
    private static TimelineModel Sample() => new(
        "Connection 1: 198.51.100.2:40000 → 192.0.2.1:10000",
        T0,
        T0 + (10 * Sec),
        [
            new TimelineRow("198.51.100.2:40000 → 192.0.2.1:10000", TimelineRowKind.Initial, [new TimelineSpan(T0, T0 + (4 * Sec)), new TimelineSpan(T0 + (5 * Sec), T0 + (10 * Sec))]),
            new TimelineRow("203.0.113.7:40002 → 192.0.2.1:10000", TimelineRowKind.Join, [new TimelineSpan(T0 + (12 * Sec / 10), T0 + (94 * Sec / 10))]),
            new TimelineRow("[2001:db8:1::2]:40000 → [2001:db8::1]:10000", TimelineRowKind.FailedJoin, [new TimelineSpan(T0 + (35 * Sec / 10), T0 + (35 * Sec / 10))]),
            new TimelineRow("192.0.2.2 (ADD_ADDR id 5)", TimelineRowKind.AnnouncedAddress, [new TimelineSpan(T0 + (8 * Sec / 10), T0 + (10 * Sec))]),
        ],
        [
            new TimelineEvent(T0, 0, TimelineEventKind.MpCapable, "MP_CAPABLE keys, frame 1"),
            new TimelineEvent(T0 + (8 * Sec / 10), 0, TimelineEventKind.AddAddr, "ADD_ADDR id 5 192.0.2.2, frame 9"),
            new TimelineEvent(T0 + (12 * Sec / 10), 1, TimelineEventKind.Join, "MP_JOIN token 0x1a2b3c4d, frame 14"),
            new TimelineEvent(T0 + (35 * Sec / 10), 2, TimelineEventKind.Join, "MP_JOIN token 0x1a2b3c4d, frame 40"),
            new TimelineEvent(T0 + (6 * Sec), 1, TimelineEventKind.MpPrio, "MP_PRIO backup, frame 88"),
            new TimelineEvent(T0 + (10 * Sec), 0, TimelineEventKind.Reset, "MP_FASTCLOSE, frame 131"),
        ]);

    private static TimelineModel Rows(int n) => new(
        $"{n} rows",
        T0,
        T0 + (9 * Sec),
        Enumerable.Range(0, n)
            .Select(i => new TimelineRow($"10.0.{i / 256}.{i % 256}:{40000 + i} → 192.0.2.1:10000", (TimelineRowKind)(i % 6), [new TimelineSpan(T0 + (i * 37_000_000L), T0 + (i * 37_000_000L) + (2 * Sec))]))
            .ToList(),
        Enumerable.Range(0, n).Select(i => new TimelineEvent(T0 + (i * 37_000_000L), i, (TimelineEventKind)(i % 7), $"event {i}")).ToList());

    private static string[] Classes(XElement e) => ((string?)e.Attribute("class") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Elements whose class list starts with <paramref name="first"/> and, if given, also holds <paramref name="second"/>.</summary>
    private static IEnumerable<XElement> WithClass(XDocument doc, string first, string? second = null) =>
        doc.Descendants().Where(e => Classes(e) is [var c, ..] && c == first && (second is null || Classes(e).Contains(second)));

    private static double Number(XElement e, string attribute) =>
        double.Parse(e.Attribute(attribute)!.Value, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static (double Left, double Width) PlotArea(XDocument doc)
    {
        XElement plot = WithClass(doc, "plot-area").Single();
        return (Number(plot, "x"), Number(plot, "width"));
    }

    /// <summary>The centre of a marker's bounding box, from the absolute coordinates of its path.</summary>
    private static (double X, double Y) Centre(XElement marker)
    {
        MatchCollection points = AbsolutePoint().Matches(marker.Attribute("d")!.Value);
        Assert.True(points.Count >= 3, marker.ToString());
        double[] xs = points.Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        double[] ys = points.Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToArray();
        return ((xs.Min() + xs.Max()) / 2, (ys.Min() + ys.Max()) / 2);
    }

    /// <summary>Every number in every attribute is finite and plain; sizes are positive; nothing is drawn off the canvas.</summary>
    private static void AssertGeometryIsSane(XDocument doc)
    {
        double canvasWidth = Number(doc.Root!, "width"), canvasHeight = Number(doc.Root!, "height");
        foreach (XAttribute a in doc.Descendants().Attributes())
        {
            string v = a.Value;
            Assert.False(v.Contains("NaN", StringComparison.OrdinalIgnoreCase) || v.Contains("Infinity", StringComparison.OrdinalIgnoreCase) || v.Contains('∞'), $"{a.Parent!.Name.LocalName} {a}");
            if (a.Name.LocalName is "fill" or "stroke" or "id" or "class" or "font-family")
            {
                continue; // colours such as #009E73 would read as 9E73
            }

            foreach (Match m in AnyNumber().Matches(v))
            {
                double d = double.Parse(m.Value, NumberStyles.Float, CultureInfo.InvariantCulture);
                Assert.True(double.IsFinite(d) && Math.Abs(d) < 1e6, $"{a.Parent!.Name.LocalName} {a}");
            }

            switch (a.Name.LocalName)
            {
                case "width" or "height":
                    Assert.True(Number(a.Parent!, a.Name.LocalName) > 0, $"{a.Parent!.Name.LocalName} {a}");
                    break;
                case "x" or "x1" or "x2":
                    Assert.InRange(Number(a.Parent!, a.Name.LocalName), 0, canvasWidth);
                    break;
                case "y" or "y1" or "y2":
                    Assert.InRange(Number(a.Parent!, a.Name.LocalName), 0, canvasHeight);
                    break;
            }
        }
    }

    /// <summary>Tick positions increase strictly and lie within the plot; labels share a unit and step by 1, 2 or 5 × 10^k.</summary>
    private static void AssertTicksAreNiceAndInsidePlot(XDocument doc)
    {
        (double left, double width) = PlotArea(doc);
        List<XElement> labels = WithClass(doc, "tick-label").ToList();
        Assert.True(labels.Count >= 2);
        Assert.Equal(labels.Count, WithClass(doc, "grid").Count());

        double[] xs = labels.Select(l => Number(l, "x")).ToArray();
        Assert.Equal(left, xs[0], 2);
        Assert.Equal(left + width, xs[^1], 2);
        for (int i = 1; i < xs.Length; i++)
        {
            Assert.True(xs[i] > xs[i - 1], string.Join(", ", xs));
        }

        string[][] parts = labels.Select(l => l.Value.Split(' ')).ToArray();
        Assert.All(parts, p => Assert.Equal(parts[0][1], p[1]));
        decimal[] values = parts.Select(p => decimal.Parse(p[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray();
        decimal step = values[1] - values[0];
        for (int i = 1; i < values.Length; i++)
        {
            Assert.Equal(step, values[i] - values[i - 1]);
        }

        while (step % 10 == 0)
        {
            step /= 10;
        }

        Assert.Contains(step, new[] { 1m, 2m, 5m });
    }

    [GeneratedRegex(@"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")]
    private static partial Regex AnyNumber();

    [GeneratedRegex(@"[ML](-?[\d.]+),(-?[\d.]+)")]
    private static partial Regex AbsolutePoint();
}
