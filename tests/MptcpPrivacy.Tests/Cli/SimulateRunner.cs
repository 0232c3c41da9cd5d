using System.Text;
using System.Text.Json;
using MptcpPrivacy.Cli.Simulate;

namespace MptcpPrivacy.Tests.Cli;

/// <summary>Runs <c>simulate</c> in process and returns what it printed.</summary>
internal static class SimulateRunner
{
    /// <summary>A small transfer each way, enough for a join and data on both subflows, quick to play.</summary>
    public static SimulateRequest Small { get; } = new() { Up = "300k", Down = "300k" };

    public sealed record Result(int ExitCode, string Output, string Errors)
    {
        /// <summary>The JSON document, parsed (for a run with <see cref="SimulateRequest.Json"/>).</summary>
        public JsonElement Json => JsonDocument.Parse(Output).RootElement.Clone();

        /// <summary>What the run printed, for assertion messages.</summary>
        public override string ToString() => $"exit {ExitCode}\n{Errors}\n{Output}";
    }

    public static Result Run(SimulateRequest request)
    {
        using var output = new MemoryStream();
        using var errors = new StringWriter();
        int exit = SimulateCommand.Run(request, output, errors);
        return new Result(exit, Encoding.UTF8.GetString(output.ToArray()), errors.ToString());
    }
}
