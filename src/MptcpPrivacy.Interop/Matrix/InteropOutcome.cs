namespace MptcpPrivacy.Interop.Matrix;

/// <summary>One check of an interop run: what was checked, whether it held, and what was seen.</summary>
public sealed record InteropCheck(string Name, bool Passed, string Detail);

/// <summary>What one side of a transfer sent and received.</summary>
public sealed record InteropSide(string Implementation, long BytesSent, string Sha256Sent, long BytesReceived, string Sha256Received, bool Mptcp, int Subflows);

/// <summary>The result of one case in one direction.</summary>
public sealed class InteropOutcome
{
    private readonly List<InteropCheck> _checks = [];

    /// <summary>Makes the outcome of <paramref name="case"/> run in <paramref name="direction"/>.</summary>
    public InteropOutcome(InteropCase @case, InteropDirection direction)
    {
        Case = @case;
        Direction = direction;
    }

    /// <summary>Gets the case.</summary>
    public InteropCase Case { get; }

    /// <summary>Gets the direction it ran in.</summary>
    public InteropDirection Direction { get; }

    /// <summary>Gets every check made, in order.</summary>
    public IReadOnlyList<InteropCheck> Checks => _checks;

    /// <summary>Gets or sets the client's side, once the transfer ended.</summary>
    public InteropSide? Client { get; set; }

    /// <summary>Gets or sets the server's side, once the transfer ended.</summary>
    public InteropSide? Server { get; set; }

    /// <summary>Gets or sets the run's wall-clock seconds (topology included).</summary>
    public double Seconds { get; set; }

    /// <summary>Gets or sets the capture of the case (the kernel host's interfaces), if one was kept.</summary>
    public string? Capture { get; set; }

    /// <summary>Gets the kernel's MPTCP counters (the MPTcpExt table of /proc/net/netstat, named as nstat names them) that moved during the run.</summary>
    public Dictionary<string, long> KernelCounters { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets what happened on our stack's connection (its events, in order), for the report and for diagnosis.</summary>
    public List<string> OurEvents { get; } = [];

    /// <summary>Gets or sets the error that stopped the run before its checks, if any.</summary>
    public string? Error { get; set; }

    /// <summary>Gets whether the run finished and every check held.</summary>
    public bool Passed => Error is null && _checks.Count > 0 && _checks.All(c => c.Passed);

    /// <summary>Gets the first reason the run did not pass, or null.</summary>
    public string? FailureReason =>
        Error ?? (_checks.FirstOrDefault(c => !c.Passed) is { } failed ? $"{failed.Name}: {failed.Detail}" : _checks.Count == 0 ? "no check was made" : null);

    /// <summary>Records a check.</summary>
    public void Check(string name, bool passed, string detail) => _checks.Add(new InteropCheck(name, passed, detail));
}
