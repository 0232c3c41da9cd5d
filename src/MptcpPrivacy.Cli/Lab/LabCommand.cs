using System.Globalization;
using System.Text;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>
/// <c>mptcp-privacy lab [--json] [--report DIR] [--seed N] [--quick]</c>: runs the lab on the
/// simulator and prints the comparison table (or the JSON of docs/lab-json.md); exit codes as
/// <c>simulate</c>: 0 every run completed, 1 a passive run did not, 2 bad input.
/// </summary>
internal static class LabCommand
{
    /// <summary>Exit code when every passive run completed byte-exact.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code when a passive run did not complete (the table is still printed).</summary>
    public const int ExitIncomplete = 1;

    /// <summary>Exit code for a bad option or a report that cannot be written.</summary>
    public const int ExitBadInput = 2;

    /// <summary>Runs the lab; the table or JSON goes to <paramref name="output"/>, progress and messages to <paramref name="errors"/>.</summary>
    public static int Run(bool json, string? report, string? seedText, bool quick, Stream output, TextWriter errors)
    {
        int seed = 1;
        if (seedText is not null && !int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
        {
            errors.WriteLine($"lab: --seed wants an integer, not \"{seedText}\"");
            return ExitBadInput;
        }

        LabResult result = LabRunner.Run(seed, quick, errors.WriteLine);
        if (json)
        {
            LabJson.Write(result, output);
        }
        else
        {
            using var text = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            LabTable.Write(result, text);
        }

        output.Flush();
        if (report is not null)
        {
            try
            {
                errors.WriteLine($"lab: report written to {LabHtml.Write(result, report)}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.WriteLine($"lab: cannot write the report in {report}: {e.Message}");
                return ExitBadInput;
            }
        }

        if (!result.Complete)
        {
            errors.WriteLine("lab: a passive run did not complete byte-exact; its cells describe what happened anyway");
            return ExitIncomplete;
        }

        return ExitOk;
    }
}
