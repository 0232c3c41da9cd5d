using System.Text;
using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Audit.Observers;
using MptcpPrivacy.Audit.Reporting;

namespace MptcpPrivacy.Cli.Audit;

/// <summary>
/// <c>mptcp-privacy audit FILE... [--observer NAME=SPEC]... [--json] [--svg DIR]</c>: rebuilds the
/// MPTCP connections of the captures and reports what each observer links. Schema and exit codes:
/// docs/audit-json.md.
/// </summary>
internal static class AuditCommand
{
    /// <summary>Exit code when every file was read to its end.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code when a file is damaged: the report covers everything before the damage (and the other files).</summary>
    public const int ExitDamaged = 1;

    /// <summary>Exit code for bad arguments or a file that cannot be opened or is not a capture.</summary>
    public const int ExitCannotRun = 2;

    /// <summary>Runs the audit; the report goes to <paramref name="output"/>, messages to <paramref name="errors"/>.</summary>
    public static int Run(IReadOnlyList<string> paths, IReadOnlyList<string> observerArguments, bool json, string? svgDirectory, Stream output, TextWriter errors)
    {
        var observers = new List<ObserverSpec>();
        foreach (string argument in observerArguments)
        {
            if (!ObserverSpec.TryParse(argument, out ObserverSpec? spec, out string error))
            {
                errors.WriteLine($"audit: {error}");
                return ExitCannotRun;
            }

            observers.Add(spec!);
        }

        if (observers.Count > AuditSession.MaxObservers)
        {
            errors.WriteLine($"audit: at most {AuditSession.MaxObservers} observers");
            return ExitCannotRun;
        }

        AuditReport report;
        try
        {
            report = AuditRun.Run(paths, observers);
        }
        catch (FileNotFoundException e)
        {
            errors.WriteLine($"audit: cannot open {e.FileName}: no such file");
            return ExitCannotRun;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"audit: cannot open a capture: {e.Message}");
            return ExitCannotRun;
        }

        if (json)
        {
            AuditJson.Write(report, output);
            output.Write("\n"u8);
        }
        else
        {
            using var text = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            AuditText.Write(report, text);
        }

        output.Flush();
        if (svgDirectory is not null)
        {
            Directory.CreateDirectory(svgDirectory);
            foreach (Connection connection in report.Global.Connections)
            {
                File.WriteAllText(Path.Combine(svgDirectory, $"connection-{connection.Id}.svg"), SvgTimeline.Render(AuditTimelines.Build(connection)));
            }
        }

        foreach (string message in report.Malformed)
        {
            errors.WriteLine($"audit: warning: malformed packet: {message}");
        }

        int code = ExitOk;
        foreach (AuditFile file in report.Files)
        {
            if (file.Error is { } damage)
            {
                bool notACapture = file.Frames == 0 && damage.ByteOffset == 0;
                errors.WriteLine($"audit: {file.Path}: {damage}" + (notACapture ? "" : $"; the {file.Frames} frames before it were audited"));
                code = Math.Max(code, notACapture ? ExitCannotRun : ExitDamaged);
            }
        }

        return code;
    }
}
