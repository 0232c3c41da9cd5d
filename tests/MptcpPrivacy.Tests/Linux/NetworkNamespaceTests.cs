using System.Net.NetworkInformation;
using MptcpPrivacy.Linux.Namespaces;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Linux;

public class NetworkNamespaceTests
{
    [Fact]
    public void ThreadThatEnteredSeesOnlyTheNamespacesDevicesAndDeleteRemovesIt()
    {
        Privileges.RequireRoot("network namespaces");
        string name = $"mpt{Environment.ProcessId}-ns";
        using (NetworkNamespace ns = NetworkNamespace.Create(name))
        {
            ns.Exec("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1");
            string[] inside = ns.Run(() => NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name).Order().ToArray());
            Assert.Equal(["lo", "v0", "v1"], inside);
            Assert.DoesNotContain("v0", NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name));
            Assert.Contains(name, ExternalTool.Run("ip", ["netns", "list"]));
        }

        Assert.DoesNotContain(name, ExternalTool.Run("ip", ["netns", "list"]));
    }
}
