using System.Globalization;

namespace MptcpPrivacy.Simulation.Scenarios;

/// <summary>
/// Reads and writes the values of scenario files and path strings: durations ("20ms"), rates
/// ("100M"), byte counts ("10MiB"), percentages ("0.5%"). Every value a reader accepts is written
/// back so that reading it again gives the same number.
/// </summary>
/// <remarks>
/// Numbers are decimal (no sign, no exponent) and are read as <see cref="decimal"/>, so "0.3%" is
/// exactly three in a thousand before it becomes a <see cref="double"/>, and "1.5ms" exactly 1,500,000 ns.
/// </remarks>
public static class ScenarioValues
{
    private const long NsPerSecond = 1_000_000_000;

    private static readonly (string Unit, long Factor)[] DurationUnits = [("s", NsPerSecond), ("ms", 1_000_000), ("us", 1_000), ("ns", 1)];

    private static readonly (string Unit, long Factor)[] RateUnits = [("G", 1_000_000_000), ("M", 1_000_000), ("k", 1_000)];

    private static readonly (string Unit, long Factor)[] ByteUnits =
        [("G", 1_000_000_000), ("M", 1_000_000), ("k", 1_000), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10)];

    /// <summary>Reads a duration such as "20ms", "1.5s", "250us" or "0" into nanoseconds.</summary>
    /// <exception cref="ScenarioFormatException">The text is not a duration.</exception>
    public static long ParseDuration(string text)
    {
        const string Expected = "a duration such as 20ms, 1.5s, 250us or 100ns";
        (decimal number, string unit) = Split(text, Expected);
        if (unit.Length == 0 && number != 0)
        {
            throw new ScenarioFormatException($"\"{text}\" needs a unit: ns, us, ms or s (as in {number.ToString(CultureInfo.InvariantCulture)}ms)");
        }

        long factor = unit switch
        {
            "" or "ns" => 1,
            "us" or "µs" => 1_000,
            "ms" => 1_000_000,
            "s" => NsPerSecond,
            _ => throw new ScenarioFormatException($"\"{text}\" has an unknown unit \"{unit}\"; use ns, us, ms or s"),
        };
        return Whole(text, number, factor, "nanoseconds");
    }

    /// <summary>Writes nanoseconds in the largest unit that keeps the value whole ("20ms", "1500us").</summary>
    public static string FormatDuration(long nanoseconds) => nanoseconds == 0 ? "0s" : FormatScaled(nanoseconds, DurationUnits, "ns");

    /// <summary>Reads a line rate in bits per second: "100M", "1.5G", "64k", "2000000", each optionally followed by "bit/s" or "bps"; "unlimited" or 0 for no limit.</summary>
    /// <exception cref="ScenarioFormatException">The text is not a rate.</exception>
    public static long ParseRate(string text)
    {
        if (text.Equals("unlimited", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        (decimal number, string unit) = Split(text, "a rate in bit/s such as 100M, 1.5G, 64k or unlimited");
        string prefix = unit;
        foreach (string suffix in (string[])["bit/s", "bps", "bit"])
        {
            if (prefix.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                prefix = prefix[..^suffix.Length];
                break;
            }
        }

        long factor = prefix switch
        {
            "" => 1,
            "k" or "K" => 1_000,
            "m" or "M" => 1_000_000,
            "g" or "G" => 1_000_000_000,
            _ => throw new ScenarioFormatException($"\"{text}\" has an unknown unit \"{unit}\"; a rate is bit/s with k, M or G, as in 100M"),
        };
        return Whole(text, number, factor, "bit/s");
    }

    /// <summary>Writes a rate as the shortest whole number of G, M or k ("100M"), or "unlimited" for 0.</summary>
    public static string FormatRate(long bitsPerSecond) => bitsPerSecond == 0 ? "unlimited" : FormatScaled(bitsPerSecond, RateUnits, "");

    /// <summary>Reads a byte count: "1000000", "10k", "1.5M", "2G" (powers of 1000, an optional B after the letter), "64KiB", "10MiB", "1GiB" (powers of 1024).</summary>
    /// <exception cref="ScenarioFormatException">The text is not a byte count.</exception>
    public static long ParseBytes(string text)
    {
        (decimal number, string unit) = Split(text, "a byte count such as 1000000, 10M or 64KiB");
        long factor = unit switch
        {
            "" or "B" => 1,
            "k" or "K" or "kB" or "KB" => 1_000,
            "M" or "MB" => 1_000_000,
            "G" or "GB" => 1_000_000_000,
            "KiB" => 1L << 10,
            "MiB" => 1L << 20,
            "GiB" => 1L << 30,
            _ => throw new ScenarioFormatException($"\"{text}\" has an unknown unit \"{unit}\"; use k, M, G (powers of 1000) or KiB, MiB, GiB"),
        };
        return Whole(text, number, factor, "bytes");
    }

    /// <summary>Writes a byte count with the largest unit that keeps it whole ("10M", "64KiB", "1234").</summary>
    public static string FormatBytes(long bytes) => bytes == 0 ? "0" : FormatScaled(bytes, ByteUnits, "");

    /// <summary>Reads a percentage "0" to "100%" ("1%", "0.5%") into a probability from 0 to 1.</summary>
    /// <exception cref="ScenarioFormatException">The text is not a percentage or is over 100%.</exception>
    public static double ParsePercent(string text)
    {
        (decimal number, string unit) = Split(text, "a percentage such as 1% or 0.5%");
        if (unit != "%" && !(unit.Length == 0 && number == 0))
        {
            throw new ScenarioFormatException(unit.Length == 0
                ? $"\"{text}\" needs a % sign (write {number.ToString(CultureInfo.InvariantCulture)}% for {number.ToString(CultureInfo.InvariantCulture)} in a hundred)"
                : $"\"{text}\" is not a percentage such as 1% or 0.5%");
        }

        if (number > 100)
        {
            throw new ScenarioFormatException($"\"{text}\" is more than 100%");
        }

        // Through text: decimal's own conversion to double may round twice, double.Parse rounds once.
        return double.Parse((number / 100m).ToString(CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>Writes a probability as a percentage ("0.5%") that <see cref="ParsePercent"/> reads back to the same double.</summary>
    public static string FormatPercent(double probability)
    {
        // The shortest text that reads back to the same double ("R"), scaled by 100 in decimal,
        // where the scaling is exact: 0.003 writes as 0.3% and not 0.30000000000000004%.
        decimal exact = decimal.Parse(probability.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        return (exact * 100m).ToString("0.############################", CultureInfo.InvariantCulture) + "%";
    }

    /// <summary>Reads a whole number from <paramref name="minimum"/> to <paramref name="maximum"/>.</summary>
    /// <exception cref="ScenarioFormatException">The text is not such a number.</exception>
    public static long ParseInteger(string text, long minimum, long maximum)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw new ScenarioFormatException($"\"{text}\" is not a whole number");
        }

        if (value < minimum || value > maximum)
        {
            throw new ScenarioFormatException($"{value} is out of range ({minimum} to {maximum})");
        }

        return value;
    }

    /// <summary>Reads a number of concurrent connections, 1 to <see cref="ScenarioSpec.MaximumConnections"/>.</summary>
    /// <exception cref="ScenarioFormatException">The text is not such a number.</exception>
    public static long ParseConnections(string text) => ParseInteger(text, 1, ScenarioSpec.MaximumConnections);

    /// <summary>Reads a privacy profile: "standard", "draft" or "privacy" (any case).</summary>
    /// <exception cref="ScenarioFormatException">The text names no profile.</exception>
    public static PrivacyProfile ParseProfile(string text) => text?.Trim().ToLowerInvariant() switch
    {
        "standard" => PrivacyProfile.Standard,
        "draft" => PrivacyProfile.Draft,
        "privacy" => PrivacyProfile.Privacy,
        _ => throw new ScenarioFormatException($"\"{text}\" is not a privacy profile: standard, draft or privacy"),
    };

    /// <summary>Writes a privacy profile as <see cref="ParseProfile"/> reads it ("privacy").</summary>
    public static string FormatProfile(PrivacyProfile profile) => profile switch
    {
        PrivacyProfile.Standard => "standard",
        PrivacyProfile.Draft => "draft",
        PrivacyProfile.Privacy => "privacy",
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "not a privacy profile"),
    };

    private static (decimal Number, string Unit) Split(string text, string expected)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        int end = 0;
        while (end < trimmed.Length && (char.IsAsciiDigit(trimmed[end]) || trimmed[end] == '.'))
        {
            end++;
        }

        if (end == 0 || !decimal.TryParse(trimmed.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
        {
            throw new ScenarioFormatException($"\"{text}\" is not {expected}");
        }

        return (number, trimmed[end..].TrimStart());
    }

    private static long Whole(string text, decimal number, long factor, string units)
    {
        decimal value;
        try
        {
            value = number * factor;
        }
        catch (OverflowException)
        {
            throw new ScenarioFormatException($"\"{text}\" is too large");
        }

        if (value > long.MaxValue)
        {
            throw new ScenarioFormatException($"\"{text}\" is too large");
        }

        if (value != decimal.Truncate(value))
        {
            throw new ScenarioFormatException($"\"{text}\" is not a whole number of {units}");
        }

        return (long)value;
    }

    private static string FormatScaled(long value, (string Unit, long Factor)[] units, string plainUnit)
    {
        foreach ((string unit, long factor) in units)
        {
            if (value % factor == 0)
            {
                return (value / factor).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return value.ToString(CultureInfo.InvariantCulture) + plainUnit;
    }
}
