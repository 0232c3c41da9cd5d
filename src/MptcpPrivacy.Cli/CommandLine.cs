using System.CommandLine;
using MptcpPrivacy.Cli.Decode;

namespace MptcpPrivacy.Cli;

/// <summary>Builds the <c>mptcp-privacy</c> command tree.</summary>
internal static class CommandLine
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("Private Multipath TCP: wire codec, capture audit, userspace stack and privacy lab.");
        root.Subcommands.Add(DecodeCommandLine());
        return root.Parse(args).Invoke();
    }

    private static Command DecodeCommandLine()
    {
        var file = new Argument<string>("FILE") { Description = "A pcap or pcapng capture file." };
        var json = new Option<bool>("--json") { Description = "One JSON object per packet (schema: docs/decode-json.md)." };
        var command = new Command("decode", "Print every packet that carries an MPTCP option.") { file, json };
        command.SetAction(parse =>
        {
            using Stream stdout = Console.OpenStandardOutput();
            return DecodeCommand.Run(parse.GetValue(file)!, parse.GetValue(json), stdout, Console.Error);
        });
        return command;
    }
}
