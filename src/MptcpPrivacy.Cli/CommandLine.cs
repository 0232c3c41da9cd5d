using System.CommandLine;
using MptcpPrivacy.Cli.Audit;
using MptcpPrivacy.Cli.Connect;
using MptcpPrivacy.Cli.Decode;
using MptcpPrivacy.Cli.Interop;
using MptcpPrivacy.Cli.Lab;
using MptcpPrivacy.Cli.PathManager;
using MptcpPrivacy.Cli.Simulate;

namespace MptcpPrivacy.Cli;

/// <summary>Builds the <c>mptcp-privacy</c> command tree.</summary>
internal static class CommandLine
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("Private Multipath TCP: wire codec, capture audit, userspace stack and privacy lab.");
        root.Subcommands.Add(DecodeCommandLine());
        root.Subcommands.Add(AuditCommandLine());
        root.Subcommands.Add(SimulateCommandLine());
        root.Subcommands.Add(LabCommandLine());
        root.Subcommands.Add(InteropCommandLine());
        root.Subcommands.Add(TopologyCommand.Create());
        root.Subcommands.Add(PathManagerCommand.Create());
        root.Subcommands.Add(TunSessionCommandLine(TunSessionRole.Connect));
        root.Subcommands.Add(TunSessionCommandLine(TunSessionRole.Listen));
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

    private static Command SimulateCommandLine()
    {
        var scenario = new Argument<string?>("SCENARIO") { Description = "A scenario file (docs/simulate-scenarios.md). Without one: two paths, the second announced, 2 MB up, 4 MB down.", Arity = ArgumentArity.ZeroOrOne };
        var path = new Option<string[]>("--path") { HelpName = "SPEC", Description = "Repeatable: the paths, in order (\"rate=100M,rtt=20ms,loss=1%,nat,strip=join,down=5s\"); replaces the file's paths." };
        var mobility = new Option<string[]>("--mobility") { HelpName = "SPEC", Description = "Repeatable: an address or interface change (\"at=3s,path=2,add=203.0.113.9/24\"); added to the file's." };
        var announce = new Option<string[]>("--announce") { HelpName = "ADDR", Description = "Repeatable: an extra server address the server announces (ADD_ADDR); added to the file's." };
        var up = new Option<string?>("--up") { HelpName = "BYTES", Description = "What the client sends (\"2M\", \"64KiB\")." };
        var down = new Option<string?>("--down") { HelpName = "BYTES", Description = "What the server sends." };
        var seed = new Option<string?>("--seed") { HelpName = "N", Description = "The seed of every random draw; the same seed gives the same capture." };
        var duration = new Option<string?>("--duration") { HelpName = "D", Description = "The virtual time limit (\"60s\")." };
        var profile = new Option<string?>("--profile") { HelpName = "MODE", Description = "The wire privacy mode at both ends: standard (RFC 8684, the default), draft or privacy." };
        var connections = new Option<string?>("--connections") { HelpName = "N", Description = "Concurrent connections from the client, each moving the given bytes (default 1)." };
        var checksums = new Option<bool>("--checksums") { Description = "Both ends ask for DSS checksums (RFC 8684 §3.3)." };
        var pcap = new Option<string?>("--pcap") { HelpName = "FILE", Description = "Write a pcapng capture of every link, one interface each." };
        var json = new Option<bool>("--json") { Description = "One JSON document (schema and exit codes: docs/simulate-json.md)." };
        var command = new Command("simulate", "Play a scenario on the simulated network with the userspace MPTCP stack at both ends.")
        {
            scenario, path, mobility, announce, up, down, seed, duration, profile, connections, checksums, pcap, json,
        };
        command.Action = new SimulateAction(parse => new SimulateRequest
        {
            ScenarioFile = parse.GetValue(scenario),
            Paths = parse.GetValue(path) ?? [],
            Mobility = parse.GetValue(mobility) ?? [],
            Announce = parse.GetValue(announce) ?? [],
            Up = parse.GetValue(up),
            Down = parse.GetValue(down),
            Seed = parse.GetValue(seed),
            Duration = parse.GetValue(duration),
            Profile = parse.GetValue(profile),
            Connections = parse.GetValue(connections),
            Checksums = parse.GetValue(checksums),
            PcapFile = parse.GetValue(pcap),
            Json = parse.GetValue(json),
        });
        return command;
    }

    private static Command LabCommandLine()
    {
        var json = new Option<bool>("--json") { Description = "One JSON document (schema and exit codes: docs/lab-json.md)." };
        var report = new Option<string?>("--report") { HelpName = "DIR", Description = "Write DIR/index.html: the table and the audit's timelines, readable in a browser without a server." };
        var seed = new Option<string?>("--seed") { HelpName = "N", Description = "The seed of every run (default 1); the same seed gives the same table." };
        var quick = new Option<bool>("--quick") { Description = "Fewer connections and smaller transfers." };
        var backend = new Option<string?>("--backend") { HelpName = "simulator|netns", Description = "simulator (default), or netns: the standard/aggregate column on Linux kernels in network namespaces (needs root)." };
        var command = new Command("lab", "On the simulator: a mobile user under standard MPTCP, the draft's mode and the privacy profile; what each observer learns, which join attacks work, and the cost.")
        {
            json, report, seed, quick, backend,
        };
        command.SetAction(parse =>
        {
            using Stream stdout = Console.OpenStandardOutput();
            return LabCommand.Run(parse.GetValue(json), parse.GetValue(report), parse.GetValue(seed), parse.GetValue(quick), stdout, Console.Error, parse.GetValue(backend));
        });
        return command;
    }

    private static Command InteropCommandLine()
    {
        var cases = new Option<string[]>("--case") { HelpName = "NAME", Description = "Repeatable: run only these cases (default: all; see the table for names)." };
        var direction = new Option<string>("--direction") { HelpName = "WHICH", Description = "both (default), ours-to-kernel or kernel-to-ours.", DefaultValueFactory = _ => "both" };
        var json = new Option<bool>("--json") { Description = "One JSON document (schema: docs/interop-json.md)." };
        var captures = new Option<string?>("--captures") { HelpName = "DIR", Description = "Keep each run's capture (the kernel host's interfaces) in this directory." };
        var command = new Command("interop", "Run the project's stack against the Linux kernel's MPTCP in network namespaces (needs root) and print the matrix.")
        {
            cases, direction, json, captures,
        };
        command.SetAction(parse =>
        {
            using Stream stdout = Console.OpenStandardOutput();
            return InteropCommand.Run(parse.GetValue(cases) ?? [], parse.GetValue(direction)!, parse.GetValue(json), parse.GetValue(captures), stdout, Console.Error);
        });
        return command;
    }

    private static Command TunSessionCommandLine(TunSessionRole role)
    {
        bool connect = role == TunSessionRole.Connect;
        var remoteArgument = new Argument<string?>("REMOTE") { Description = "The peer's address.", Arity = ArgumentArity.ZeroOrOne };
        var portArgument = new Argument<string?>("PORT") { Description = "The peer's port.", Arity = ArgumentArity.ZeroOrOne };
        var tun = new Option<string>("--tun") { HelpName = "NAME", Description = "The TUN device (created, routed and removed afterwards when missing).", DefaultValueFactory = _ => "tun0" };
        var netns = new Option<string?>("--netns") { HelpName = "NAME", Description = "Run in this network namespace (ip netns)." };
        var address = new Option<string[]>("--address") { HelpName = "ADDR", Description = "Repeatable: the stack's own addresses, one per path; the first is where the connection starts." };
        var remote = new Option<string?>("--remote") { HelpName = "ADDR", Description = "The peer's address (instead of REMOTE)." };
        var port = new Option<string?>("--port") { HelpName = "P", Description = connect ? "The peer's port (instead of PORT)." : "The port to listen on." };
        var input = new Option<string?>("--input") { HelpName = "FILE", Description = "Send this file (default: standard input)." };
        var output = new Option<string?>("--output") { HelpName = "FILE", Description = "Write what is received here (default: standard output)." };
        var checksums = new Option<bool>("--checksums") { Description = "Ask for DSS checksums (RFC 8684 §3.3)." };
        var pcap = new Option<string?>("--pcap") { HelpName = "FILE", Description = "Write a pcapng capture of every packet the stack sent and received." };
        var timeout = new Option<string?>("--timeout") { HelpName = "D", Description = "Give up after this long (\"30s\"; default 5 minutes)." };
        var profile = new Option<string?>("--profile")
        {
            HelpName = "MODE",
            Description = connect
                ? "Wire privacy: standard (RFC 8684, the default), draft (draft-bagnulo-mptcp-privacy-00 as written; both ends must run it) or privacy (offer the privacy profile in the SYN: a peer that ignores it, such as Linux, gets standard MPTCP)."
                : "Wire privacy: standard (RFC 8684, the default), draft (draft-bagnulo-mptcp-privacy-00 as written; both ends must run it) or privacy (accept the privacy profile from a client that offers it; others get standard MPTCP).",
        };
        profile.AcceptOnlyFromAmong("standard", "draft", "privacy");
        var profileRequired = new Option<bool>("--profile-required")
        {
            Description = connect
                ? "With --profile privacy: reset the connection when the peer's SYN/ACK does not accept the profile, instead of running standard MPTCP (never with Linux)."
                : "With --profile privacy: reset every SYN that does not offer the profile, instead of serving standard MPTCP (refuses Linux clients).",
        };
        var command = connect
            ? new Command("connect", "Run the userspace MPTCP stack on a TUN device and connect: send the input, receive to the output.") { remoteArgument, portArgument }
            : new Command("listen", "Run the userspace MPTCP stack on a TUN device and accept one connection: send the input, receive to the output.");
        foreach (Option option in new Option[] { tun, netns, address })
        {
            command.Options.Add(option);
        }

        if (connect)
        {
            command.Options.Add(remote);
        }

        foreach (Option option in new Option[] { port, input, output, checksums, profile, profileRequired, pcap, timeout })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            var request = new TunSessionRequest
            {
                Role = role,
                Tun = parse.GetValue(tun) ?? "tun0",
                Netns = parse.GetValue(netns),
                Addresses = parse.GetValue(address) ?? [],
                Remote = connect ? parse.GetValue(remote) ?? parse.GetValue(remoteArgument) : null,
                Port = parse.GetValue(port) ?? (connect ? parse.GetValue(portArgument) : null),
                Input = parse.GetValue(input),
                Output = parse.GetValue(output),
                Checksums = parse.GetValue(checksums),
                Profile = parse.GetValue(profile),
                ProfileRequired = parse.GetValue(profileRequired),
                Pcap = parse.GetValue(pcap),
                Timeout = parse.GetValue(timeout),
            };
            using Stream stdin = Console.OpenStandardInput();
            using Stream stdout = Console.OpenStandardOutput();
            return TunSessionCommand.Run(request, stdin, stdout, Console.Error);
        });
        return command;
    }
}
