using System.Text;

namespace MptcpPrivacy.Audit.Reporting;

/// <summary>
/// The outline of each event kind's marker as SVG path data: circle, triangles, diamond, square,
/// cross, star. Every marker is one closed filled path, so one element stands for one event.
/// </summary>
internal static class TimelineMarkers
{
    /// <summary>Half the nominal size of a marker, in pixels.</summary>
    public const double Radius = 6;

    /// <summary>Returns the path data of the marker for <paramref name="kind"/> centred on (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public static string PathData(TimelineEventKind kind, double x, double y)
    {
        const double r = Radius;
        return kind switch
        {
            TimelineEventKind.MpCapable => Circle(x, y, r * 0.9),
            TimelineEventKind.Join => Polygon(x, y, [(0, -1.1 * r), (1.05 * r, 0.8 * r), (-1.05 * r, 0.8 * r)]),
            TimelineEventKind.AddAddr => Polygon(x, y, [(0, -1.15 * r), (1.15 * r, 0), (0, 1.15 * r), (-1.15 * r, 0)]),
            TimelineEventKind.RemoveAddr => Polygon(x, y, [(-1.05 * r, -0.8 * r), (1.05 * r, -0.8 * r), (0, 1.1 * r)]),
            TimelineEventKind.MpPrio => Polygon(x, y, [(-0.8 * r, -0.8 * r), (0.8 * r, -0.8 * r), (0.8 * r, 0.8 * r), (-0.8 * r, 0.8 * r)]),
            TimelineEventKind.Reset => Polygon(x, y, Cross(r)),
            TimelineEventKind.Failure => Polygon(x, y, Star(r * 1.2, r * 0.5)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown event kind."),
        };
    }

    private static string Circle(double x, double y, double r) =>
        $"M{SvgText.Num(x - r)},{SvgText.Num(y)}a{SvgText.Num(r)},{SvgText.Num(r)} 0 1,0 {SvgText.Num(2 * r)},0"
        + $"a{SvgText.Num(r)},{SvgText.Num(r)} 0 1,0 {SvgText.Num(-2 * r)},0Z";

    private static string Polygon(double x, double y, ReadOnlySpan<(double Dx, double Dy)> points)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < points.Length; i++)
        {
            sb.Append(i == 0 ? 'M' : 'L').Append(SvgText.Num(x + points[i].Dx)).Append(',').Append(SvgText.Num(y + points[i].Dy));
        }

        return sb.Append('Z').ToString();
    }

    // An X: a plus sign of arm half-width w, turned 45°.
    private static (double, double)[] Cross(double r)
    {
        double w = r * 0.32, a = r * 1.05;
        (double X, double Y)[] plus =
        [
            (-w, -a), (w, -a), (w, -w), (a, -w), (a, w), (w, w),
            (w, a), (-w, a), (-w, w), (-a, w), (-a, -w), (-w, -w),
        ];
        double c = Math.Sqrt(0.5);
        return Array.ConvertAll(plus, p => ((p.X - p.Y) * c, (p.X + p.Y) * c));
    }

    private static (double, double)[] Star(double outer, double inner)
    {
        var points = new (double, double)[10];
        for (int i = 0; i < 10; i++)
        {
            double r = i % 2 == 0 ? outer : inner;
            double angle = (-Math.PI / 2) + (i * Math.PI / 5);
            points[i] = (r * Math.Cos(angle), r * Math.Sin(angle));
        }

        return points;
    }
}
