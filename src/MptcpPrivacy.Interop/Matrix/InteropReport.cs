using System.Text.Encodings.Web;
using System.Text.Json;
using MptcpPrivacy.Audit.Reporting;

namespace MptcpPrivacy.Interop.Matrix;

/// <summary>Prints the interop matrix as a table (one row per case, one column per direction) or as JSON.</summary>
public static class InteropReport
{
    /// <summary>Gets the column header of a direction.</summary>
    public static string Header(InteropDirection direction) => direction == InteropDirection.OursToKernel ? "ours -> kernel" : "kernel -> ours";

    /// <summary>Writes the table and a last line counting passed and failed runs.</summary>
    public static void WriteText(IReadOnlyList<InteropOutcome> outcomes, TextWriter output)
    {
        InteropDirection[] directions = outcomes.Select(o => o.Direction).Distinct().Order().ToArray();
        var table = new TextTable(["case", .. directions.Select(Header), "what it shows"]);
        foreach (IGrouping<string, InteropOutcome> row in outcomes.GroupBy(o => o.Case.Name))
        {
            string[] cells = directions
                .Select(d => row.FirstOrDefault(o => o.Direction == d) is { } o ? Cell(o) : "-")
                .ToArray();
            table.Add([row.Key, .. cells, row.First().Case.Description]);
        }

        table.WriteTo(output, string.Empty);
        foreach (InteropOutcome o in outcomes.Where(o => !o.Passed))
        {
            output.WriteLine($"{o.Case.Name} ({Header(o.Direction)}): {o.FailureReason}");
        }

        output.WriteLine($"{outcomes.Count(o => o.Passed)} passed, {outcomes.Count(o => !o.Passed)} failed");
    }

    private static string Cell(InteropOutcome o) =>
        o.Passed ? $"pass ({o.Seconds:0.0} s)" : "FAIL";

    /// <summary>Writes one indented JSON document (schema: docs/interop-json.md) and a newline.</summary>
    public static void WriteJson(IReadOnlyList<InteropOutcome> outcomes, Stream output)
    {
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("passed", outcomes.Count(o => o.Passed));
            w.WriteNumber("failed", outcomes.Count(o => !o.Passed));
            w.WriteStartArray("runs");
            foreach (InteropOutcome o in outcomes)
            {
                w.WriteStartObject();
                w.WriteString("case", o.Case.Name);
                w.WriteString("direction", o.Direction == InteropDirection.OursToKernel ? "ours-to-kernel" : "kernel-to-ours");
                w.WriteString("expected", o.Case.Expectation.ToString().ToLowerInvariant());
                w.WriteBoolean("passed", o.Passed);
                if (o.FailureReason is { } reason)
                {
                    w.WriteString("failure", reason);
                }

                w.WriteNumber("seconds", Math.Round(o.Seconds, 3));
                if (o.Capture is not null)
                {
                    w.WriteString("capture", o.Capture);
                }

                WriteSide(w, "client", o.Client);
                WriteSide(w, "server", o.Server);
                w.WriteStartArray("checks");
                foreach (InteropCheck c in o.Checks)
                {
                    w.WriteStartObject();
                    w.WriteString("name", c.Name);
                    w.WriteBoolean("passed", c.Passed);
                    w.WriteString("detail", c.Detail);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteStartArray("ourEvents");
                foreach (string e in o.OurEvents)
                {
                    w.WriteStringValue(e);
                }

                w.WriteEndArray();
                w.WriteStartObject("kernelCounters");
                foreach ((string name, long value) in o.KernelCounters.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.WriteNumber(name, value);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        output.Write("\n"u8);
    }

    private static void WriteSide(Utf8JsonWriter w, string name, InteropSide? side)
    {
        if (side is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        w.WriteString("implementation", side.Implementation);
        w.WriteNumber("bytesSent", side.BytesSent);
        w.WriteString("sha256Sent", side.Sha256Sent);
        w.WriteNumber("bytesReceived", side.BytesReceived);
        w.WriteString("sha256Received", side.Sha256Received);
        w.WriteBoolean("mptcp", side.Mptcp);
        w.WriteNumber("subflows", side.Subflows);
        w.WriteEndObject();
    }
}
