using MptcpPrivacy.Linux.Processes;

namespace MptcpPrivacy.Tests.Support;

/// <summary>Runs installed programs (tshark, tcpdump, ...) with a time limit; skips the test when they are missing.</summary>
internal static class ExternalTool
{
    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? Find(string name) => HostCommand.Find(name);

    /// <summary>Skips the running test, saying why, when <paramref name="name"/> is not installed.</summary>
    public static string Require(string name)
    {
        string? path = Find(name);
        Assert.SkipWhen(path is null, $"{name} is not installed (scripts/test.sh installs it when run as root)");
        return path!;
    }

    /// <summary>Runs a program to completion (at most <paramref name="timeout"/>) and returns its standard output; throws on a non-zero exit.</summary>
    public static string Run(string program, IEnumerable<string> arguments, TimeSpan? timeout = null, Action<int>? started = null) =>
        HostCommand.Run(program, arguments, timeout, started);
}
