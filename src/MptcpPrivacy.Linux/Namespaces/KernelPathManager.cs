using System.Globalization;
using System.Net;

namespace MptcpPrivacy.Linux.Namespaces;

/// <summary>
/// The Linux kernel's in-kernel MPTCP path manager of one network namespace, configured through
/// <c>ip mptcp</c> and the <c>net.mptcp</c> sysctls.
/// </summary>
public sealed class KernelPathManager
{
    private readonly NetworkNamespace _namespace;

    internal KernelPathManager(NetworkNamespace ns) => _namespace = ns;

    /// <summary>
    /// Sets how many additional subflows a connection may have and how many ADD_ADDR announcements
    /// it accepts (<c>ip mptcp limits set subflows N add_addr_accepted N</c>).
    /// </summary>
    public void SetLimits(int subflows, int addAddrAccepted)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(subflows);
        ArgumentOutOfRangeException.ThrowIfNegative(addAddrAccepted);
        Ip("limits", "set", "subflows", Text(subflows), "add_addr_accepted", Text(addAddrAccepted));
    }

    /// <summary>
    /// Adds an endpoint (<c>ip mptcp endpoint add ADDR [id ID] [dev DEV] [port P] FLAGS</c>) and
    /// returns its endpoint ID (the address ID the kernel uses on the wire).
    /// </summary>
    public int AddEndpoint(IPAddress address, MptcpEndpointFlags flags, string? device = null, int? port = null, int? id = null)
    {
        List<string> arguments = ["endpoint", "add", address.ToString()];
        if (id is { } given)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(given, nameof(id));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(given, 255, nameof(id));
            arguments.AddRange(["id", Text(given)]);
        }

        if (device is not null)
        {
            arguments.AddRange(["dev", device]);
        }

        if (port is { } p)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p, nameof(port));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 65535, nameof(port));
            arguments.AddRange(["port", Text(p)]);
        }

        foreach ((MptcpEndpointFlags flag, string word) in FlagWords)
        {
            if (flags.HasFlag(flag))
            {
                arguments.Add(word);
            }
        }

        Ip([.. arguments]);
        return id ?? FindEndpoint(address) ?? throw new InvalidOperationException($"endpoint {address} not listed after it was added in {_namespace.Name}");
    }

    /// <summary>Marks endpoint <paramref name="id"/>'s subflows as backup or not; the kernel sends MP_PRIO (RFC 8684 §3.3.8).</summary>
    public void SetBackup(int id, bool backup) => Ip("endpoint", "change", "id", Text(id), backup ? "backup" : "nobackup");

    /// <summary>Deletes endpoint <paramref name="id"/>: its subflows close and the kernel sends REMOVE_ADDR (RFC 8684 §3.4.2).</summary>
    public void DeleteEndpoint(int id) => Ip("endpoint", "del", "id", Text(id));

    /// <summary>Deletes every endpoint.</summary>
    public void FlushEndpoints() => Ip("endpoint", "flush");

    /// <summary>Returns the endpoints as <c>ip mptcp endpoint show</c> prints them, one a line.</summary>
    public IReadOnlyList<string> Endpoints() =>
        Ip("endpoint", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Returns the endpoint ID of <paramref name="address"/>, or null when it is not an endpoint.</summary>
    public int? FindEndpoint(IPAddress address)
    {
        foreach (string line in Endpoints())
        {
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int at = Array.IndexOf(words, "id");
            if (words.Length > 0 && IPAddress.TryParse(words[0], out IPAddress? listed) && listed.Equals(address)
                && at >= 0 && at + 1 < words.Length && int.TryParse(words[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int found))
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>Turns DSS checksums on or off for new connections (<c>net.mptcp.checksum_enabled</c>, RFC 8684 §3.3.1).</summary>
    public void SetChecksums(bool enabled) => _namespace.Exec("sysctl", "-q", "-w", $"net.mptcp.checksum_enabled={(enabled ? 1 : 0)}");

    private static readonly (MptcpEndpointFlags Flag, string Word)[] FlagWords =
    [
        (MptcpEndpointFlags.Signal, "signal"),
        (MptcpEndpointFlags.Subflow, "subflow"),
        (MptcpEndpointFlags.Backup, "backup"),
        (MptcpEndpointFlags.Fullmesh, "fullmesh"),
    ];

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private string Ip(params string[] arguments) =>
        Processes.HostCommand.Run("ip", ["-n", _namespace.Name, "mptcp", .. arguments], TimeSpan.FromSeconds(20));
}
