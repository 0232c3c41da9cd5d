using MptcpPrivacy.Simulation;

namespace MptcpPrivacy.Scenarios.Proxy;

/// <summary>
/// The network of a <see cref="ProxyScenarioRunner"/> run: the scenario's topology with the
/// terminating proxy in the server's place, and the origin behind it on a link of its own.
/// </summary>
/// <remarks>
/// <code>
///   client =paths= router -- server link -- proxy (192.0.2.1, ...) -- origin link -- origin (10.0.0.2)
///                                            front: MPTCP, ends here      back: 10.0.0.1, plain TCP
/// </code>
/// </remarks>
/// <param name="Topology">The scenario's topology; its <see cref="SimulatedTopology.Server"/> is the proxy.</param>
/// <param name="Client">The user's host.</param>
/// <param name="Proxy">The proxy.</param>
/// <param name="Origin">The origin's host (plain TCP); its <see cref="MptcpHostNode.Application"/> may be replaced.</param>
/// <param name="OriginLink">The link between the proxy's back interface (end A) and the origin (end B).</param>
public sealed record ProxyNetwork(SimulatedTopology Topology, MptcpHostNode Client, TerminatingProxyNode Proxy, MptcpHostNode Origin, Link OriginLink);
