using MptcpPrivacy.Simulation.Scenarios;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>Durations, rates, byte counts and percentages as scenario text: every form read, every error, and writing reads back.</summary>
public class ScenarioValuesTests
{
    [Theory]
    [InlineData("20ms", 20_000_000L)]
    [InlineData("1.5s", 1_500_000_000L)]
    [InlineData("250us", 250_000L)]
    [InlineData("250µs", 250_000L)]
    [InlineData("100ns", 100L)]
    [InlineData("0", 0L)]
    [InlineData("0s", 0L)]
    [InlineData(" 2 ms ", 2_000_000L)]
    [InlineData("0.000000001s", 1L)]
    public void Durations_read_in_every_unit(string text, long expected) => Assert.Equal(expected, ScenarioValues.ParseDuration(text));

    [Theory]
    [InlineData("20", "\"20\" needs a unit: ns, us, ms or s (as in 20ms)")]
    [InlineData("5h", "\"5h\" has an unknown unit \"h\"; use ns, us, ms or s")]
    [InlineData("abc", "\"abc\" is not a duration such as 20ms, 1.5s, 250us or 100ns")]
    [InlineData("-5ms", "is not a duration")]
    [InlineData("", "is not a duration")]
    [InlineData("1e3ms", "unknown unit \"e3ms\"")]
    [InlineData("1.2.3s", "is not a duration")]
    [InlineData("1.5ns", "\"1.5ns\" is not a whole number of nanoseconds")]
    [InlineData("99999999999s", "\"99999999999s\" is too large")]
    public void Bad_durations_say_what_is_wrong(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<ScenarioFormatException>(() => ScenarioValues.ParseDuration(text)).Message);

    [Theory]
    [InlineData("100M", 100_000_000L)]
    [InlineData("1.5G", 1_500_000_000L)]
    [InlineData("64k", 64_000L)]
    [InlineData("64K", 64_000L)]
    [InlineData("2000000", 2_000_000L)]
    [InlineData("100Mbit/s", 100_000_000L)]
    [InlineData("100mbps", 100_000_000L)]
    [InlineData("10 Mbit", 10_000_000L)]
    [InlineData("unlimited", 0L)]
    [InlineData("0", 0L)]
    public void Rates_read_in_bits_per_second(string text, long expected) => Assert.Equal(expected, ScenarioValues.ParseRate(text));

    [Theory]
    [InlineData("100X", "unknown unit \"X\"; a rate is bit/s with k, M or G")]
    [InlineData("fast", "\"fast\" is not a rate in bit/s such as 100M, 1.5G, 64k or unlimited")]
    [InlineData("1.5", "\"1.5\" is not a whole number of bit/s")]
    [InlineData("100MB/s", "unknown unit \"MB/s\"")]
    public void Bad_rates_say_what_is_wrong(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<ScenarioFormatException>(() => ScenarioValues.ParseRate(text)).Message);

    [Theory]
    [InlineData("10M", 10_000_000L)]
    [InlineData("1.5MB", 1_500_000L)]
    [InlineData("64KiB", 65_536L)]
    [InlineData("10MiB", 10_485_760L)]
    [InlineData("1GiB", 1_073_741_824L)]
    [InlineData("2G", 2_000_000_000L)]
    [InlineData("1234", 1234L)]
    [InlineData("1234B", 1234L)]
    [InlineData("5k", 5000L)]
    public void Byte_counts_read_in_powers_of_1000_and_1024(string text, long expected) => Assert.Equal(expected, ScenarioValues.ParseBytes(text));

    [Theory]
    [InlineData("1.5", "\"1.5\" is not a whole number of bytes")]
    [InlineData("10Q", "unknown unit \"Q\"; use k, M, G (powers of 1000) or KiB, MiB, GiB")]
    [InlineData("lots", "is not a byte count such as 1000000, 10M or 64KiB")]
    public void Bad_byte_counts_say_what_is_wrong(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<ScenarioFormatException>(() => ScenarioValues.ParseBytes(text)).Message);

    [Theory]
    [InlineData("1%", 0.01)]
    [InlineData("0.5%", 0.005)]
    [InlineData("100%", 1.0)]
    [InlineData("0", 0.0)]
    [InlineData("0%", 0.0)]
    [InlineData("0.3%", 0.003)]
    public void Percentages_read_as_probabilities(string text, double expected) => Assert.Equal(expected, ScenarioValues.ParsePercent(text));

    [Theory]
    [InlineData("1", "\"1\" needs a % sign (write 1% for 1 in a hundred)")]
    [InlineData("0.01", "needs a % sign (write 0.01% for 0.01 in a hundred)")]
    [InlineData("101%", "\"101%\" is more than 100%")]
    [InlineData("1.5x", "\"1.5x\" is not a percentage such as 1% or 0.5%")]
    [InlineData("%", "is not a percentage such as 1% or 0.5%")]
    public void Bad_percentages_say_what_is_wrong(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<ScenarioFormatException>(() => ScenarioValues.ParsePercent(text)).Message);

    [Theory]
    [InlineData("x", "\"x\" is not a whole number")]
    [InlineData("1.5", "\"1.5\" is not a whole number")]
    [InlineData("70000", "70000 is out of range (68 to 65535)")]
    public void Bad_integers_say_what_is_wrong(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<ScenarioFormatException>(() => ScenarioValues.ParseInteger(text, 68, 65535)).Message);

    [Theory]
    [InlineData(20_000_000L, "20ms")]
    [InlineData(1_500_000_000L, "1500ms")]
    [InlineData(3_000_000_000L, "3s")]
    [InlineData(1_001L, "1001ns")]
    [InlineData(0L, "0s")]
    public void Durations_write_in_the_largest_whole_unit(long ns, string expected) => Assert.Equal(expected, ScenarioValues.FormatDuration(ns));

    [Theory]
    [InlineData(100_000_000L, "100M")]
    [InlineData(1_500_000_000L, "1500M")]
    [InlineData(0L, "unlimited")]
    [InlineData(1_234L, "1234")]
    public void Rates_write_in_the_largest_whole_unit(long rate, string expected) => Assert.Equal(expected, ScenarioValues.FormatRate(rate));

    [Theory]
    [InlineData(10_485_760L, "10MiB")]
    [InlineData(2_048_000L, "2048k")]
    [InlineData(0L, "0")]
    [InlineData(1_234L, "1234")]
    public void Byte_counts_write_in_the_largest_whole_unit(long bytes, string expected) => Assert.Equal(expected, ScenarioValues.FormatBytes(bytes));

    [Fact]
    public void Every_value_written_reads_back_the_same()
    {
        var random = new Random(4242);
        for (int i = 0; i < 20_000; i++)
        {
            long value = random.NextInt64(0, 1L << random.Next(1, 62));
            Assert.True(value == ScenarioValues.ParseDuration(ScenarioValues.FormatDuration(value)), $"duration {value}, seed 4242");
            Assert.True(value == ScenarioValues.ParseRate(ScenarioValues.FormatRate(value)), $"rate {value}, seed 4242");
            Assert.True(value == ScenarioValues.ParseBytes(ScenarioValues.FormatBytes(value)), $"bytes {value}, seed 4242");
        }

        for (int tenThousandths = 0; tenThousandths <= 1_000_000; tenThousandths += 7)
        {
            // Percentages with up to four decimals, as a person writes them.
            string text = (tenThousandths / 10_000m).ToString(System.Globalization.CultureInfo.InvariantCulture) + "%";
            double probability = ScenarioValues.ParsePercent(text);
            Assert.Equal(probability, ScenarioValues.ParsePercent(ScenarioValues.FormatPercent(probability)));
        }

        Assert.Equal("0.3%", ScenarioValues.FormatPercent(0.003));
        Assert.Equal("12.5%", ScenarioValues.FormatPercent(0.125));
    }
}
