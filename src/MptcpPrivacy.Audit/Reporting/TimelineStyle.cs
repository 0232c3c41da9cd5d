namespace MptcpPrivacy.Audit.Reporting;

/// <summary>
/// How each row kind and event kind looks: its CSS class name, legend text, colours and the
/// pattern or dash that tells it apart without colour.
/// </summary>
/// <remarks>
/// Colours are from the Okabe–Ito palette, chosen to stay distinct under the common forms of colour
/// blindness. Colour is never the only cue: the kinds that matter most for a privacy reading
/// (failed join, fallback, unknown handshake, address only announced) also carry a hatch, dots or
/// a dashed outline, and event kinds differ by marker shape.
/// </remarks>
internal static class TimelineStyle
{
    /// <summary>The prefix of every id the document defines, so several timelines inlined in one HTML page do not clash with other content.</summary>
    public const string IdPrefix = "mptcp-timeline-";

    /// <summary>The fill of every event marker: dark, with a white outline so it stands out on any bar.</summary>
    public const string MarkerFill = "#1a1a1a";

    // Indexed by TimelineRowKind. Bars fill with a pattern where the kind needs more than colour.
    private static readonly RowStyle[] RowStyles =
    [
        new("initial", "initial subflow (MP_CAPABLE)", " fill=\"#0072B2\" stroke=\"#004A75\"", null),
        new("join", "joined subflow (MP_JOIN)", " fill=\"#009E73\" stroke=\"#00664A\"", null),

        // Diagonal stripes.
        new(
            "failed-join",
            "failed join",
            " stroke=\"#D55E00\"",
            " width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
            + "<rect width=\"6\" height=\"6\" fill=\"#FBE1D2\"/><rect width=\"2.5\" height=\"6\" fill=\"#D55E00\"/></pattern>"),

        // Cross-hatch and a long dash.
        new(
            "fallback",
            "fell back to TCP",
            " stroke=\"#A86F00\" stroke-dasharray=\"6 2\"",
            " width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
            + "<rect width=\"6\" height=\"6\" fill=\"#FCEBC4\"/><rect width=\"1.5\" height=\"6\" fill=\"#E69F00\"/>"
            + "<rect width=\"6\" height=\"1.5\" fill=\"#E69F00\"/></pattern>"),

        // Dots and a short dash.
        new(
            "unknown",
            "handshake not captured",
            " stroke=\"#555555\" stroke-dasharray=\"3 2\"",
            " width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\">"
            + "<rect width=\"4\" height=\"4\" fill=\"#E4E4E4\"/><circle cx=\"2\" cy=\"2\" r=\"1\" fill=\"#555555\"/></pattern>"),

        // Pale, with a dashed outline: an address, not traffic.
        new("announced-address", "address only announced", " fill=\"#F4DDEA\" stroke=\"#A0457A\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"", null),
    ];

    // Indexed by TimelineEventKind.
    private static readonly (string ClassName, string LegendText)[] EventStyles =
    [
        ("mp-capable", "MP_CAPABLE"),
        ("join", "MP_JOIN"),
        ("add-addr", "ADD_ADDR"),
        ("remove-addr", "REMOVE_ADDR"),
        ("mp-prio", "MP_PRIO"),
        ("reset", "MP_FASTCLOSE / MP_TCPRST"),
        ("failure", "check failed"),
    ];

    /// <summary>Gets the class name of a row kind ("initial", "failed-join", …).</summary>
    public static string ClassName(TimelineRowKind kind) => Of(kind).ClassName;

    /// <summary>Gets the class name of an event kind ("mp-capable", "add-addr", …).</summary>
    public static string ClassName(TimelineEventKind kind) => Of(kind).ClassName;

    /// <summary>Gets the legend text of a row kind.</summary>
    public static string LegendText(TimelineRowKind kind) => Of(kind).LegendText;

    /// <summary>Gets the legend text of an event kind.</summary>
    public static string LegendText(TimelineEventKind kind) => Of(kind).LegendText;

    /// <summary>
    /// Gets the presentation attributes of a bar of the given kind (fill, stroke, dash), with a
    /// leading space, ready to append to an element.
    /// </summary>
    public static string BarAttributes(TimelineRowKind kind)
    {
        RowStyle style = Of(kind);
        return style.Pattern is null ? style.Attributes : $" fill=\"url(#{PatternId(kind)})\"{style.Attributes}";
    }

    /// <summary>Gets the &lt;pattern&gt; definition a row kind's bars fill with, or null when the fill is plain.</summary>
    public static string? PatternDefinition(TimelineRowKind kind) =>
        Of(kind).Pattern is string pattern ? $"<pattern id=\"{PatternId(kind)}\"{pattern}" : null;

    private static RowStyle Of(TimelineRowKind kind) =>
        (uint)kind < (uint)RowStyles.Length ? RowStyles[(int)kind] : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown row kind.");

    private static (string ClassName, string LegendText) Of(TimelineEventKind kind) =>
        (uint)kind < (uint)EventStyles.Length ? EventStyles[(int)kind] : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown event kind.");

    private static string PatternId(TimelineRowKind kind) => IdPrefix + "fill-" + ClassName(kind);

    /// <summary>How the bars of one row kind look.</summary>
    /// <param name="ClassName">The kind's CSS class name.</param>
    /// <param name="LegendText">What the legend calls the kind.</param>
    /// <param name="Attributes">Stroke and dash attributes, and the fill when there is no pattern.</param>
    /// <param name="Pattern">The fill pattern, everything after <c>&lt;pattern id="…"</c>, or null.</param>
    private sealed record RowStyle(string ClassName, string LegendText, string Attributes, string? Pattern);
}
