using System.Net;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Stack.Mptcp.PathManagement;

/// <summary>
/// A privacy-aware policy applied on top of the kernel-model path manager (issue 7): how many paths a
/// connection uses (<see cref="Mode"/>), which of our addresses may be announced to the peer, and how
/// fast and how much the connection may join and announce. Selected per host with
/// <see cref="MptcpOptions.PathPolicy"/>; without one the connection runs <see cref="KernelPathManager"/> unchanged.
/// </summary>
/// <remarks>
/// Under every policy no join is opened before the connection's secret exists: the connection
/// reports <see cref="IPathManager.OnFullyEstablished"/> only once its privacy mode is ready for
/// joins (the profile's key shares confirmed), and <see cref="PolicyPathManager"/> holds any join
/// decided before that (a peer's early ADD_ADDR) until then (<see cref="JoinsWaitForSecret"/>).
/// </remarks>
public sealed record PathPolicy
{
    /// <summary>Gets how many paths are used at once.</summary>
    public PathPolicyMode Mode { get; init; } = PathPolicyMode.Aggregate;

    /// <summary>Gets the most subflows a connection has at once, the initial one included, or null for <see cref="MptcpOptions.PathManagerLimits"/> alone.</summary>
    public int? MaxSubflows { get; init; }

    /// <summary>Gets how many joins per second the connection opens at most (a token bucket on the stack's injected time), or null for no limit.</summary>
    public double? MaxJoinsPerSecond { get; init; }

    /// <summary>Gets how many joins may go at once before <see cref="MaxJoinsPerSecond"/> spaces them (the bucket's depth).</summary>
    public int JoinBurst { get; init; } = 1;

    /// <summary>Gets the most ADD_ADDR announcements the connection sends (distinct addresses; retransmissions are not counted), or null for no limit.</summary>
    public int? MaxAnnouncements { get; init; }

    /// <summary>
    /// Gets prefixes whose addresses may always be announced, whatever their scope (a lab on a private
    /// range, say). Test networks on documentation prefixes need none: those are global by default.
    /// </summary>
    public IReadOnlyList<IPNetwork> AnnounceablePrefixes { get; init; } = [];

    /// <summary>
    /// Gets a predicate that replaces the scope rule: given our address and the peer's initial
    /// address, whether the address may be announced; null for <see cref="AddressScope.MayAnnounce"/>.
    /// <see cref="AnnounceablePrefixes"/> is consulted first either way.
    /// </summary>
    public Func<IpAddressBytes, IpAddressBytes, bool>? MayAnnounce { get; init; }

    /// <summary>Gets how long the old subflows of a <see cref="PathPolicyMode.Handover"/> stay open as backups, for their data in flight, before they close.</summary>
    public TimeSpan HandoverDrain { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets whether joins wait for the connection's secret (always: stated here, enforced by the connection and by <see cref="PolicyPathManager"/>).</summary>
    public bool JoinsWaitForSecret => true;

    /// <summary>Returns whether our <paramref name="address"/> may be announced to a peer whose initial address is <paramref name="peer"/>.</summary>
    public bool Allows(IpAddressBytes address, IpAddressBytes peer)
    {
        IPAddress ip = address.ToIPAddress();
        foreach (IPNetwork prefix in AnnounceablePrefixes)
        {
            if (prefix.Contains(ip))
            {
                return true;
            }
        }

        return MayAnnounce?.Invoke(address, peer) ?? AddressScope.MayAnnounce(address, peer);
    }
}
