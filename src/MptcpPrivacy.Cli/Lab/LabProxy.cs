using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>
/// One configuration's run through a proxy that terminates MPTCP (<see cref="LabRunner.Proxy(LabConfiguration, int, int, long)"/>):
/// the user's connections end at the proxy, which relays them over plain TCP from one address to
/// the origin. The proxy is of the draft's endpoint class.
/// </summary>
/// <param name="Complete">Every connection arrived complete and byte-exact, both directions, from the user's application to the origin's and back.</param>
/// <param name="Proxy">What the proxy knows of the user, from its own MPTCP stack (as the endpoint row's server): the client addresses it ties together.</param>
/// <param name="AuditEndpoint">What the audit's endpoint observer finds in the user-side capture (whose MPTCP peer is the proxy); under the profile, without the secret, less than <see cref="Proxy"/>.</param>
/// <param name="UserMptcpConnections">MPTCP connections the audit finds in the user-side capture.</param>
/// <param name="MptcpPeers">The addresses those connections' subflows end at on the far side, from the user-side capture: the proxy's.</param>
/// <param name="PeersAreTheProxy">Whether there were MPTCP connections and every one of <see cref="MptcpPeers"/> is one of the proxy's front addresses.</param>
/// <param name="OriginMptcpConnections">MPTCP connections the audit finds in the origin-side capture (none: the proxy speaks plain TCP to the origin).</param>
/// <param name="OriginTcpConnections">Plain TCP connections the audit finds in the origin-side capture.</param>
/// <param name="OriginPeers">The addresses that opened connections to the origin, from the origin-side capture: the origin's whole view of who its users are.</param>
/// <param name="UserAddressesAtOrigin">The user's addresses that appear in the origin-side capture at all.</param>
/// <param name="UserCapture">The user-side pcapng capture (the paths, then the proxy's front link).</param>
/// <param name="OriginCapture">The origin-side pcapng capture (the link between the proxy's back address and the origin).</param>
internal sealed record LabProxy(
    bool Complete,
    LabPassive Proxy,
    LabPassive AuditEndpoint,
    int UserMptcpConnections,
    IReadOnlyList<IpAddressBytes> MptcpPeers,
    bool PeersAreTheProxy,
    int OriginMptcpConnections,
    int OriginTcpConnections,
    IReadOnlyList<IpAddressBytes> OriginPeers,
    int UserAddressesAtOrigin,
    byte[] UserCapture,
    byte[] OriginCapture);
