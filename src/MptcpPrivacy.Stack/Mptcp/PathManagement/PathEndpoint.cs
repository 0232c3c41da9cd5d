using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Stack.Mptcp.PathManagement;

/// <summary>
/// A local address the path manager may use, as one line of <c>ip mptcp endpoint</c>.
/// </summary>
/// <param name="Id">
/// The address ID (RFC 8684 §3.4.1), 1 to 255, unique among endpoints; 0 asks
/// <see cref="PathManagerOptions"/> to assign the next free one, as the kernel does. ID 0 itself is
/// reserved for each connection's initial address.
/// </param>
/// <param name="Address">The local address.</param>
/// <param name="Flags">What to do with it.</param>
/// <param name="Port">A port to announce with the address (a <see cref="EndpointFlags.Signal"/> endpoint only), or null.</param>
public readonly record struct PathEndpoint(byte Id, IpAddressBytes Address, EndpointFlags Flags, ushort? Port = null)
{
    /// <summary>Gets whether subflows from this endpoint are backups.</summary>
    public bool IsBackup => (Flags & EndpointFlags.Backup) != 0;

    /// <summary>Returns whether the endpoint has all of <paramref name="flags"/>.</summary>
    public bool Has(EndpointFlags flags) => (Flags & flags) == flags;
}
