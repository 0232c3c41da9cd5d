using System.CommandLine;
using System.CommandLine.Invocation;

namespace MptcpPrivacy.Cli.Simulate;

/// <summary>
/// The <c>simulate</c> command's action. It takes the parse result even when System.CommandLine
/// found errors (an unknown option, an option without its value), so that bad input is exit code 2
/// with the problem named, as for a bad scenario, rather than the parser's default of 1, which
/// <c>simulate</c> keeps for a transfer that did not complete.
/// </summary>
internal sealed class SimulateAction(Func<ParseResult, SimulateRequest> read) : SynchronousCommandLineAction
{
    /// <inheritdoc/>
    public override bool ClearsParseErrors => true;

    /// <inheritdoc/>
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        // Clearing the parse errors also clears the unmatched tokens' errors; they are reported here instead.
        var problems = parseResult.Errors.Select(e => e.Message).ToList();
        problems.AddRange(parseResult.UnmatchedTokens.Select(t => $"unexpected argument \"{t}\" (one scenario file at most)"));
        SimulateRequest? request = problems.Count == 0 ? read(parseResult) : null;
        if (request?.ScenarioFile is { } file && file.StartsWith('-') && !File.Exists(file))
        {
            problems.Add($"unknown option \"{file}\"");
        }

        if (problems.Count > 0)
        {
            foreach (string problem in problems)
            {
                Console.Error.WriteLine($"simulate: {problem}");
            }

            Console.Error.WriteLine("simulate: see mptcp-privacy simulate --help");
            return SimulateCommand.ExitBadInput;
        }

        using Stream stdout = Console.OpenStandardOutput();
        return SimulateCommand.Run(request!, stdout, Console.Error);
    }
}
