using System.CommandLine;

namespace MptcpPrivacy.Cli;

/// <summary>Builds the <c>mptcp-privacy</c> command tree.</summary>
internal static class CommandLine
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("Private Multipath TCP: wire codec, capture audit, userspace stack and privacy lab.");
        return root.Parse(args).Invoke();
    }
}
