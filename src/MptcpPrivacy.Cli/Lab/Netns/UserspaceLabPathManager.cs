using System.Net;
using MptcpPrivacy.Linux.PathManager;
using MptcpPrivacy.Stack.Mptcp.PathManagement;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Cli.Lab.Netns;

/// <summary>
/// The project's path policy on the kernel client: <c>net.mptcp.path_manager=userspace</c> and
/// the userspace path manager daemon (<see cref="UserspacePathManager"/>, generic netlink
/// <c>mptcp_pm</c>) running the same <see cref="PolicyPathManager"/> as the stack's column. The
/// cellular address is an endpoint from the start and every address that appears later becomes
/// one (the daemon reads the kernel's address changes itself, so the session does nothing on
/// them); the policy decides what is opened and announced. Limits as the simulator's lab.
/// </summary>
/// <param name="policy">The policy's mode (the lab's <c>backup</c> column).</param>
internal sealed class UserspaceLabPathManager(PathPolicyMode policy) : ILabPathManager
{
    /// <inheritdoc/>
    public string Name => $"userspace ({policy.ToString().ToLowerInvariant()})";

    /// <inheritdoc/>
    public ILabPathManagerSession Start(NetnsLabNetwork network)
    {
        UserspacePathManager.SelectIn(network.Client.Namespace);
        IpAddressBytes cellular = IpAddressBytes.FromIPAddress(network.Topology.Path(2).StackAddress4);
        UserspacePathManager daemon = UserspacePathManager.Start(
            network.Client.Name,
            new PathPolicy { Mode = policy },
            [new PathEndpoint(1, cellular, EndpointFlags.Subflow)],
            log: null,
            new PathManagerLimits(subflows: InKernelLabPathManager.Subflows, addAddrAccepted: InKernelLabPathManager.AddAddrAccepted),
            newAddressFlags: EndpointFlags.Subflow);
        return new Session(daemon);
    }

    /// <summary>The daemon for one run; it follows the client's addresses through rtnetlink.</summary>
    private sealed class Session(UserspacePathManager daemon) : ILabPathManagerSession
    {
        /// <summary>Does nothing: the daemon hears the new address from the kernel and makes it an endpoint.</summary>
        public void AddressAdded(int path, IPAddress address)
        {
        }

        /// <summary>Does nothing: the daemon hears the address go and withdraws it (REMOVE_ADDR, its subflows destroyed).</summary>
        public void AddressRemoving(int path, IPAddress address)
        {
        }

        /// <summary>Stops the daemon, before the namespaces go.</summary>
        public void Dispose() => daemon.Dispose();
    }
}
