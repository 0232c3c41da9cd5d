namespace MptcpPrivacy.Capture;

/// <summary>Capture timestamps (Unix nanoseconds) as text: seconds with nine decimals, exact, culture-free.</summary>
public static class UnixTime
{
    /// <summary>The longest text <see cref="Format(long, Span{char})"/> writes.</summary>
    public const int MaxLength = 31;

    /// <summary>Writes e.g. 1589400000.123456789 into <paramref name="destination"/> and returns the characters written.</summary>
    public static int Format(long nanoseconds, Span<char> destination)
    {
        long seconds = Math.DivRem(nanoseconds, 1_000_000_000L, out long fraction);
        if (fraction < 0)
        {
            seconds--;
            fraction += 1_000_000_000L;
        }

        seconds.TryFormat(destination, out int n, provider: System.Globalization.CultureInfo.InvariantCulture);
        destination[n++] = '.';
        fraction.TryFormat(destination[n..], out int m, "D9", System.Globalization.CultureInfo.InvariantCulture);
        return n + m;
    }

    /// <summary>The same as a string.</summary>
    public static string Format(long nanoseconds)
    {
        Span<char> text = stackalloc char[MaxLength];
        return new string(text[..Format(nanoseconds, text)]);
    }
}
