namespace MptcpPrivacy.Cli.Simulate;

/// <summary>
/// What <c>simulate</c> was asked, as typed: the scenario file, the scenario options (still text, so
/// that they go through the scenario readers and their messages), the stack options, and the outputs.
/// </summary>
internal sealed record SimulateRequest
{
    /// <summary>Gets the scenario file, or null for the default scenario.</summary>
    public string? ScenarioFile { get; init; }

    /// <summary>Gets the <c>--path</c> values in order; any replace the scenario's paths.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Gets the <c>--mobility</c> values; they are added after the scenario's events.</summary>
    public IReadOnlyList<string> Mobility { get; init; } = [];

    /// <summary>Gets the <c>--announce</c> values; they are added after the scenario's announced addresses.</summary>
    public IReadOnlyList<string> Announce { get; init; } = [];

    /// <summary>Gets the <c>--up</c> byte count (client to server), or null to keep the scenario's.</summary>
    public string? Up { get; init; }

    /// <summary>Gets the <c>--down</c> byte count (server to client), or null to keep the scenario's.</summary>
    public string? Down { get; init; }

    /// <summary>Gets the <c>--seed</c>, or null to keep the scenario's.</summary>
    public string? Seed { get; init; }

    /// <summary>Gets the <c>--duration</c> time limit, or null to keep the scenario's.</summary>
    public string? Duration { get; init; }

    /// <summary>Gets the <c>--profile</c> (standard, draft or privacy), or null to keep the scenario's.</summary>
    public string? Profile { get; init; }

    /// <summary>Gets the <c>--connections</c> count, or null to keep the scenario's.</summary>
    public string? Connections { get; init; }

    /// <summary>Gets whether both ends ask for DSS checksums (RFC 8684 §3.3).</summary>
    public bool Checksums { get; init; }

    /// <summary>Gets the pcapng file to write, or null for none.</summary>
    public string? PcapFile { get; init; }

    /// <summary>Gets whether the summary is one JSON document (docs/simulate-json.md) rather than text.</summary>
    public bool Json { get; init; }
}
