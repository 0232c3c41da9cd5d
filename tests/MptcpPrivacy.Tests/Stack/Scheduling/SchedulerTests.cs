using FsCheck;
using FsCheck.Fluent;
using MptcpPrivacy.Stack.Mptcp.Scheduling;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Stack.Scheduling;

/// <summary>The RFC 8684 §3.3.8 backup rule, stale paths, full windows and determinism.</summary>
public sealed class SchedulerTests
{
    private static readonly IPacketScheduler Default = new LowestRttFirst();

    [Fact]
    public void LowestRttFirst_PicksTheLowestSmoothedRtt()
    {
        Assert.Equal(2, Default.SelectOne([Sub(1, rttMs: 40), Sub(2, rttMs: 10), Sub(3, rttMs: 20)]));
    }

    [Fact]
    public void LowestRttFirst_UnknownRttComesLastAndTiesGoToTheLowerId()
    {
        Assert.Equal(3, Default.SelectOne([Sub(1, rttMs: null), Sub(3, rttMs: 90)]));
        Assert.Equal(1, Default.SelectOne([Sub(2, rttMs: null), Sub(1, rttMs: null)]));
        Assert.Equal(4, Default.SelectOne([Sub(7, rttMs: 30), Sub(4, rttMs: 30)]));
    }

    [Fact]
    public void ASubflowWithAFullCongestionOrSendWindowIsSkipped()
    {
        SubflowSchedulingState cwndFull = Sub(1, rttMs: 10) with { BytesInFlight = 14_600 };
        SubflowSchedulingState peerWindowFull = Sub(2, rttMs: 20) with { SendWindowFree = 0 };
        Assert.Equal(3, Default.SelectOne([cwndFull, peerWindowFull, Sub(3, rttMs: 30)]));
        Assert.Null(Default.SelectOne([cwndFull, peerWindowFull]));
    }

    [Fact]
    public void ASubflowNotYetEstablishedIsNeverChosen()
    {
        Assert.Equal(2, Default.SelectOne([Sub(1, rttMs: 5) with { IsEstablished = false }, Sub(2, rttMs: 50)]));
        Assert.Null(Default.SelectOne([Sub(1, rttMs: 5) with { IsEstablished = false }]));
        Assert.Null(Default.SelectOne([]));
    }

    [Fact]
    public void Rfc8684_3_3_8_BackupIsNotUsedWhileARegularSubflowIsUsable()
    {
        SubflowSchedulingState regular = Sub(1, rttMs: 100);
        SubflowSchedulingState backup = Sub(2, rttMs: 5, backup: true);
        Assert.Equal(1, Default.SelectOne([backup, regular]));

        // The regular subflow's window is full: wait for it rather than spill onto the backup.
        Assert.Null(Default.SelectOne([backup, regular with { BytesInFlight = 14_600 }]));
    }

    [Fact]
    public void Rfc8684_3_3_8_BackupIsUsedWhenNoRegularSubflowIsEstablishedOrAllAreStale()
    {
        SubflowSchedulingState backupSlow = Sub(2, rttMs: 80, backup: true);
        SubflowSchedulingState backupFast = Sub(3, rttMs: 20, backup: true);
        Assert.Equal(3, Default.SelectOne([Sub(1, rttMs: 5) with { IsEstablished = false }, backupSlow, backupFast]));
        Assert.Equal(3, Default.SelectOne([Sub(1, rttMs: 5) with { IsStale = true }, backupSlow, backupFast]));
        Assert.Equal(3, Default.SelectOne([backupSlow, backupFast]));
    }

    [Fact]
    public void WhenEverySubflowIsStaleTheLeastBadOneStillGetsData()
    {
        SubflowSchedulingState staleBackup = Sub(1, rttMs: 5, backup: true) with { IsStale = true };
        SubflowSchedulingState staleSlow = Sub(2, rttMs: 300) with { IsStale = true };
        SubflowSchedulingState staleFast = Sub(3, rttMs: 100) with { IsStale = true };
        Assert.Equal(3, Default.SelectOne([staleBackup, staleSlow, staleFast]));
        Assert.Equal(1, Default.SelectOne([staleBackup]));

        // A stale subflow is not used while a non-stale one exists, even a slower one.
        Assert.Equal(4, Default.SelectOne([staleFast, Sub(4, rttMs: 900)]));
    }

    [Fact]
    public void RoundRobin_TakesTurnsByIdSkippingFullSubflowsAndKeepingTheBackupRule()
    {
        var rr = new RoundRobin();
        SubflowSchedulingState[] subflows = [Sub(3, rttMs: 10), Sub(1, rttMs: 10), Sub(2, rttMs: 10), Sub(9, rttMs: 1, backup: true)];
        Assert.Equal(new int?[] { 1, 2, 3, 1, 2 }, Enumerable.Range(0, 5).Select(_ => rr.SelectOne(subflows)).ToArray());

        subflows[0] = subflows[0] with { BytesInFlight = 14_600 }; // id 3 full
        Assert.Equal(1, rr.SelectOne(subflows));
        Assert.Equal(2, rr.SelectOne(subflows));
    }

    [Fact]
    public void Redundant_SendsOnEveryAllowedSubflowWithRoom()
    {
        var redundant = new Redundant();
        SubflowSchedulingState[] subflows = [Sub(1, rttMs: 10), Sub(2, rttMs: 10) with { SendWindowFree = 0 }, Sub(3, rttMs: 10), Sub(4, rttMs: 1, backup: true)];
        var chosen = new int[subflows.Length];
        int n = redundant.Select(subflows, chosen);
        Assert.Equal(new[] { 1, 3 }, chosen[..n]);

        n = redundant.Select([Sub(4, rttMs: 1, backup: true), Sub(5, rttMs: 2, backup: true)], chosen);
        Assert.Equal(new[] { 4, 5 }, chosen[..n]);
    }

    [Fact]
    public void Property_LowestRttFirstObeysTheBackupRuleAndIgnoresInputOrder()
    {
        Gen<SubflowSchedulingState[]> gen =
            from n in Gen.Choose(0, 8)
            from subflows in Gen.ArrayOf(
                from established in Gen.Elements(true, true, true, false)
                from backup in Gen.Elements(false, false, true)
                from stale in Gen.Elements(false, false, false, true)
                from rtt in Gen.Choose(0, 5)
                from inFlight in Gen.Choose(0, 3)
                from window in Gen.Choose(0, 2)
                select new SubflowSchedulingState(0, established, backup, stale, rtt == 0 ? null : TimeSpan.FromMilliseconds(rtt * 10), 3000, inFlight * 1000, window * 1000, 1000),
                n)
            select subflows.Select((s, i) => s with { Id = i + 1 }).ToArray();
        Properties.Check(gen, subflows =>
        {
            int? pick = Default.SelectOne(subflows);
            int? again = Default.SelectOne(subflows.Reverse().ToArray());
            if (pick != again)
            {
                return false;
            }

            bool regularUsable = subflows.Any(s => s.IsEstablished && !s.IsStale && !s.IsBackup);
            bool anyUsable = subflows.Any(s => s.IsEstablished && !s.IsStale);
            if (pick is not { } id)
            {
                // Waiting is right only if no subflow of the allowed class has room.
                return !subflows.Any(s => s.CanSendNow && (regularUsable ? !s.IsStale && !s.IsBackup : !anyUsable || !s.IsStale));
            }

            SubflowSchedulingState chosen = subflows.Single(s => s.Id == id);
            return chosen.CanSendNow
                && !(regularUsable && (chosen.IsBackup || chosen.IsStale))
                && !(anyUsable && chosen.IsStale);
        });
    }

    private static SubflowSchedulingState Sub(int id, double? rttMs, bool backup = false) => new(
        Id: id,
        IsEstablished: true,
        IsBackup: backup,
        IsStale: false,
        SmoothedRtt: rttMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        CongestionWindow: 14_600,
        BytesInFlight: 0,
        SendWindowFree: 65_535,
        Mss: 1460);
}
