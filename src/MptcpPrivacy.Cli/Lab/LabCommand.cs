using System.Globalization;
using System.Text;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>
/// <c>mptcp-privacy lab [--json] [--report DIR] [--seed N] [--quick] [--backend simulator|netns]</c>:
/// runs the lab on the simulator (with <c>netns</c>, its standard/aggregate column on Linux kernels) and prints the comparison table (or the JSON of docs/lab-json.md); exit codes as
/// <c>simulate</c>: 0 every run completed, 1 a passive run did not, 2 bad input (netns without root included).
/// </summary>
internal static class LabCommand
{
    /// <summary>Exit code when every passive run completed byte-exact.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code when a passive run did not complete (the table is still printed).</summary>
    public const int ExitIncomplete = 1;

    /// <summary>Exit code for a bad option or a report that cannot be written.</summary>
    public const int ExitBadInput = 2;

    /// <summary>
    /// Runs the lab; the table or JSON goes to <paramref name="output"/>, progress and messages to
    /// <paramref name="errors"/>. <paramref name="backendText"/> is <c>simulator</c> (null: the
    /// default) or <c>netns</c> (root only: the standard/aggregate column on Linux kernels).
    /// </summary>
    public static int Run(bool json, string? report, string? seedText, bool quick, Stream output, TextWriter errors, string? backendText = null)
    {
        if (!LabBackendNames.TryParse(backendText, out LabBackend backend))
        {
            errors.WriteLine($"lab: --backend wants simulator or netns, not \"{backendText}\"");
            return ExitBadInput;
        }

        if (backend == LabBackend.Netns && !Linux.Native.ProcessCredentials.IsRoot)
        {
            errors.WriteLine("lab: --backend netns needs root (it creates network namespaces and runs the kernel's MPTCP in them); run as root or use --backend simulator");
            return ExitBadInput;
        }

        int seed = 1;
        if (seedText is not null && !int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
        {
            errors.WriteLine($"lab: --seed wants an integer, not \"{seedText}\"");
            return ExitBadInput;
        }

        LabResult result;
        try
        {
            result = LabRunner.Run(seed, quick, errors.WriteLine, backend);
        }
        catch (Exception e) when (backend == LabBackend.Netns && e is Linux.Processes.HostCommandException or Linux.Native.LibcException
            or System.Net.Sockets.SocketException or InvalidOperationException or InvalidDataException)
        {
            // The namespaces are gone already (the kernel run disposes them on the way out).
            errors.WriteLine($"lab: the kernel run failed, no table: {e.Message}");
            return ExitIncomplete;
        }

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
