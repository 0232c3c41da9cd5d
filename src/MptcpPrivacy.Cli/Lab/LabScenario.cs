using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>
/// The lab's user: a phone with a Wi-Fi path and a cellular path whose Wi-Fi address changes during
/// the transfer (a new address, then the old one gone), then its cellular address too (a new
/// cell), with other connections of its own beside
/// the one watched, to a server that announces a second address.
/// </summary>
internal static class LabScenario
{
    /// <summary>The Wi-Fi path's first address (the initial subflows start here).</summary>
    public static readonly IpAddressBytes WifiAddress = IpAddressBytes.Parse("198.51.100.2");

    /// <summary>The Wi-Fi address the user moves to.</summary>
    public static readonly IpAddressBytes NewWifiAddress = IpAddressBytes.Parse("198.51.100.9");

    /// <summary>The cellular path's first address.</summary>
    public static readonly IpAddressBytes CellularAddress = IpAddressBytes.Parse("203.0.113.2");

    /// <summary>The cellular address the network gives the user later (a new cell).</summary>
    public static readonly IpAddressBytes NewCellularAddress = IpAddressBytes.Parse("203.0.113.9");

    /// <summary>The server's second address, which it announces (ADD_ADDR).</summary>
    public static readonly IpAddressBytes AnnouncedServerAddress = IpAddressBytes.Parse("192.0.2.2");

    /// <summary>Returns the passive run's scenario: <paramref name="connections"/> connections moving <paramref name="bytes"/> each way.</summary>
    public static ScenarioSpec Passive(int seed, PrivacyProfile profile, int connections, long bytes) => new()
    {
        Description = "lab: mobile user, Wi-Fi and cellular, Wi-Fi address changes",
        Paths = [PathSpec.Parse("rate=50M,rtt=20ms,name=wifi"), PathSpec.Parse("rate=20M,rtt=60ms,name=cellular")],
        Mobility =
        [
            MobilityEvent.Parse($"at=150ms,path=1,add={NewWifiAddress}/24"),
            MobilityEvent.Parse($"at=250ms,path=1,remove={WifiAddress}"),
            MobilityEvent.Parse($"at=350ms,path=2,add={NewCellularAddress}/24"),
            MobilityEvent.Parse($"at=450ms,path=2,remove={CellularAddress}"),
        ],
        ServerAnnouncedAddresses = [InterfaceAddress.Parse($"{AnnouncedServerAddress}/25")],
        ClientToServerBytes = bytes,
        ServerToClientBytes = bytes,
        Connections = connections,
        Profile = profile,
        Seed = seed,
        DurationNs = 60_000_000_000,
    };

    /// <summary>Returns an attack run's scenario: the same network and user with one connection that downloads long enough to be joined.</summary>
    public static ScenarioSpec Active(int seed, PrivacyProfile profile, long bytes) => Passive(seed, profile, connections: 1, bytes: 0) with
    {
        ClientToServerBytes = 10_000,
        ServerToClientBytes = bytes,
    };
}
