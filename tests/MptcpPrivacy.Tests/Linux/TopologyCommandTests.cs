using MptcpPrivacy.Cli.Interop;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Linux;

/// <summary>The hidden <c>interop-topology</c> command that scripts run their work under.</summary>
public class TopologyCommandTests
{
    [Theory]
    [InlineData("50M", 50_000_000L)]
    [InlineData("50m", 50_000_000L)]
    [InlineData("1G", 1_000_000_000L)]
    [InlineData("800k", 800_000L)]
    [InlineData("12345", 12_345L)]
    [InlineData("0", null)]
    [InlineData("-5M", null)]
    [InlineData("5x", null)]
    [InlineData("M", null)]
    [InlineData("", null)]
    [InlineData("99999999999999999999G", null)]
    public void RatesAreBitsPerSecondWithAnOptionalDecimalUnit(string text, long? bits) =>
        Assert.Equal(bits, TopologyCommand.ParseRate(text));

    [Fact]
    public void WordsBecomeOptionsAndWrongOnesAreNamed()
    {
        Assert.True(TopologyCommand.TryOptions(3, "kernel", "50M", "joins", out TopologyOptions? options, out _));
        Assert.Equal(new TopologyOptions { Paths = 3, StackSide = StackSide.Kernel, RateBitsPerSecond = 50_000_000, OptionStrip = OptionStrip.JoinsOnly }, options);
        Assert.False(TopologyCommand.TryOptions(2, "router", null, "none", out _, out string? side));
        Assert.Contains("--stack-side", side);
        Assert.False(TopologyCommand.TryOptions(2, "tun", null, "some", out _, out string? strip));
        Assert.Contains("--strip", strip);
        Assert.False(TopologyCommand.TryOptions(0, "tun", null, "none", out _, out string? paths));
        Assert.Contains("1 to 3 paths", paths);
        var errors = new StringWriter();
        Assert.Equal(2, TopologyCommand.Run(2, "tun", "fast", "none", 10, ["true"], errors));
        Assert.Contains("--rate", errors.ToString());
    }

    [Fact]
    public void TheCommandRunsWithTheTopologyInItsEnvironmentAndItsExitCodeAndNothingIsLeftAfterwards()
    {
        Privileges.RequireRoot("the interop topology");
        using var temp = new TempDirectory();
        string seen = temp.File("seen");
        // The command writes what it sees and exits 7: the stack host's addresses and the variables.
        string script = $"""
            ip -n "$MPI_STACK_NS" -o -4 address show dev "$MPI_S2_DEV" > '{seen}'
            echo "$MPI_STACK_NS $MPI_KERNEL_NS $MPI_STACK_SIDE $MPI_PATHS $MPI_STACK2_4 $MPI_SERVICE6 rate=$MPI_RATE strip=$MPI_STRIP tun=$MPI_TUN" >> '{seen}'
            exit 7
            """;
        var errors = new StringWriter();
        Assert.Equal(7, TopologyCommand.Run(2, "kernel", "50M", "all", 60, ["sh", "-c", script], errors));
        string[] lines = File.ReadAllLines(seen);
        Assert.Contains("inet 203.0.113.2/24", lines[0]);
        string[] words = lines[1].Split(' ');
        Assert.Matches($"^{InteropTopology.NamePrefix}{Environment.ProcessId}x\\d+-s$", words[0]);
        Assert.Equal(words[0][..^1] + "k", words[1]);
        Assert.Equal(["kernel", "2", "203.0.113.2", "2001:db8::1", "rate=50000000", "strip=all", "tun="], words[2..]);
        string left = ExternalTool.Run("ip", ["netns", "list"]);
        Assert.DoesNotContain(words[0], left);
        Assert.DoesNotContain(words[1], left);

        Assert.Equal(124, TopologyCommand.Run(1, "tun", null, "none", 1, ["sleep", "30"], errors));
        Assert.Contains("longer than 1 s", errors.ToString());
    }
}
