using System.Globalization;
using System.Text;
using System.Text.Json;
using MptcpPrivacy.Cli.Audit;

namespace MptcpPrivacy.Tests.Audit.BadInput;

/// <summary>Runs <c>mptcp-privacy audit</c> in process, the way the command line does, and keeps what it printed.</summary>
internal static class AuditCli
{
    /// <summary>Audits <paramref name="paths"/> with the built-in observers; <paramref name="json"/> selects --json.</summary>
    public static AuditOutcome Run(bool json, params string[] paths)
    {
        using var output = new MemoryStream();
        using var errors = new StringWriter(CultureInfo.InvariantCulture);
        int code = AuditCommand.Run(paths, [], json, null, output, errors);
        return new AuditOutcome(code, Encoding.UTF8.GetString(output.ToArray()), errors.ToString());
    }

    /// <summary>Audits with --json.</summary>
    public static AuditOutcome Json(params string[] paths) => Run(json: true, paths);
}

/// <summary>The exit code, standard output and error output of one audit run, with readers for the JSON report.</summary>
internal sealed class AuditOutcome(int exitCode, string output, string errors)
{
    private JsonElement? _json;

    /// <summary>The exit code (0 ok, 1 damaged file, 2 cannot run).</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>What went to standard output: the report.</summary>
    public string Output { get; } = output;

    /// <summary>What went to the error writer.</summary>
    public string Errors { get; } = errors;

    /// <summary>The report, parsed (the run must have used --json).</summary>
    public JsonElement Json
    {
        get
        {
            if (_json is null)
            {
                using var document = JsonDocument.Parse(Output);
                _json = document.RootElement.Clone();
            }

            return _json.Value;
        }
    }

    /// <summary>The connections of the report.</summary>
    public IReadOnlyList<JsonElement> Connections => [.. Json.GetProperty("connections").EnumerateArray()];

    /// <summary>The files of the report.</summary>
    public IReadOnlyList<JsonElement> Files => [.. Json.GetProperty("files").EnumerateArray()];

    /// <summary>How many checks of <paramref name="check"/> (e.g. "dss-checksum") ended with <paramref name="status"/>.</summary>
    public long Count(string check, string status) => Json.GetProperty("checks").GetProperty(check).GetProperty(status).GetInt64();

    /// <summary>How many checks of every kind ended with <paramref name="status"/>.</summary>
    public long Total(string status) => Json.GetProperty("checks").EnumerateObject().Sum(kind => kind.Value.GetProperty(status).GetInt64());

    /// <summary>The findings (checks not valid), as (file, frame, check, status, detail).</summary>
    public IReadOnlyList<(int File, long Frame, string Check, string Status, string Detail)> Findings =>
    [
        .. Json.GetProperty("findings").EnumerateArray().Select(f => (
            f.GetProperty("frame").GetProperty("file").GetInt32(),
            f.GetProperty("frame").GetProperty("frame").GetInt64(),
            f.GetProperty("check").GetString()!,
            f.GetProperty("status").GetString()!,
            f.GetProperty("detail").GetString()!)),
    ];

    /// <summary>The connection whose client key is <paramref name="clientKey"/>; fails the test when there is none.</summary>
    public JsonElement ConnectionOf(ulong clientKey)
    {
        string key = clientKey.ToString("x16", CultureInfo.InvariantCulture);
        foreach (JsonElement c in Connections)
        {
            if (c.TryGetProperty("clientKey", out JsonElement k) && k.GetString() == key)
            {
                return c;
            }
        }

        Assert.Fail($"no connection with client key {key} in the report\n{this}");
        return default;
    }

    /// <summary>The subflows of a connection element.</summary>
    public static IReadOnlyList<JsonElement> SubflowsOf(JsonElement connection) => [.. connection.GetProperty("subflows").EnumerateArray()];

    /// <summary>Everything the run printed, for failure messages.</summary>
    public override string ToString()
    {
        string shown = Output.Length > 6000 ? Output[..6000] + "\n..." : Output;
        return $"exit code {ExitCode}\n--- errors ---\n{Errors}\n--- output ---\n{shown}";
    }
}
