using MptcpPrivacy.Scenarios.Attacks;

namespace MptcpPrivacy.Cli.Lab.Netns;

// placeholder, replaced at merge: another helper writes the three join attacks against kernels.

/// <summary>The lab's active join attacks against Linux kernels in network namespaces.</summary>
internal static class NetnsAttacks
{
    /// <summary>Runs attack <paramref name="kind"/> against a kernel server and reports what it achieved.</summary>
    /// <exception cref="NotSupportedException">Always: this placeholder is replaced at merge.</exception>
    public static LabAttack Run(JoinAttackKind kind, int seed, Action<string>? progress = null) =>
        throw new NotSupportedException("netns attacks: not merged yet");
}
