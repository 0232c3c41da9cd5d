using MptcpPrivacy.Cli.Interop;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Cli;

public class InteropCommandTests
{
    [Fact]
    public void AnUnknownCaseIsRefusedWithTheListOfCasesBeforeAnythingRuns()
    {
        var stderr = new StringWriter();
        int code = InteropCommand.Run(["no-such-case"], "both", json: false, captures: null, new MemoryStream(), stderr);
        Assert.Equal(2, code);
        Assert.Contains(Privileges.IsRoot ? "no case named 'no-such-case'; the cases are: capable-v4" : "needs root", stderr.ToString());
    }

    [Fact]
    public void AnUnknownDirectionIsRefused()
    {
        var stderr = new StringWriter();
        int code = InteropCommand.Run(["capable-v4"], "sideways", json: false, captures: null, new MemoryStream(), stderr);
        Assert.Equal(2, code);
        Assert.Contains(Privileges.IsRoot ? "--direction is both, ours-to-kernel or kernel-to-ours, not 'sideways'" : "needs root", stderr.ToString());
    }

    [Fact]
    public void OneCaseOneDirectionPrintsItsRowAndCount()
    {
        Privileges.RequireRoot("running our stack against the kernel's MPTCP");
        ExternalTool.Require("tcpdump");
        ExternalTool.Require("ethtool");
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int code = InteropCommand.Run(["capable-v4"], "kernel-to-ours", json: false, captures: null, stdout, stderr);
        string table = System.Text.Encoding.UTF8.GetString(stdout.ToArray());
        Assert.True(code == 0, stderr.ToString() + table);
        Assert.Contains("kernel -> ours", table);
        Assert.DoesNotContain("ours -> kernel", table);
        Assert.EndsWith("1 passed, 0 failed\n", table);
    }
}
