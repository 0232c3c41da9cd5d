using MptcpPrivacy.Simulation.Scenarios;

namespace MptcpPrivacy.Cli.Lab.Netns;

/// <summary>The lab's middlebox rows that the kernel network can host, each one connection without mobility through its own fresh network.</summary>
internal static class NetnsMiddleboxes
{
    /// <summary>Bytes each way of a middlebox run, as the simulator's lab moves.</summary>
    public const long Bytes = 200_000;

    /// <summary>
    /// Runs one connection while every MPTCP option (TCP option kind 30) is stripped on the Wi-Fi
    /// path, both ways: iptables <c>TCPOPTSTRIP</c> in the client namespace's mangle table on the
    /// Wi-Fi device, which on the wire is a stripper at the path's client end. Subflows are 1 plus
    /// the joins the server completed (its MPJoinAckRx); joins refused are the server's
    /// MPJoinNoTokenFound.
    /// </summary>
    public static LabMiddlebox StripAllOnWifi(int seed, ILabPathManager pathManager, Action<string>? progress = null) =>
        Run("strip-all", "every MPTCP option stripped on Wi-Fi", seed, pathManager, network => network.StripMptcpOptions(path: 1), progress);

    /// <summary>The address the cellular path's NAT gives the client (RFC 5737, the cellular prefix).</summary>
    public static readonly System.Net.IPAddress NatOutside = System.Net.IPAddress.Parse("203.0.113.50");

    /// <summary>
    /// Runs one connection while a NAT on the cellular path turns the client's cellular address
    /// into <see cref="NatOutside"/> (<see cref="NetnsLabNetwork.NatOnPath"/>). Counted as
    /// <see cref="StripAllOnWifi"/>.
    /// </summary>
    public static LabMiddlebox NatOnCellular(int seed, ILabPathManager pathManager, Action<string>? progress = null) =>
        Run("nat", "NAT on cellular", seed, pathManager, network => network.NatOnPath(path: 2, NatOutside), progress);

    /// <summary>Runs the middlebox run <paramref name="name"/>: a fresh network, <paramref name="install"/>, one connection without mobility.</summary>
    private static LabMiddlebox Run(string name, string label, int seed, ILabPathManager pathManager, Action<NetnsLabNetwork> install, Action<string>? progress)
    {
        ScenarioSpec spec = LabScenario.Passive(seed, PrivacyProfile.Standard, connections: 1, Bytes) with { Mobility = [] };
        using NetnsLabNetwork network = NetnsLabNetwork.Create();
        install(network);
        NetnsRun run = NetnsMobileUser.Run(network, pathManager, spec);
        bool fellBack = run.Fallbacks > 0;
        long joins = run.ServerMib.GetValueOrDefault("MPJoinAckRx");
        long refused = run.ServerMib.GetValueOrDefault("MPJoinNoTokenFound");
        progress?.Invoke($"lab netns: {label}: {(fellBack ? "fell back to TCP" : $"{1 + joins} subflows")}{(refused > 0 ? $", {refused} joins refused" : "")}{(run.Complete ? "" : ", incomplete")}");
        return new LabMiddlebox(name, run.Complete, fellBack ? 1 : (int)(1 + joins), fellBack, refused);
    }
}
