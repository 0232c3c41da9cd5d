using MptcpPrivacy.Cli.PathManager;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Tests.Linux.PathManager;

/// <summary><c>mptcp-privacy pm</c>'s arguments: bad input exits 2 with the reason, before touching the kernel.</summary>
public class PathManagerCommandTests
{
    [Theory]
    [InlineData("sometimes", new string[0], null, null, "--policy must be off, backup, handover or aggregate")]
    [InlineData("backup", new[] { "not-an-address" }, null, null, "is not an IP address")]
    [InlineData("backup", new[] { "203.0.113.2,sideways" }, null, null, "unknown flag \"sideways\"")]
    [InlineData("backup", new[] { "203.0.113.2,signal", "203.0.113.2,subflow" }, null, null, "duplicate endpoint 203.0.113.2")]
    [InlineData("backup", new string[0], null, "-1", "--duration must be a positive number of seconds")]
    [InlineData("backup", new string[0], null, "soon", "--duration must be a positive number of seconds")]
    [InlineData("backup", new string[0], "mppm-no-such-namespace", "1", "no network namespace \"mppm-no-such-namespace\"")]
    public void BadInputExitsWithTwoAndSaysWhy(string policy, string[] endpoints, string? netns, string? duration, string expected)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(2, PathManagerCommand.Run(policy, endpoints, netns, duration, stdout, stderr, CancellationToken.None));
        Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(stdout.ToString());
    }

    [Theory]
    [InlineData("203.0.113.2", EndpointFlags.Subflow)]
    [InlineData("203.0.113.2,signal", EndpointFlags.Signal)]
    [InlineData("2001:db8:2::2,signal,subflow,backup", EndpointFlags.Signal | EndpointFlags.Subflow | EndpointFlags.Backup)]
    public void EndpointsParseAsIpMptcpEndpointLines(string text, EndpointFlags flags)
    {
        Assert.True(PathManagerCommand.TryEndpoint(text, out PathEndpoint endpoint, out string? problem), problem);
        Assert.Equal(IpAddressBytes.Parse(text.Split(',')[0]), endpoint.Address);
        Assert.Equal(flags, endpoint.Flags);
    }
}
