namespace MptcpPrivacy.Stack.Mptcp.PathManagement;

/// <summary>
/// Per-connection limits of the path manager, as <c>ip mptcp limits set subflows N add_addr_accepted M</c>.
/// </summary>
public sealed record PathManagerLimits
{
    /// <summary>The largest value either limit takes (the kernel's <c>MPTCP_PM_ADDR_MAX</c>).</summary>
    public const int Maximum = 8;

    /// <summary>Creates limits; each must lie in 0..<see cref="Maximum"/>.</summary>
    public PathManagerLimits(int subflows = 2, int addAddrAccepted = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(subflows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subflows, Maximum);
        ArgumentOutOfRangeException.ThrowIfNegative(addAddrAccepted);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(addAddrAccepted, Maximum);
        Subflows = subflows;
        AddAddrAccepted = addAddrAccepted;
    }

    /// <summary>
    /// Gets the kernel's defaults, which our stack uses on both sides unless configured: 2 additional
    /// subflows and no ADD_ADDR accepted. A client that should follow a server's announcements must
    /// raise <see cref="AddAddrAccepted"/>, exactly as on Linux.
    /// </summary>
    public static PathManagerLimits Default { get; } = new();

    /// <summary>
    /// Gets the most subflows a connection may have besides its initial one, whether we open them or
    /// the peer does (Linux's <c>subflows_max</c>).
    /// </summary>
    public int Subflows { get; }

    /// <summary>Gets how many of the peer's ADD_ADDR announcements we follow by opening subflows (<c>add_addr_accept_max</c>).</summary>
    public int AddAddrAccepted { get; }
}
