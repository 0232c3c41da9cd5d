using System.Globalization;
using System.Text;

namespace MptcpPrivacy.Audit.Reporting;

/// <summary>
/// Text and number helpers for writing SVG by hand: XML escaping of untrusted labels, a width
/// estimate for monospace text, truncation, and culture-free number formatting.
/// </summary>
internal static class SvgText
{
    /// <summary>The horizontal ellipsis that ends a truncated label.</summary>
    private const char Ellipsis = '\u2026';

    /// <summary>
    /// Escapes <paramref name="text"/> for use as XML character data or a quoted attribute value.
    /// Characters XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE/U+FFFF) and bidirectional
    /// override/isolate controls become U+FFFD.
    /// </summary>
    /// <remarks>
    /// Labels come from captured packets, so they are untrusted: a forbidden character would make the
    /// whole document unparsable, and a right-to-left override could make an address read as another.
    /// </remarks>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        Span<char> utf16 = stackalloc char[2];
        // EnumerateRunes already turns a lone surrogate into U+FFFD.
        foreach (Rune r in text.EnumerateRunes())
        {
            switch (r.Value)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                default:
                    if (IsAllowed(r.Value))
                    {
                        int n = r.EncodeToUtf16(utf16);
                        sb.Append(utf16[..n]);
                    }
                    else
                    {
                        sb.Append('\uFFFD');
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>Estimates how many monospace cells <paramref name="text"/> occupies (East Asian wide characters count two, combining marks none).</summary>
    public static int Cells(string text)
    {
        int cells = 0;
        foreach (Rune r in text.EnumerateRunes())
        {
            cells += CellsOf(r);
        }

        return cells;
    }

    /// <summary>Returns <paramref name="text"/> cut to at most <paramref name="maxCells"/> cells, ending in an ellipsis when cut.</summary>
    public static string Truncate(string text, int maxCells)
    {
        if (Cells(text) <= maxCells)
        {
            return text;
        }

        var sb = new StringBuilder();
        int cells = 0;
        Span<char> utf16 = stackalloc char[2];
        foreach (Rune r in text.EnumerateRunes())
        {
            int w = CellsOf(r);
            if (cells + w > maxCells - 1)
            {
                break;
            }

            cells += w;
            sb.Append(utf16[..r.EncodeToUtf16(utf16)]);
        }

        return sb.Append(Ellipsis).ToString();
    }

    /// <summary>Formats a coordinate with at most two decimals, invariant culture, never "-0", never exponent notation.</summary>
    /// <exception cref="InvalidOperationException">The value is NaN or infinite, which is a layout bug.</exception>
    public static string Num(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new InvalidOperationException($"SVG layout produced a non-finite coordinate ({value}).");
        }

        double rounded = Math.Round(value, 2);
        return rounded == 0 ? "0" : rounded.ToString("0.##", CultureInfo.InvariantCulture);
    }

    private static bool IsAllowed(int c) =>
        c is 0x9 or 0xA or 0xD
        || (c >= 0x20 && c <= 0xD7FF && !IsBidiControl(c))
        || (c >= 0xE000 && c <= 0xFFFD)
        || c >= 0x10000;

    // Embeddings and overrides (U+202A..U+202E) and isolates (U+2066..U+2069).
    private static bool IsBidiControl(int c) => c is (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069);

    private static int CellsOf(Rune r)
    {
        switch (Rune.GetUnicodeCategory(r))
        {
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.EnclosingMark:
            case UnicodeCategory.Format:
                return 0;
        }

        int c = r.Value;
        bool wide = c is (>= 0x1100 and <= 0x115F) or (>= 0x2E80 and <= 0xA4CF) or (>= 0xAC00 and <= 0xD7A3)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0xFE30 and <= 0xFE4F) or (>= 0xFF00 and <= 0xFF60)
            or (>= 0xFFE0 and <= 0xFFE6) or (>= 0x1F300 and <= 0x1F64F) or (>= 0x1F900 and <= 0x1F9FF)
            or (>= 0x20000 and <= 0x3FFFD);
        return wide ? 2 : 1;
    }
}
