using System.Globalization;
using System.Text;

namespace MptcpPrivacy.Audit.Reporting;

/// <summary>
/// Renders a <see cref="TimelineModel"/> as a standalone SVG 1.1 document: a title, a time axis,
/// one row per subflow or announced address with its spans as bars, event markers with tooltips,
/// and a legend of the kinds present.
/// </summary>
/// <remarks>
/// <para>
/// The document needs no script, stylesheet, font or server: every colour and font is a
/// presentation attribute, so a browser, an image viewer or an SVG-to-PDF converter shows the same
/// picture. Output is deterministic: same model, same string, whatever the current culture.
/// </para>
/// <para>
/// Elements carry classes a reader (or a test) can select: <c>span {row-kind}</c> on each bar,
/// <c>event {event-kind}</c> on each marker, <c>legend-row {row-kind}</c> and
/// <c>legend-event {event-kind}</c> on legend entries, <c>tick-label</c> and <c>grid</c> on the axis,
/// <c>plot-area</c> on the plot's frame.
/// </para>
/// </remarks>
public static class SvgTimeline
{
    private const double Margin = 16;
    private const double TitleBaseline = 28;
    private const double TitleCellWidth = 9.8;
    private const int MaxTitleCells = 140;
    private const double SubtitleBaseline = 46;
    private const double LegendTop = 58;
    private const double LegendLineHeight = 20;
    private const double LegendSwatchWidth = 22;
    private const double SmallCellWidth = TimeAxis.TickLabelCellWidth;
    private const double LabelCellWidth = 7.4;
    private const int MaxLabelCells = 100;
    private const double LabelGap = 22;
    private const double PlotWidth = 760;
    private const double RightMargin = 44;
    private const double RowHeight = 22;
    private const double BarHeight = 12;
    private const double MinBarWidth = 4;
    private const int BottomAxisFromRows = 16;

    private const string MonoFonts = "ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";
    private const string SansFonts = "Helvetica, Arial, 'DejaVu Sans', 'Liberation Sans', sans-serif";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Renders <paramref name="model"/> as a complete SVG document, XML declaration included.</summary>
    /// <param name="model">The timeline; every event's <see cref="TimelineEvent.Row"/> must index a row.</param>
    /// <returns>The SVG document as a string; write it as UTF-8.</returns>
    /// <exception cref="ArgumentException">An event names a row that does not exist.</exception>
    public static string Render(TimelineModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        IReadOnlyList<TimelineRow> rows = model.Rows;
        IReadOnlyList<TimelineEvent> events = model.Events;
        for (int i = 0; i < events.Count; i++)
        {
            if ((uint)events[i].Row >= (uint)rows.Count)
            {
                throw new ArgumentException($"Event {i} names row {events[i].Row}, but the model has {rows.Count} rows.", nameof(model));
            }
        }

        // Layout, left to right: label column sized from the longest label, then the plot.
        string[] labels = new string[rows.Count];
        int labelCells = 8;
        for (int i = 0; i < rows.Count; i++)
        {
            labels[i] = SvgText.Truncate(rows[i].Label, MaxLabelCells);
            labelCells = Math.Max(labelCells, SvgText.Cells(labels[i]));
        }

        double plotLeft = Margin + (labelCells * LabelCellWidth) + LabelGap;
        double plotRight = plotLeft + PlotWidth;
        string title = SvgText.Truncate(model.Title, MaxTitleCells);
        double width = Math.Ceiling(Math.Max(plotRight + RightMargin, (2 * Margin) + (SvgText.Cells(title) * TitleCellWidth)));

        TimeAxis axis = CreateAxis(model, plotLeft);
        string subtitle = $"time since t = 0 at {TimeAxis.Utc(model.StartNs)}; {Count(rows.Count, "row")}, {Count(events.Count, "event")}";

        // Top to bottom: title, subtitle, legend, axis labels, rows, bottom axis labels for tall pictures.
        List<LegendItem> legend = LayoutLegend(model, width);
        double legendBottom = legend.Count == 0 ? LegendTop : legend[^1].Y + (LegendLineHeight / 2);
        double axisLabelBaseline = legendBottom + 18;
        double plotTop = axisLabelBaseline + 8;
        double rowsTop = plotTop + 4;
        double plotBottom = rowsTop + (Math.Max(rows.Count, 1) * RowHeight) + 4;
        bool bottomAxis = rows.Count >= BottomAxisFromRows;
        double height = Math.Ceiling(plotBottom + (bottomAxis ? 22 : 6) + Margin);

        var sb = new StringBuilder(4096 + (rows.Count * 600) + (events.Count * 300));
        sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" font-family=\"{MonoFonts}\" font-size=\"12\">\n");
        sb.Append(Inv, $"<title>{SvgText.Escape(model.Title)}</title>\n");
        sb.Append(Inv, $"<desc>{SvgText.Escape(subtitle)}</desc>\n");
        AppendDefinitions(sb, rows);
        sb.Append(Inv, $"<rect class=\"background\" width=\"{N(width)}\" height=\"{N(height)}\" fill=\"#FFFFFF\"/>\n");
        sb.Append(Inv, $"<text class=\"title\" x=\"{N(Margin)}\" y=\"{N(TitleBaseline)}\" font-family=\"{SansFonts}\" font-size=\"16\" font-weight=\"bold\" fill=\"#111111\">{SvgText.Escape(title)}</text>\n");
        sb.Append(Inv, $"<text class=\"subtitle\" x=\"{N(Margin)}\" y=\"{N(SubtitleBaseline)}\" font-size=\"11\" fill=\"#555555\">{SvgText.Escape(subtitle)}</text>\n");
        AppendLegend(sb, legend);
        AppendRowBackgrounds(sb, labels, rows, rowsTop, plotRight);
        AppendAxis(sb, axis, plotTop, plotBottom, axisLabelBaseline, bottomAxis ? plotBottom + 16 : null);
        if (rows.Count == 0)
        {
            sb.Append(Inv, $"<text class=\"empty\" x=\"{N(plotLeft + (PlotWidth / 2))}\" y=\"{N(rowsTop + (RowHeight / 2) + 4)}\" text-anchor=\"middle\" fill=\"#555555\">no subflow or address seen</text>\n");
        }

        AppendSpans(sb, rows, axis, rowsTop);
        AppendEvents(sb, events, rows, axis, rowsTop);
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static TimeAxis CreateAxis(TimelineModel model, double plotLeft)
    {
        // The scale covers everything drawn, so a span or event outside [StartNs, EndNs] (a capture
        // whose timestamps step backwards) is shown where it is rather than clipped.
        Int128 lo = 0, hi = (Int128)model.EndNs - model.StartNs;
        if (hi < lo)
        {
            (lo, hi) = (hi, lo);
        }

        foreach (TimelineRow row in model.Rows)
        {
            foreach (TimelineSpan span in row.Spans)
            {
                Int128 a = (Int128)span.StartNs - model.StartNs, b = (Int128)span.EndNs - model.StartNs;
                lo = Int128.Min(lo, Int128.Min(a, b));
                hi = Int128.Max(hi, Int128.Max(a, b));
            }
        }

        foreach (TimelineEvent e in model.Events)
        {
            Int128 t = (Int128)e.TimeNs - model.StartNs;
            lo = Int128.Min(lo, t);
            hi = Int128.Max(hi, t);
        }

        return TimeAxis.Create(model.StartNs, lo, hi, plotLeft, PlotWidth);
    }

    private static void AppendDefinitions(StringBuilder sb, IReadOnlyList<TimelineRow> rows)
    {
        var patterns = new List<string>();
        foreach (TimelineRowKind kind in Enum.GetValues<TimelineRowKind>())
        {
            if (Contains(rows, kind) && TimelineStyle.PatternDefinition(kind) is string definition)
            {
                patterns.Add(definition);
            }
        }

        if (patterns.Count > 0)
        {
            sb.Append("<defs>\n");
            foreach (string p in patterns)
            {
                sb.Append(p).Append('\n');
            }

            sb.Append("</defs>\n");
        }
    }

    private static List<LegendItem> LayoutLegend(TimelineModel model, double width)
    {
        var items = new List<LegendItem>();
        double x = Margin, y = LegendTop + (LegendLineHeight / 2);

        void Place(TimelineRowKind? rowKind, TimelineEventKind? eventKind, string text)
        {
            double itemWidth = LegendSwatchWidth + 6 + (SvgText.Cells(text) * SmallCellWidth) + 18;
            if (x > Margin && x + itemWidth > width - Margin)
            {
                x = Margin;
                y += LegendLineHeight;
            }

            items.Add(new LegendItem(x, y, rowKind, eventKind, text));
            x += itemWidth;
        }

        foreach (TimelineRowKind kind in Enum.GetValues<TimelineRowKind>())
        {
            if (Contains(model.Rows, kind))
            {
                Place(kind, null, TimelineStyle.LegendText(kind));
            }
        }

        // Event kinds start their own line: one line says what the bars are, the next what the marks are.
        bool newLine = items.Count > 0;
        foreach (TimelineEventKind kind in Enum.GetValues<TimelineEventKind>())
        {
            if (model.Events.Any(e => e.Kind == kind))
            {
                if (newLine)
                {
                    (x, y, newLine) = (Margin, y + LegendLineHeight, false);
                }

                Place(null, kind, TimelineStyle.LegendText(kind));
            }
        }

        return items;
    }

    private static void AppendLegend(StringBuilder sb, List<LegendItem> items)
    {
        sb.Append("<g class=\"legend\" font-size=\"11\">\n");
        foreach (LegendItem item in items)
        {
            double swatchCentre = item.X + (LegendSwatchWidth / 2);
            if (item.RowKind is TimelineRowKind rowKind)
            {
                string name = TimelineStyle.ClassName(rowKind);
                sb.Append(Inv, $"<g class=\"legend-row {name}\"><rect x=\"{N(item.X)}\" y=\"{N(item.Y - (BarHeight / 2))}\" width=\"{N(LegendSwatchWidth)}\" height=\"{N(BarHeight)}\" rx=\"2\"{TimelineStyle.BarAttributes(rowKind)}/>");
            }
            else if (item.EventKind is TimelineEventKind eventKind)
            {
                string name = TimelineStyle.ClassName(eventKind);
                sb.Append(Inv, $"<g class=\"legend-event {name}\"><path d=\"{TimelineMarkers.PathData(eventKind, swatchCentre, item.Y)}\" fill=\"{TimelineStyle.MarkerFill}\" stroke=\"#FFFFFF\"/>");
            }

            sb.Append(Inv, $"<text x=\"{N(item.X + LegendSwatchWidth + 6)}\" y=\"{N(item.Y + 4)}\" fill=\"#222222\">{SvgText.Escape(item.Text)}</text></g>\n");
        }

        sb.Append("</g>\n");
    }

    private static void AppendRowBackgrounds(StringBuilder sb, string[] labels, IReadOnlyList<TimelineRow> rows, double rowsTop, double plotRight)
    {
        sb.Append("<g class=\"rows\">\n");
        for (int i = 0; i < rows.Count; i++)
        {
            double top = rowsTop + (i * RowHeight);
            if (i % 2 == 1)
            {
                // Zebra stripes carry the eye from a label to its bars across a wide plot.
                sb.Append(Inv, $"<rect class=\"row-stripe\" x=\"{N(Margin / 2)}\" y=\"{N(top)}\" width=\"{N(plotRight - (Margin / 2))}\" height=\"{N(RowHeight)}\" fill=\"#F2F2F2\"/>\n");
            }

            string tooltip = labels[i] == rows[i].Label ? "" : $"<title>{SvgText.Escape(rows[i].Label)}</title>";
            sb.Append(Inv, $"<text class=\"row-label\" x=\"{N(Margin)}\" y=\"{N(top + (RowHeight / 2) + 4)}\" fill=\"#111111\">{tooltip}{SvgText.Escape(labels[i])}</text>\n");
        }

        sb.Append("</g>\n");
    }

    private static void AppendAxis(StringBuilder sb, TimeAxis axis, double plotTop, double plotBottom, double labelBaseline, double? bottomLabelBaseline)
    {
        sb.Append("<g class=\"axis\" font-size=\"11\">\n");
        sb.Append(Inv, $"<rect class=\"plot-area\" x=\"{N(axis.Left)}\" y=\"{N(plotTop)}\" width=\"{N(axis.Width)}\" height=\"{N(plotBottom - plotTop)}\" fill=\"none\" stroke=\"#888888\"/>\n");
        foreach (Int128 tick in axis.Ticks)
        {
            string x = N(axis.XOf(tick));
            string label = SvgText.Escape(axis.Label(tick));
            sb.Append(Inv, $"<line class=\"grid\" x1=\"{x}\" y1=\"{N(plotTop)}\" x2=\"{x}\" y2=\"{N(plotBottom)}\" stroke=\"#D4D4D4\"/>\n");
            sb.Append(Inv, $"<text class=\"tick-label\" x=\"{x}\" y=\"{N(labelBaseline)}\" text-anchor=\"middle\" fill=\"#333333\">{label}</text>\n");
            if (bottomLabelBaseline is double bottom)
            {
                sb.Append(Inv, $"<text class=\"tick-label-bottom\" x=\"{x}\" y=\"{N(bottom)}\" text-anchor=\"middle\" fill=\"#333333\">{label}</text>\n");
            }
        }

        sb.Append("</g>\n");
    }

    private static void AppendSpans(StringBuilder sb, IReadOnlyList<TimelineRow> rows, TimeAxis axis, double rowsTop)
    {
        sb.Append("<g class=\"spans\">\n");
        for (int i = 0; i < rows.Count; i++)
        {
            TimelineRow row = rows[i];
            string name = TimelineStyle.ClassName(row.Kind);
            string style = TimelineStyle.BarAttributes(row.Kind);
            double rowTop = rowsTop + (i * RowHeight);
            foreach (TimelineSpan span in row.Spans)
            {
                // A span whose end precedes its start (timestamps stepping backwards) is drawn over the interval it covers.
                long start = Math.Min(span.StartNs, span.EndNs), end = Math.Max(span.StartNs, span.EndNs);
                double x1 = axis.X(start), x2 = axis.X(end), barHeight = BarHeight;
                if (x2 - x1 < MinBarWidth)
                {
                    // A single packet still shows: widen about its centre, kept inside the plot, and
                    // stand taller than the bars so an event marker on it does not hide it.
                    double centre = (x1 + x2) / 2;
                    x1 = Math.Clamp(centre - (MinBarWidth / 2), axis.Left, axis.Left + axis.Width - MinBarWidth);
                    x2 = x1 + MinBarWidth;
                    barHeight = RowHeight - 2;
                }

                double y = rowTop + ((RowHeight - barHeight) / 2);

                string tooltip = $"{row.Label}: {TimeAxis.Seconds(axis.Relative(start))} to {TimeAxis.Seconds(axis.Relative(end))}, {TimelineStyle.LegendText(row.Kind)}";
                sb.Append(Inv, $"<rect class=\"span {name}\" x=\"{N(x1)}\" y=\"{N(y)}\" width=\"{N(x2 - x1)}\" height=\"{N(barHeight)}\" rx=\"1\"{style}><title>{SvgText.Escape(tooltip)}</title></rect>\n");
            }
        }

        sb.Append("</g>\n");
    }

    private static void AppendEvents(StringBuilder sb, IReadOnlyList<TimelineEvent> events, IReadOnlyList<TimelineRow> rows, TimeAxis axis, double rowsTop)
    {
        double[] x = new double[events.Count];
        for (int i = 0; i < events.Count; i++)
        {
            x[i] = axis.X(events[i].TimeNs);
        }

        SpreadCoincidentMarkers(events, x);
        sb.Append("<g class=\"events\">\n");
        for (int i = 0; i < events.Count; i++)
        {
            TimelineEvent e = events[i];
            double y = rowsTop + (e.Row * RowHeight) + (RowHeight / 2);
            string tooltip = $"{e.Label} (t = {TimeAxis.Seconds(axis.Relative(e.TimeNs))}, {rows[e.Row].Label})";
            sb.Append(Inv, $"<path class=\"event {TimelineStyle.ClassName(e.Kind)}\" d=\"{TimelineMarkers.PathData(e.Kind, x[i], y)}\" fill=\"{TimelineStyle.MarkerFill}\" stroke=\"#FFFFFF\"><title>{SvgText.Escape(tooltip)}</title></path>\n");
        }

        sb.Append("</g>\n");
    }

    /// <summary>
    /// Fans out markers that would land on the same spot of the same row (within a pixel), centred
    /// on their true position, so each stays visible and hoverable.
    /// </summary>
    private static void SpreadCoincidentMarkers(IReadOnlyList<TimelineEvent> events, double[] x)
    {
        int[] order = Enumerable.Range(0, events.Count).OrderBy(i => events[i].Row).ThenBy(i => x[i]).ThenBy(i => i).ToArray();
        double[] original = (double[])x.Clone();
        int start = 0;
        while (start < order.Length)
        {
            int end = start + 1;
            while (end < order.Length
                && events[order[end]].Row == events[order[start]].Row
                && original[order[end]] - original[order[start]] < 1)
            {
                end++;
            }

            int n = end - start;
            if (n > 1)
            {
                // Close enough that two markers overlap only partly; tighter for big clusters, never under 2 px.
                double step = Math.Clamp(36.0 / (n - 1), 2, 9);
                for (int k = 0; k < n; k++)
                {
                    x[order[start + k]] = original[order[start]] + ((k - ((n - 1) / 2.0)) * step);
                }
            }

            start = end;
        }
    }

    private static bool Contains(IReadOnlyList<TimelineRow> rows, TimelineRowKind kind) => rows.Any(r => r.Kind == kind);

    private static string Count(int n, string noun) => n.ToString(Inv) + " " + noun + (n == 1 ? "" : "s");

    private static string N(double value) => SvgText.Num(value);

    private readonly record struct LegendItem(double X, double Y, TimelineRowKind? RowKind, TimelineEventKind? EventKind, string Text);
}
