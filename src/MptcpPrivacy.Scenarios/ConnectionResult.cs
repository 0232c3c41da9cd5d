using MptcpPrivacy.Privacy;

namespace MptcpPrivacy.Scenarios;

/// <summary>What one of a scenario's concurrent connections achieved, as both its ends saw it.</summary>
/// <param name="Number">The connection's number, from 1 in the order the client opened them.</param>
/// <param name="ClientMode">The wire privacy mode the client's connection ran (a profile offer the server refused runs standard).</param>
/// <param name="ServerMode">The mode the server's connection ran, or null when the server never accepted it.</param>
/// <param name="SubflowsOpened">Subflows of the client's connection, the first included.</param>
/// <param name="SubflowsEstablished">Those that completed their handshake.</param>
/// <param name="SubflowsClosed">Those that closed or failed.</param>
/// <param name="Fallback">Why the connection fell back to plain TCP, or null.</param>
/// <param name="Upload">Client to server.</param>
/// <param name="Download">Server to client.</param>
public sealed record ConnectionResult(
    int Number,
    PrivacyMode ClientMode,
    PrivacyMode? ServerMode,
    int SubflowsOpened,
    int SubflowsEstablished,
    int SubflowsClosed,
    string? Fallback,
    DirectionResult Upload,
    DirectionResult Download)
{
    /// <summary>Gets whether both directions arrived complete and byte-exact.</summary>
    public bool Success => Upload.Complete && Download.Complete;
}
