namespace MptcpPrivacy.Stack.Mptcp.Privacy;

/// <summary>
/// The blog's on-path defence ("Is MPTCP less secure than TCP?": "the end hosts can detect
/// problems … over a compromised path to switch all active connections to an alternate path"):
/// each sign of an attacker or a meddling middlebox on a path (a DSS checksum failure, an MP_FAIL,
/// a join whose HMAC fails, a bare or middlebox-interference reset of an established subflow) adds
/// one to the path's score, kept per host for the pair of addresses. At <see cref="BackupAt"/> every
/// connection's subflows on that path become backup (MP_PRIO: traffic moves off); at
/// <see cref="ResetAt"/> they are reset with MP_TCPRST "middlebox interference" and no join is opened
/// or accepted on that path again.
/// </summary>
/// <param name="BackupAt">The score at which the path's subflows become backup.</param>
/// <param name="ResetAt">The score at which they are reset and the path is shunned.</param>
public sealed record SubflowScoring(int BackupAt = 1, int ResetAt = 2)
{
    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is not positive, or the reset comes before the backup.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BackupAt, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ResetAt, BackupAt);
    }
}
