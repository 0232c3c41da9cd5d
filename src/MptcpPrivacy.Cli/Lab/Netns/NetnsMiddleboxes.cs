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
    public static LabMiddlebox StripAllOnWifi(int seed, Action<string>? progress = null)
    {
        ScenarioSpec spec = LabScenario.Passive(seed, PrivacyProfile.Standard, connections: 1, Bytes) with { Mobility = [] };
        using NetnsLabNetwork network = NetnsLabNetwork.Create();
        network.StripMptcpOptions(path: 1);
        NetnsRun run = NetnsMobileUser.Run(network, new InKernelLabPathManager(), spec);
        bool fellBack = run.Fallbacks > 0;
        long joins = run.ServerMib.GetValueOrDefault("MPJoinAckRx");
        progress?.Invoke($"lab netns: every MPTCP option stripped on Wi-Fi: {(fellBack ? "fell back to TCP" : $"{1 + joins} subflows")}{(run.Complete ? "" : ", incomplete")}");
        return new LabMiddlebox("strip-all", run.Complete, fellBack ? 1 : (int)(1 + joins), fellBack, run.ServerMib.GetValueOrDefault("MPJoinNoTokenFound"));
    }
}
