using System.CommandLine;
using MptcpPrivacy.Cli.Audit;
using MptcpPrivacy.Cli.Decode;

namespace MptcpPrivacy.Cli;

/// <summary>Builds the <c>mptcp-privacy</c> command tree.</summary>
internal static class CommandLine
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("Private Multipath TCP: wire codec, capture audit, userspace stack and privacy lab.");
        root.Subcommands.Add(DecodeCommandLine());
        root.Subcommands.Add(AuditCommandLine());
        return root.Parse(args).Invoke();
    }

    private static Command AuditCommandLine()
    {
        var files = new Argument<string[]>("FILE") { Description = "One or more pcap/pcapng captures (of the same traffic from several points, or of different traffic).", Arity = ArgumentArity.OneOrMore };
        var observer = new Option<string[]>("--observer")
        {
            Description = "NAME=SPEC, repeatable: what one observer sees (if:N, if:FILE:N, net:PREFIX, file:N, all; ',' = or, '&' = and). Default: fully on-path, endpoint, one per path.",
        };
        var json = new Option<bool>("--json") { Description = "One JSON document (schema: docs/audit-json.md)." };
        var svg = new Option<string?>("--svg") { Description = "Write one timeline picture per connection into this directory." };
        var command = new Command("audit", "Rebuild MPTCP connections from captures and report what each observer learns.") { files, observer, json, svg };
        command.SetAction(parse =>
        {
            using Stream stdout = Console.OpenStandardOutput();
            return AuditCommand.Run(parse.GetValue(files)!, parse.GetValue(observer) ?? [], parse.GetValue(json), parse.GetValue(svg), stdout, Console.Error);
        });
        return command;
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
