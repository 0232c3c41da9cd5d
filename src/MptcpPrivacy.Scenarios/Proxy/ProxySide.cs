namespace MptcpPrivacy.Scenarios.Proxy;

/// <summary>One of the two sides of a <see cref="ProxyRelay"/>.</summary>
public enum ProxySide
{
    /// <summary>The user's MPTCP connection, which ends at the proxy.</summary>
    User,

    /// <summary>The proxy's connection to the origin.</summary>
    Origin,
}
