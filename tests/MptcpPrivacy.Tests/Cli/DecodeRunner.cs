using System.Text;
using System.Text.Json;
using MptcpPrivacy.Cli.Decode;

namespace MptcpPrivacy.Tests.Cli;

/// <summary>Runs <c>decode</c> in process and returns what it printed.</summary>
internal static class DecodeRunner
{
    public sealed record Result(int ExitCode, string Output, string Errors)
    {
        /// <summary>The JSON lines, parsed.</summary>
        public List<JsonElement> Packets => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
    }

    public static Result Run(string path, bool json = true)
    {
        using var output = new MemoryStream();
        using var errors = new StringWriter();
        int exit = DecodeCommand.Run(path, json, output, errors);
        return new Result(exit, Encoding.UTF8.GetString(output.ToArray()), errors.ToString());
    }
}
