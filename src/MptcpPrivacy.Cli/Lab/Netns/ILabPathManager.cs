using System.Net;

namespace MptcpPrivacy.Cli.Lab.Netns;

/// <summary>
/// The client's path manager in a kernel run of the lab: what opens the user's joins and reacts to
/// its address changes. <see cref="InKernelLabPathManager"/> (the kernel's own, <c>ip mptcp</c>)
/// is the aggregate column's; a userspace path manager over the MPTCP netlink family can take its
/// place for another column.
/// </summary>
internal interface ILabPathManager
{
    /// <summary>Gets a short name for progress lines and the docs ("in-kernel", ...).</summary>
    string Name { get; }

    /// <summary>
    /// Sets the path manager up in the client's namespace of <paramref name="network"/>, before the
    /// first connection opens; the session is disposed after the run, before the namespaces go.
    /// </summary>
    ILabPathManagerSession Start(NetnsLabNetwork network);
}

/// <summary>A path manager running in the client's namespace for one kernel run; told of each address change.</summary>
internal interface ILabPathManagerSession : IDisposable
{
    /// <summary>Called after <paramref name="address"/> was added on the device of path <paramref name="path"/> (1 Wi-Fi, 2 cellular) and routed.</summary>
    void AddressAdded(int path, IPAddress address);

    /// <summary>Called before <paramref name="address"/> is removed from path <paramref name="path"/>: the moment to close its subflows and withdraw it (REMOVE_ADDR).</summary>
    void AddressRemoving(int path, IPAddress address);
}
