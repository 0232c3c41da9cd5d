using System.Net;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Stack.Mptcp.PathManagement;

/// <summary>
/// The scope of an address, for deciding whether announcing it leaks more than it helps: a loopback,
/// link-local or private address (RFC 1918, RFC 4193 ULA, RFC 6598 shared) is useless to a peer
/// outside its prefix and tells that peer about our internal network.
/// </summary>
public static class AddressScope
{
    private static readonly IPNetwork[] Loopback = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];

    private static readonly IPNetwork[] Local =
    [
        IPNetwork.Parse("169.254.0.0/16"), // RFC 3927 link-local
        IPNetwork.Parse("fe80::/10"), // RFC 4291 link-local
        IPNetwork.Parse("10.0.0.0/8"), // RFC 1918
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("100.64.0.0/10"), // RFC 6598 shared address space (carrier-grade NAT)
        IPNetwork.Parse("fc00::/7"), // RFC 4193 unique local
    ];

    /// <summary>
    /// Returns whether <paramref name="address"/> may be announced to a peer at <paramref name="peer"/>:
    /// never a loopback address; a link-local or private one only to a peer in the same prefix; any
    /// other (global, documentation) address always.
    /// </summary>
    public static bool MayAnnounce(IpAddressBytes address, IpAddressBytes peer)
    {
        IPAddress ip = address.ToIPAddress();
        if (Array.Exists(Loopback, p => p.Contains(ip)))
        {
            return false;
        }

        IPAddress peerIp = peer.ToIPAddress();
        foreach (IPNetwork prefix in Local)
        {
            if (prefix.Contains(ip))
            {
                return prefix.Contains(peerIp);
            }
        }

        return true;
    }
}
