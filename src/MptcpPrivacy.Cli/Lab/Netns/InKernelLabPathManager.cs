using System.Net;
using MptcpPrivacy.Linux.Namespaces;

namespace MptcpPrivacy.Cli.Lab.Netns;

/// <summary>
/// The kernel's in-kernel path manager as the client's: a <c>subflow</c> endpoint per client
/// address (the kernel opens a join from each to the server, and one to each address the server
/// announces), an endpoint added with each new address and deleted before its address goes (the
/// kernel then closes its subflows and sends REMOVE_ADDR, RFC 8684 §3.4.2). Every path is used at
/// once: the lab's aggregate policy.
/// </summary>
internal sealed class InKernelLabPathManager : ILabPathManager
{
    /// <summary>Additional subflows a connection may have, as the simulator's lab allows (<see cref="LabConfiguration.Options"/>).</summary>
    public const int Subflows = 4;

    /// <summary>ADD_ADDR announcements a connection accepts, as the simulator's lab allows.</summary>
    public const int AddAddrAccepted = 2;

    /// <inheritdoc/>
    public string Name => "in-kernel";

    /// <inheritdoc/>
    public ILabPathManagerSession Start(NetnsLabNetwork network)
    {
        KernelPathManager manager = network.Client.PathManager;
        manager.SetLimits(Subflows, AddAddrAccepted);
        var session = new Session(network, manager);
        foreach (TopologyPath path in network.Topology.Paths)
        {
            session.AddressAdded(path.Number, path.StackAddress4);
        }

        return session;
    }

    /// <summary>The endpoints this run added, by address, so that a removal deletes the right one.</summary>
    private sealed class Session(NetnsLabNetwork network, KernelPathManager manager) : ILabPathManagerSession
    {
        private readonly Dictionary<IPAddress, int> _endpoints = [];

        /// <summary>Adds a <c>subflow</c> endpoint for the address on its path's device: the kernel opens joins from it, existing connections included.</summary>
        public void AddressAdded(int path, IPAddress address) =>
            _endpoints[address] = manager.AddEndpoint(address, MptcpEndpointFlags.Subflow, network.Topology.Path(path).StackDevice);

        /// <summary>Deletes the address's endpoint: the kernel closes its subflows and sends REMOVE_ADDR.</summary>
        public void AddressRemoving(int path, IPAddress address)
        {
            if (_endpoints.Remove(address, out int id))
            {
                manager.DeleteEndpoint(id);
            }
        }

        /// <summary>Does nothing: the endpoints go with the client's namespace.</summary>
        public void Dispose()
        {
        }
    }
}
