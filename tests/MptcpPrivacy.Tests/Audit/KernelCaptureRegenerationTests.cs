using MptcpPrivacy.Tests.Cli;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Tests.Wire.Mptcp;

namespace MptcpPrivacy.Tests.Audit;

/// <summary>
/// Records the Linux kernel's MPTCP anew (scripts/kernel-captures/make-captures.sh, as root, in
/// network namespaces it creates and deletes) and puts the fresh captures through the same checks
/// as the committed ones: every option round-trips, decode agrees with tshark, every token, IDSN,
/// HMAC and checksum verifies, and each scenario shows what it should.
/// </summary>
public class KernelCaptureRegenerationTests
{
    [Fact]
    public void FreshKernelCapturesPassEveryFixtureCheck()
    {
        Privileges.RequireRoot("recording the kernel's MPTCP");
        foreach (string tool in new[] { "ip", "tcpdump", "tshark", "ethtool", "iptables", "python3" })
        {
            ExternalTool.Require(tool);
        }

        string output = Path.Combine(Path.GetTempPath(), $"mptcp-kernel-captures-{Guid.NewGuid():n}");
        int scriptPid = 0;
        try
        {
            ExternalTool.Run("bash", [Path.Combine(Repository.Root, "scripts", "kernel-captures", "make-captures.sh"), output], TimeSpan.FromMinutes(6), pid => scriptPid = pid);
            List<Manifest.Capture> fresh = Manifest.Load(output);
            List<Manifest.Capture> committed = Manifest.Load(Fixtures.Path_("kernel"));
            // CI also records larger scenarios that are not committed (ciOnly in the manifest).
            Assert.Equal(committed.Select(c => c.File).Order(), fresh.Where(c => !c.CiOnly).Select(c => c.File).Order());
            Assert.Contains(fresh, c => c.CiOnly);
            foreach (Manifest.Capture capture in fresh)
            {
                string path = Path.Combine(output, capture.File);
                Assert.True(CaptureRoundTripTests.CheckEveryOption(path, capture.File) > 0, capture.File);
                TsharkAgreementTests.AssertAgrees(path, "fresh/" + capture.File);
                TsharkGroupingTests.AssertSameGrouping([path], "fresh kernel/" + capture.File);
                ObserverTests.AssertObserversLinkOnlyWhatTheySaw(path, capture.File);
                KernelCaptureChecks.Verify(path, capture);
            }
        }
        finally
        {
            // The script deletes its namespaces on exit; if it was killed (time limit), do it here.
            // Its namespaces are named "mpk<its PID>-...".
            if (scriptPid != 0)
            {
                foreach (string line in ExternalTool.Run("ip", ["netns", "list"]).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    string name = line.Split(' ')[0];
                    if (name.StartsWith($"mpk{scriptPid}-", StringComparison.Ordinal))
                    {
                        ExternalTool.Run("ip", ["netns", "del", name]);
                    }
                }
            }

            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }
}
