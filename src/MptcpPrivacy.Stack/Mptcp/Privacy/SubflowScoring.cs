namespace MptcpPrivacy.Stack.Mptcp.Privacy;

/// <summary>
/// The blog's on-path defence ("Is MPTCP less secure than TCP?": "the end hosts can detect
/// problems … over a compromised path to switch all active connections to an alternate path"):
/// each sign of an attacker or a meddling middlebox on a path (a DSS checksum failure, an MP_FAIL,
/// a join whose HMAC fails, a bare or middlebox-interference reset of an established subflow) adds
/// one to the path's score, kept per host for the pair of addresses. At <see cref="BackupAt"/> every
/// connection's subflows on that path become backup (MP_PRIO: traffic moves off); at
/// <see cref="ResetAt"/> they are reset with MP_TCPRST "middlebox interference" and no join is opened
/// or accepted on that path again. A path that shows nothing for <see cref="ForgetAfter"/> starts
/// again from zero: a middlebox goes away, a phone moves to another network that reuses the address,
/// and a shunned path that stays shunned for good would leave a mobile host one path short forever.
/// </summary>
/// <param name="BackupAt">The score at which the path's subflows become backup.</param>
/// <param name="ResetAt">The score at which they are reset and the path is shunned.</param>
/// <param name="ForgetAfter">How long after its last sign a path's score is forgotten; null: 10 minutes.</param>
public sealed record SubflowScoring(int BackupAt = 1, int ResetAt = 2, TimeSpan? ForgetAfter = null)
{
    /// <summary>Gets how long after its last sign a path's score is forgotten.</summary>
    public TimeSpan Memory => ForgetAfter ?? TimeSpan.FromMinutes(10);

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is not positive, the reset comes before the backup, or the memory is not positive.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BackupAt, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ResetAt, BackupAt);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Memory, TimeSpan.Zero, nameof(ForgetAfter));
    }
}
