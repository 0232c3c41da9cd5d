namespace MptcpPrivacy.Stack.Mptcp.PathManagement;

/// <summary>
/// The host-wide configuration every connection's path manager starts from: the limits and the
/// local endpoints (the kernel keeps both per network namespace). Validated as <c>ip mptcp</c> does.
/// </summary>
public sealed class PathManagerOptions
{
    /// <summary>The most endpoints a host has (the kernel's <c>MPTCP_PM_ADDR_MAX</c>).</summary>
    public const int MaxEndpoints = 8;

    /// <summary>Creates options; endpoints with ID 0 get the next free ID after the highest so far.</summary>
    public PathManagerOptions(PathManagerLimits? limits = null, IEnumerable<PathEndpoint>? endpoints = null)
    {
        Limits = limits ?? PathManagerLimits.Default;
        var list = new List<PathEndpoint>();
        foreach (PathEndpoint endpoint in endpoints ?? [])
        {
            list.Add(Validate(endpoint, list));
        }

        Endpoints = list;
    }

    /// <summary>Gets the options with the default limits and no endpoints: the initial subflow only.</summary>
    public static PathManagerOptions Default { get; } = new();

    /// <summary>Gets the limits.</summary>
    public PathManagerLimits Limits { get; }

    /// <summary>Gets the endpoints in the order given, each with its ID.</summary>
    public IReadOnlyList<PathEndpoint> Endpoints { get; }

    /// <summary>
    /// Checks <paramref name="endpoint"/> against <paramref name="existing"/> as the kernel's
    /// <c>mptcp_pm_nl_add_addr_doit</c> does and returns it with its ID assigned; a bad endpoint throws.
    /// </summary>
    internal static PathEndpoint Validate(PathEndpoint endpoint, IReadOnlyList<PathEndpoint> existing)
    {
        if (endpoint.Address.Length == 0)
        {
            throw new ArgumentException("an endpoint needs an address", nameof(endpoint));
        }

        if (endpoint.Has(EndpointFlags.Signal | EndpointFlags.Fullmesh))
        {
            throw new ArgumentException("flags mustn't have both signal and fullmesh", nameof(endpoint));
        }

        if (endpoint.Port is not null && (!endpoint.Has(EndpointFlags.Signal) || endpoint.Has(EndpointFlags.Subflow)))
        {
            throw new ArgumentException("flags must have signal and not subflow when using port", nameof(endpoint));
        }

        if (existing.Count >= MaxEndpoints)
        {
            throw new ArgumentException($"at most {MaxEndpoints} endpoints", nameof(endpoint));
        }

        foreach (PathEndpoint e in existing)
        {
            if (e.Address == endpoint.Address && e.Port == endpoint.Port)
            {
                throw new ArgumentException($"duplicate endpoint {endpoint.Address}", nameof(endpoint));
            }

            if (endpoint.Id != 0 && e.Id == endpoint.Id)
            {
                throw new ArgumentException($"endpoint ID {endpoint.Id} is taken", nameof(endpoint));
            }
        }

        if (endpoint.Id != 0)
        {
            return endpoint;
        }

        // The first free ID after the highest in use, wrapping (mptcp_pm_nl_append_new_local_addr).
        int highest = existing.Count == 0 ? 0 : existing.Max(e => e.Id);
        for (int step = 1; step <= byte.MaxValue; step++)
        {
            int id = ((highest + step - 1) % byte.MaxValue) + 1;
            if (!existing.Any(e => e.Id == id))
            {
                return endpoint with { Id = (byte)id };
            }
        }

        throw new ArgumentException("no free endpoint ID", nameof(endpoint));
    }
}
