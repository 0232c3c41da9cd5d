using System.Text;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;

namespace MptcpPrivacy.Cli.Simulate;

/// <summary>
/// <c>mptcp-privacy simulate [SCENARIO.json] [--path SPEC]... [--mobility SPEC]... [--up BYTES]
/// [--down BYTES] [--seed N] [--duration D] [--announce ADDR]... [--profile MODE] [--connections N]
/// [--checksums] [--pcap FILE] [--json]</c>:
/// plays a scenario on the simulator with the userspace stack at both ends and summarises it.
/// Scenario forms: docs/simulate-scenarios.md; summary and exit codes: docs/simulate-json.md.
/// </summary>
internal static class SimulateCommand
{
    /// <summary>Exit code when both directions arrived complete and byte-exact.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code when a direction is incomplete or its bytes differ from what was sent.</summary>
    public const int ExitIncomplete = 1;

    /// <summary>Exit code for a bad scenario file or option, or a file that cannot be read or written.</summary>
    public const int ExitBadInput = 2;

    /// <summary>Runs the request; the summary goes to <paramref name="output"/>, messages to <paramref name="errors"/>.</summary>
    public static int Run(SimulateRequest request, Stream output, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? fileText = null;
        if (request.ScenarioFile is { } file)
        {
            try
            {
                fileText = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.WriteLine($"simulate: cannot read the scenario {file}: {Reason(e)}");
                return ExitBadInput;
            }
        }

        ScenarioSpec spec;
        try
        {
            spec = SimulateScenario.Build(request, fileText);
        }
        catch (ScenarioFormatException e)
        {
            errors.WriteLine($"simulate: {e.Message}");
            return ExitBadInput;
        }

        MptcpOptions options = ScenarioRunner.OptionsFor(spec) with { RequireChecksums = request.Checksums };
        ScenarioResult result;
        if (request.PcapFile is { } pcap)
        {
            FileStream capture;
            try
            {
                capture = new FileStream(pcap, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.WriteLine($"simulate: cannot write the capture {pcap}: {Reason(e)}");
                return ExitBadInput;
            }

            using (capture)
            {
                if (!TryRun(spec, capture, options, errors, out result))
                {
                    errors.WriteLine($"simulate: the capture up to the fault is in {pcap}");
                    return ExitIncomplete;
                }
            }
        }
        else if (!TryRun(spec, capture: null, options, errors, out result))
        {
            return ExitIncomplete;
        }

        var summary = new SimulateSummary(spec, request, result);
        if (request.Json)
        {
            SimulateJson.Write(summary, output);
        }
        else
        {
            using var text = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            SimulateText.Write(summary, text);
        }

        output.Flush();
        if (!result.Success)
        {
            errors.WriteLine($"simulate: the transfer did not complete byte-exact: {SimulateNames.Problem(summary)}");
            return ExitIncomplete;
        }

        return ExitOk;
    }

    /// <summary>Plays the scenario; a node that breaks the simulator's contract (a bug in it) stops the run with a message rather than a stack trace.</summary>
    private static bool TryRun(ScenarioSpec spec, Stream? capture, MptcpOptions options, TextWriter errors, out ScenarioResult result)
    {
        try
        {
            result = ScenarioRunner.Run(spec, capture, options, options);
            return true;
        }
        catch (SimulationFaultException e)
        {
            errors.WriteLine($"simulate: the simulation stopped: {e.Message}");
            result = null!;
            return false;
        }
    }

    /// <summary>The message of an I/O error without the path, which the caller already names.</summary>
    private static string Reason(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}
