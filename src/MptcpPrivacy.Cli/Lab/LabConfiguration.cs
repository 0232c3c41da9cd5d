using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.PathManagement;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>One column of the lab's table: a wire privacy mode and the path policy both ends run.</summary>
/// <param name="Name">The column's name, "mode/policy".</param>
/// <param name="Profile">The wire privacy mode.</param>
/// <param name="Policy">The path policy (aggregate: every path, the stack's default; backup: a second path only when the first fails).</param>
internal sealed record LabConfiguration(string Name, PrivacyProfile Profile, PathPolicyMode Policy)
{
    /// <summary>Gets the columns, in table order: each mode with each policy that changes what it shows.</summary>
    public static IReadOnlyList<LabConfiguration> All { get; } =
    [
        new("standard/aggregate", PrivacyProfile.Standard, PathPolicyMode.Aggregate),
        new("standard/backup", PrivacyProfile.Standard, PathPolicyMode.Backup),
        new("draft/aggregate", PrivacyProfile.Draft, PathPolicyMode.Aggregate),
        new("profile/aggregate", PrivacyProfile.Privacy, PathPolicyMode.Aggregate),
        new("profile/backup", PrivacyProfile.Privacy, PathPolicyMode.Backup),
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
