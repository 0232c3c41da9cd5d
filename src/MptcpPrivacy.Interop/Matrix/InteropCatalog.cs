using System.Net.Sockets;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Stack.Mptcp.Privacy;

namespace MptcpPrivacy.Interop.Matrix;

/// <summary>The interop matrix of issue 5, case by case; each runs in both directions.</summary>
public static class InteropCatalog
{
    /// <summary>Gets every case, in the order the table prints them.</summary>
    public static IReadOnlyList<InteropCase> All { get; } =
    [
        new() { Name = "capable-v4", Description = "MP_CAPABLE and data both ways over IPv4" },
        new() { Name = "capable-v6", Description = "MP_CAPABLE and data both ways over IPv6", Family = AddressFamily.InterNetworkV6 },
        new() { Name = "checksum-v4", Description = "DSS checksums negotiated (A flag) and carried, IPv4", Checksums = true },
        new() { Name = "checksum-v6", Description = "DSS checksums negotiated (A flag) and carried, IPv6", Checksums = true, Family = AddressFamily.InterNetworkV6 },
        new() { Name = "join-2", Description = "a join from the client's second path (subflow endpoint)", Paths = 2, ClientJoinsFrom = [2], ExpectedSubflows = 2 },
        new() { Name = "join-3", Description = "joins from the client's second and third paths", Paths = 3, ClientJoinsFrom = [2, 3], ExpectedSubflows = 3 },
        new() { Name = "add-addr", Description = "the server announces its second address (signal endpoint); the client joins it", Paths = 2, ServerAnnounces = [2], ExpectedSubflows = 2 },
        new() { Name = "add-addr-port", Description = "the server announces an address with a port; the client joins that port", Paths = 2, ServerAnnounces = [2], AnnouncedPort = 10012, ExpectedSubflows = 2 },
        new() { Name = "remove-addr", Description = "the client withdraws its second address midway: REMOVE_ADDR, the transfer ends on the first", Paths = 2, ClientJoinsFrom = [2], ExpectedSubflows = 2, Midway = InteropMidway.ClientRemovesAddress },
        new() { Name = "mp-prio", Description = "the client makes its second path backup midway: MP_PRIO", Paths = 2, ClientJoinsFrom = [2], ExpectedSubflows = 2, Midway = InteropMidway.ClientSetsBackup },
        new() { Name = "path-down", Description = "the first path goes down midway; the transfer completes on the second", Paths = 2, ClientJoinsFrom = [2], ExpectedSubflows = 2, Midway = InteropMidway.FirstPathDown, ClientBytes = 4 << 20 },
        new() { Name = "fastclose-client", Description = "the client aborts midway: MP_FASTCLOSE and MP_TCPRST reach the server", Paths = 2, ClientJoinsFrom = [2], ExpectedSubflows = 2, Midway = InteropMidway.ClientAborts, ClientBytes = 4 << 20 },
        new() { Name = "fastclose-server", Description = "the server aborts midway: MP_FASTCLOSE and MP_TCPRST reach the client", Paths = 2, ClientJoinsFrom = [2], ExpectedSubflows = 2, Midway = InteropMidway.ServerAborts, ClientBytes = 4 << 20 },
        new() { Name = "strip-all", Description = "option 30 stripped on every segment: both fall back to TCP, the data arrives", Paths = 2, ClientJoinsFrom = [2], Strip = InteropStrip.All },
        new() { Name = "strip-joins", Description = "option 30 stripped from the joins: one subflow, the connection fine", Paths = 2, ClientJoinsFrom = [2], Strip = InteropStrip.Joins },
        new() { Name = "profile-offered", Description = "our stack offers the privacy profile (kind 253); the kernel ignores it: standard MPTCP, data both ways", OurPrivacy = ProfileOffered },
        new() { Name = "profile-offered-paths", Description = "the profile offered, then a join from the client's second path and an ADD_ADDR of the server's third: all standard MPTCP", Paths = 3, ClientJoinsFrom = [2], ServerAnnounces = [3], ExpectedSubflows = 3, OurPrivacy = ProfileOffered },
        new() { Name = "profile-required", Description = "our stack requires the profile: the kernel cannot run it, so the handshake is refused (RST) and no byte flows", OurPrivacy = ProfileOffered with { Required = true } },
    ];

    private static PrivacyOptions ProfileOffered => new() { Mode = PrivacyMode.Profile };

    /// <summary>Finds a case by name, or null.</summary>
    public static InteropCase? Find(string name) => All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}
