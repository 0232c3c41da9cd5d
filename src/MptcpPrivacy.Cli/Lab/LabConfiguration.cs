using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>One column of the lab's table: a wire privacy mode and the path policy both ends run.</summary>
/// <param name="Name">The column's name, "mode/policy".</param>
/// <param name="Profile">The wire privacy mode.</param>
/// <param name="Policy">The path policy (aggregate: every path, the stack's default; backup: a second path only when the first fails; handover: one path, moved to each new address).</param>
internal sealed record LabConfiguration(string Name, PrivacyProfile Profile, PathPolicyMode Policy)
{
    /// <summary>Gets the columns, in table order: each mode with each policy that changes what it shows.</summary>
    /// <remarks>
    /// Standard and the profile run every policy: aggregate (every path), backup (a second path only
    /// when the first fails) and handover (one path, moved make-before-break to each new address).
    /// The draft runs aggregate only. Its two countermeasures have nothing to act on under the
    /// one-path policies, which the lab's runs of draft/backup and draft/handover showed cell for
    /// cell: its per-join tokens only hide that two joins on one path belong together, and backup
    /// and handover put at most one join per connection on a path; its encrypted ADD_ADDR has no
    /// ADD_ADDR to hide, since both ends hold their announcements back; and against whoever saw the
    /// keys (Wi-Fi, fully on-path, the hijacker) it links and is joined as standard is. Its one
    /// difference from standard under a policy, the join refused behind a NAT, needs a join, and
    /// neither policy opens one on a healthy path. So draft/backup repeats standard/backup and
    /// draft/handover standard/handover, with the draft's evidence name in place of standard's.
    /// </remarks>
    public static IReadOnlyList<LabConfiguration> All { get; } =
    [
        new("standard/aggregate", PrivacyProfile.Standard, PathPolicyMode.Aggregate),
        new("standard/backup", PrivacyProfile.Standard, PathPolicyMode.Backup),
        new("standard/handover", PrivacyProfile.Standard, PathPolicyMode.Handover),
        new("draft/aggregate", PrivacyProfile.Draft, PathPolicyMode.Aggregate),
        new("profile/aggregate", PrivacyProfile.Privacy, PathPolicyMode.Aggregate),
        new("profile/backup", PrivacyProfile.Privacy, PathPolicyMode.Backup),
        new("profile/handover", PrivacyProfile.Privacy, PathPolicyMode.Handover),
    ];

    /// <summary>
    /// Returns the stack options both ends run for <paramref name="spec"/> under this configuration:
    /// room for four subflows (the default two would stop the user's joins before the new Wi-Fi
    /// address gets one) and the policy.
    /// </summary>
    public MptcpOptions Options(ScenarioSpec spec) => ScenarioRunner.OptionsFor(spec) with
    {
        PathManagerLimits = new PathManagerLimits(subflows: 4, addAddrAccepted: 2),
        PathPolicy = Policy == PathPolicyMode.Aggregate ? null : new PathPolicy { Mode = Policy },
    };
}
