using MptcpPrivacy.Cli.Lab;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;

namespace MptcpPrivacy.Tests.Lab;

/// <summary>The lab's handover run on its own, with an event budget: the column that first hung the lab.</summary>
public sealed class LabHandoverTests
{
    [Fact]
    public void TheMobileUsersHandoverRunEndsWithinAnEventBudget()
    {
        // Connections that end while a handover's old subflow drains left the policy's deadline
        // due for ever (the connection kept reporting it after leaving Established), and the
        // simulator polled the host at that instant without end. The budget turns a hang into a failure.
        LabConfiguration handover = LabConfiguration.All.Single(c => c.Name == "standard/handover");
        ScenarioSpec spec = LabScenario.Passive(seed: 1, handover.Profile, connections: 10, bytes: 300_000);
        MptcpOptions options = handover.Options(spec);
        ScenarioResult result = ScenarioRunner.Run(spec, null, options, options, maxEvents: 2_000_000);

        Assert.NotEqual(RunOutcome.EventLimit, result.Outcome);
        Assert.True(result.Success, $"{result.Outcome} after {result.SimulatorEvents} events");
    }
}
