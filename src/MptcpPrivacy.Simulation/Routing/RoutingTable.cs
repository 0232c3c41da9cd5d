using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Simulation;

/// <summary>
/// Prefixes mapped to interfaces, looked up by longest-prefix match (RFC 1812 §5.2.4.3). One list per
/// family kept sorted longest first, so the first prefix that contains the address is the answer;
/// a lookup allocates nothing.
/// </summary>
/// <remarks>
/// A linear scan suits the handful of routes a simulated topology has; a trie would pay off only at
/// thousands of routes.
/// </remarks>
internal sealed class RoutingTable
{
    private readonly List<Route> _v4 = [];
    private readonly List<Route> _v6 = [];

    /// <summary>Gets every route, IPv4 first, each family longest prefix first.</summary>
    public IEnumerable<Route> Routes => _v4.Concat(_v6);

    /// <summary>Adds a route; adding the same route again does nothing.</summary>
    /// <exception cref="InvalidOperationException">The prefix already leads to another interface.</exception>
    public void Add(IpPrefix prefix, int interfaceIndex)
    {
        List<Route> routes = prefix.Network.IsV4 ? _v4 : _v6;
        int at = 0;
        while (at < routes.Count && routes[at].Prefix.Length >= prefix.Length)
        {
            if (routes[at].Prefix == prefix)
            {
                if (routes[at].InterfaceIndex == interfaceIndex)
                {
                    return;
                }

                throw new InvalidOperationException($"{prefix} already leads to interface {routes[at].InterfaceIndex}, not {interfaceIndex}.");
            }

            at++;
        }

        // After every longer or equally long prefix: ties keep the order routes were added in.
        routes.Insert(at, new Route(prefix, interfaceIndex));
    }

    /// <summary>Removes the route for exactly <paramref name="prefix"/>; false when there is none.</summary>
    public bool Remove(IpPrefix prefix)
    {
        List<Route> routes = prefix.Network.IsV4 ? _v4 : _v6;
        int index = routes.FindIndex(r => r.Prefix == prefix);
        if (index < 0)
        {
            return false;
        }

        routes.RemoveAt(index);
        return true;
    }

    /// <summary>Finds the interface of the longest prefix containing <paramref name="destination"/>.</summary>
    public bool TryLookup(IpAddressBytes destination, out int interfaceIndex)
    {
        List<Route> routes = destination.IsV4 ? _v4 : _v6;
        foreach (Route route in routes)
        {
            if (route.Prefix.Contains(destination))
            {
                interfaceIndex = route.InterfaceIndex;
                return true;
            }
        }

        interfaceIndex = -1;
        return false;
    }
}
