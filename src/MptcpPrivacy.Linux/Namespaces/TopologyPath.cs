using System.Net;

namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>
/// One path of an <see cref="InteropTopology"/>: a veth pair <c>s&lt;i&gt;</c> (stack namespace) —
/// <c>k&lt;i&gt;</c> (kernel namespace) and its addresses, all from documentation prefixes
/// (RFC 5737, RFC 3849). The plan is fixed so captures, tests and scripts can name addresses.
/// </summary>
/// <remarks>
/// <code>
/// path  IPv4 network       kernel host      stack host      stack router   IPv6 network
///  1    198.51.100.0/24    198.51.100.1     198.51.100.2    .254           2001:db8:1::/64 (::1, ::2, ::fe)
///  2    203.0.113.0/24     203.0.113.1      203.0.113.2     .254           2001:db8:2::/64
///  3    192.0.2.128/25     192.0.2.129      192.0.2.130     .254           2001:db8:3::/64
/// </code>
/// </remarks>
public sealed record TopologyPath
{
    /// <summary>The highest path number a topology has.</summary>
    public const int MaxPaths = 3;

    private TopologyPath(int number, string network4, int prefixLength4, string kernel4, string stack4, string router4)
    {
        Number = number;
        Network4 = IPAddress.Parse(network4);
        PrefixLength4 = prefixLength4;
        KernelAddress4 = IPAddress.Parse(kernel4);
        StackAddress4 = IPAddress.Parse(stack4);
        RouterAddress4 = IPAddress.Parse(router4);
        Network6 = IPAddress.Parse($"2001:db8:{number}::");
        KernelAddress6 = IPAddress.Parse($"2001:db8:{number}::1");
        StackAddress6 = IPAddress.Parse($"2001:db8:{number}::2");
        RouterAddress6 = IPAddress.Parse($"2001:db8:{number}::fe");
    }

    /// <summary>Gets the path's number, 1 to <see cref="MaxPaths"/>.</summary>
    public int Number { get; }

    /// <summary>Gets the name of the path's interface in the stack namespace (<c>s1</c>, <c>s2</c>, <c>s3</c>).</summary>
    public string StackDevice => $"s{Number}";

    /// <summary>Gets the name of the path's interface in the kernel namespace (<c>k1</c>, <c>k2</c>, <c>k3</c>).</summary>
    public string KernelDevice => $"k{Number}";

    /// <summary>
    /// Gets the interface index both ends of the path have in their namespaces (path number + 1;
    /// <c>lo</c> is 1): in a <c>tcpdump -i any</c> capture (LINUX_SLL2) it names the path.
    /// </summary>
    public int InterfaceIndex => Number + 1;

    /// <summary>Gets the routing table that source routing uses for this path's addresses (100 + path number).</summary>
    public int RoutingTable => 100 + Number;

    /// <summary>Gets the path's IPv4 network address.</summary>
    public IPAddress Network4 { get; }

    /// <summary>Gets the length of the path's IPv4 prefix.</summary>
    public int PrefixLength4 { get; }

    /// <summary>Gets the path's IPv6 network address (a /64).</summary>
    public IPAddress Network6 { get; }

    /// <summary>Gets the length of the path's IPv6 prefix.</summary>
    public int PrefixLength6 => 64;

    /// <summary>Gets the kernel host's IPv4 address on this path.</summary>
    public IPAddress KernelAddress4 { get; }

    /// <summary>Gets the kernel host's IPv6 address on this path.</summary>
    public IPAddress KernelAddress6 { get; }

    /// <summary>Gets the stack host's IPv4 address on this path (the userspace stack's, or the stack namespace's own).</summary>
    public IPAddress StackAddress4 { get; }

    /// <summary>Gets the stack host's IPv6 address on this path.</summary>
    public IPAddress StackAddress6 { get; }

    /// <summary>Gets the stack namespace's own IPv4 address on this path when it routes for the TUN device.</summary>
    public IPAddress RouterAddress4 { get; }

    /// <summary>Gets the stack namespace's own IPv6 address on this path when it routes for the TUN device.</summary>
    public IPAddress RouterAddress6 { get; }

    /// <summary>Returns path <paramref name="number"/> of the plan.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number is not 1 to <see cref="MaxPaths"/>.</exception>
    public static TopologyPath For(int number) => number switch
    {
        1 => new TopologyPath(1, "198.51.100.0", 24, "198.51.100.1", "198.51.100.2", "198.51.100.254"),
        2 => new TopologyPath(2, "203.0.113.0", 24, "203.0.113.1", "203.0.113.2", "203.0.113.254"),
        3 => new TopologyPath(3, "192.0.2.128", 25, "192.0.2.129", "192.0.2.130", "192.0.2.254"),
        _ => throw new ArgumentOutOfRangeException(nameof(number), number, $"paths are numbered 1 to {MaxPaths}"),
    };
}
