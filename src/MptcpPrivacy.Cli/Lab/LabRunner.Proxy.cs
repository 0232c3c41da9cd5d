using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Connections;
using SubflowRole = MptcpPrivacy.Audit.Connections.SubflowRole;
using Subflow = MptcpPrivacy.Audit.Connections.Subflow;
using Connection = MptcpPrivacy.Audit.Connections.Connection;
using MptcpPrivacy.Scenarios.Proxy;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>The lab's run through a proxy that terminates MPTCP (the blog's third middlebox).</summary>
internal static partial class LabRunner
{
    /// <summary>The proxy row's label: the proxy is reported as what it is to the user, the endpoint class.</summary>
    public const string ProxyLabel = "proxy terminating MPTCP (endpoint class)";

    // A bound on the proxy run's simulator events, far above what it needs, so a run that cannot end does not hold the lab up.
    private const long ProxyMaxEvents = 50_000_000;

    /// <summary>
    /// Runs the passive scenario (the mobile user, both addresses changing, the passive run's
    /// <paramref name="connections"/> and <paramref name="bytes"/>, so that the row compares with the
    /// endpoint's) of <paramref name="configuration"/> through a proxy that holds the server's addresses and ends
    /// the user's MPTCP connections in the configuration's mode, relaying each to an origin behind it
    /// over plain TCP, with a capture of each side; then measures both captures.
    /// </summary>
    public static LabProxy Proxy(LabConfiguration configuration, int seed, int connections, long bytes)
    {
        ScenarioSpec spec = LabScenario.Passive(seed, configuration.Profile, connections, bytes);
        MptcpOptions options = configuration.Options(spec);
        using var userSide = new MemoryStream();
        using var originSide = new MemoryStream();
        ProxyScenarioResult result = ProxyScenarioRunner.Run(spec, userSide, originSide, options, options, ProxyMaxEvents);
        return Proxy(spec, result.Success, [.. result.Relays.Select(r => r.Front)], userSide.ToArray(), originSide.ToArray());
    }

    /// <summary>
    /// Measures a proxy run: what the proxy's own stack (<paramref name="served"/>: its accepted
    /// connections) ties together, as <see cref="Endpoint"/> does for a server; from the audit of the
    /// user side's capture, the MPTCP connections and the addresses they end at; from the audit of
    /// the origin side's capture, the MPTCP and TCP connections and the addresses that opened them.
    /// </summary>
    public static LabProxy Proxy(ScenarioSpec spec, bool complete, IReadOnlyList<MptcpConnection> served, byte[] userCapture, byte[] originCapture)
    {
        HashSet<IpAddressBytes> clientAddresses = ClientAddresses(spec);
        HashSet<IpAddressBytes> known = [.. clientAddresses, .. spec.ServerAddresses.Select(a => a.Address)];
        AuditReport user = Audit(userCapture);
        AuditReport origin = Audit(originCapture);
        Connection[] mptcp = [.. user.Global.Connections.Where(c => !c.FromJoinsOnly)];
        IpAddressBytes[] peers = [.. mptcp.SelectMany(c => c.Subflows).Select(s => (s.InitiatorIsClient ? s.Responder : s.Initiator).Address).Distinct().Order()];
        Subflow[] atOrigin = [.. origin.Global.Subflows];
        IpAddressBytes[] originPeers = [.. atOrigin.Where(s => s.Role != SubflowRole.Unknown).Select(s => (s.InitiatorIsClient ? s.Initiator : s.Responder).Address).Distinct().Order()];
        int userAtOrigin = atOrigin.SelectMany(s => new[] { s.Initiator.Address, s.Responder.Address }).Distinct().Count(clientAddresses.Contains);
        return new LabProxy(
            complete,
            Endpoint(served, ProxyLabel, clientAddresses, known),
            Passive(user, "endpoint", ProxyLabel, clientAddresses, known),
            mptcp.Length,
            peers,
            mptcp.Length > 0 && peers.Length > 0 && peers.All(a => spec.ServerAddresses.Any(s => s.Address == a)),
            origin.Global.Connections.Count,
            atOrigin.Count(s => s.Role == SubflowRole.PlainTcp),
            originPeers,
            userAtOrigin,
            userCapture,
            originCapture);
    }
}
