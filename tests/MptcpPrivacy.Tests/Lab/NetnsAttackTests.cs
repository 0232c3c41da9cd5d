using MptcpPrivacy.Cli.Lab;
using MptcpPrivacy.Cli.Lab.Netns;
using MptcpPrivacy.Scenarios.Attacks;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Lab;

/// <summary>
/// The blog's join attacks ("Is MPTCP less secure than TCP?") against real Linux kernels in
/// network namespaces, with the simulator's attacker on a TUN device: what the blog says of each
/// attacker class, checked on the kernel's MPTCP.
/// </summary>
public sealed class NetnsAttackTests(ITestOutputHelper output)
{
    [Fact]
    public void RfcSection3_2_AnOffPathAttackerGuessingTokensNeverJoins()
    {
        Privileges.RequireRoot("the netns attacks");
        LabAttack attack = Run(JoinAttackKind.OffPath, seed: 1);

        Assert.Equal(50, attack.Attempts);
        Assert.Equal(0, attack.TokenMatches);
        Assert.Equal(0, attack.Joined);
        Assert.Equal(0, attack.BytesReceived);

        // The kernel answered every unknown token with a reset (to the spoofed user).
        Assert.Equal(attack.Attempts, attack.Resets);
        Assert.True(attack.UserComplete, "the user's download did not complete");
    }

    [Fact]
    public void RfcSection3_2_AHalfOnPathAttackerWithTheRealTokenIsRefusedForWantOfTheKeys()
    {
        Privileges.RequireRoot("the netns attacks");
        LabAttack attack = Run(JoinAttackKind.HalfOnPath, seed: 2);

        Assert.Equal(20, attack.Attempts);

        // The token named the connection: the kernel answered every join with SYN/ACK + MP_JOIN
        // (a SYN/ACK it retransmits counts again) ...
        Assert.InRange(attack.TokenMatches, attack.Attempts, 2 * attack.Attempts);

        // ... then refused each third ACK's guessed HMAC with a reset.
        Assert.InRange(attack.Resets, attack.Attempts, 2 * attack.Attempts);
        Assert.Equal(0, attack.Joined);
        Assert.Equal(0, attack.BytesReceived);
        Assert.True(attack.UserComplete, "the user's download did not complete");
    }

    [Fact]
    public void RfcSection3_2_AnOnPathAttackerWithTheKeysOfTheInitialPathJoinsAndReceivesTheUsersData()
    {
        Privileges.RequireRoot("the netns attacks");
        LabAttack attack = Run(JoinAttackKind.OnPathHijack, seed: 3);

        Assert.True(attack.KeysSeen, "the attacker did not read the keys on the Wi-Fi path");
        Assert.True(attack.TokenMatches > 0, "the kernel found no connection for the attacker's token");
        Assert.True(attack.Joined > 0, "the kernel did not accept the attacker's join");
        Assert.True(attack.BytesReceived > 0, "the server sent none of the user's download to the attacker");
        output.WriteLine($"the user's download {(attack.UserComplete ? "still completed byte-exact" : "did not complete")}");
    }

    private LabAttack Run(JoinAttackKind kind, int seed)
    {
        LabAttack attack = NetnsAttacks.Run(kind, seed, output.WriteLine);
        output.WriteLine(attack.ToString());
        return attack;
    }
}
