namespace MptcpPrivacy.Audit.Verification;

/// <summary>
/// Counts every check by kind and status, and keeps the first <see cref="MaxFindings"/> that were
/// not valid: memory stays bounded on captures of millions of packets.
/// </summary>
public sealed class CheckTally
{
    /// <summary>How many not-valid findings are kept with their details.</summary>
    public const int MaxFindings = 10_000;

    private readonly long[,] _counts = new long[Enum.GetValues<CheckKind>().Length, Enum.GetValues<CheckStatus>().Length];
    private readonly List<CheckFinding> _findings = [];

    /// <summary>The checks that were not valid, in capture order (at most <see cref="MaxFindings"/>).</summary>
    public IReadOnlyList<CheckFinding> Findings => _findings;

    /// <summary>How many checks of <paramref name="kind"/> ended with <paramref name="status"/>.</summary>
    public long Count(CheckKind kind, CheckStatus status) => _counts[(int)kind, (int)status];

    /// <summary>How many checks of <paramref name="kind"/> were made.</summary>
    public long Count(CheckKind kind) =>
        Count(kind, CheckStatus.Valid) + Count(kind, CheckStatus.Invalid) + Count(kind, CheckStatus.Unverifiable);

    /// <summary>Records a valid check.</summary>
    public void Valid(CheckKind kind) => _counts[(int)kind, (int)CheckStatus.Valid]++;

    /// <summary>Records a check that was not valid.</summary>
    public void Record(long frame, CheckKind kind, CheckStatus status, string detail)
    {
        _counts[(int)kind, (int)status]++;
        if (status != CheckStatus.Valid && _findings.Count < MaxFindings)
        {
            _findings.Add(new CheckFinding(frame, kind, status, detail));
        }
    }
}
