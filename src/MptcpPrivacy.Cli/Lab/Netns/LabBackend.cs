namespace MptcpPrivacy.Cli.Lab;

/// <summary>Where a lab column's runs happen.</summary>
internal enum LabBackend
{
    /// <summary>The project's stack at both ends on the deterministic simulator (virtual time).</summary>
    Simulator,

    /// <summary>Linux kernels' MPTCP at both ends, in network namespaces joined by veth paths (wall clock; needs root).</summary>
    Netns,
}

/// <summary>Names of <see cref="LabBackend"/> in the command line, the JSON and the table.</summary>
internal static class LabBackendNames
{
    /// <summary>Returns the backend's name: <c>simulator</c> or <c>netns</c>.</summary>
    public static string Name(this LabBackend backend) => backend == LabBackend.Netns ? "netns" : "simulator";

    /// <summary>Parses <c>simulator</c> or <c>netns</c> (null: the simulator); false for anything else.</summary>
    public static bool TryParse(string? text, out LabBackend backend)
    {
        backend = LabBackend.Simulator;
        switch (text)
        {
            case null or "simulator":
                return true;
            case "netns":
                backend = LabBackend.Netns;
                return true;
            default:
                return false;
        }
    }
}
