using System.Net;
using System.Net.Sockets;
using MptcpPrivacy.Linux.Namespaces;

namespace MptcpPrivacy.Tests.Linux;

/// <summary>The interop topology's address plan and parsers, without root.</summary>
public class TopologyPlanTests
{
    [Fact]
    public void EveryAddressIsInADocumentationPrefixAndInsideItsPathsNetwork()
    {
        var seen = new HashSet<IPAddress>();
        for (int i = 1; i <= TopologyPath.MaxPaths; i++)
        {
            TopologyPath path = TopologyPath.For(i);
            foreach (IPAddress a in new[] { path.KernelAddress4, path.StackAddress4, path.RouterAddress4 })
            {
                Assert.True(IsDocumentation(a), $"{a} is not documentation space");
                Assert.True(new IPNetwork(path.Network4, path.PrefixLength4).Contains(a), $"{a} outside path {i}");
                Assert.True(seen.Add(a), $"{a} used twice");
            }

            foreach (IPAddress a in new[] { path.KernelAddress6, path.StackAddress6, path.RouterAddress6 })
            {
                Assert.True(new IPNetwork(IPAddress.Parse("2001:db8::"), 32).Contains(a), $"{a} is not documentation space");
                Assert.True(new IPNetwork(path.Network6, path.PrefixLength6).Contains(a), $"{a} outside path {i}");
                Assert.True(seen.Add(a), $"{a} used twice");
            }

            Assert.Equal($"s{i}", path.StackDevice);
            Assert.Equal($"k{i}", path.KernelDevice);
            Assert.Equal(i + 1, path.InterfaceIndex);
            Assert.Equal(100 + i, path.RoutingTable);
            Assert.False(new IPNetwork(path.Network4, path.PrefixLength4).Contains(InteropTopology.ServiceAddress4));
        }

        Assert.True(IsDocumentation(InteropTopology.ServiceAddress4));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(-1)]
    public void ThereAreThreePathsAtMost(int number)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TopologyPath.For(number));
        Assert.Throws<ArgumentException>(() => new TopologyOptions { Paths = number }.Validate());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a-name-far-too-long")]
    [InlineData("tun/0")]
    public void BadOptionsAreRefusedBeforeAnythingIsBuilt(string tunName)
    {
        Assert.Throws<ArgumentException>(() => new TopologyOptions { TunName = tunName }.Validate());
        Assert.Throws<ArgumentException>(() => new TopologyOptions { RateBitsPerSecond = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => InteropTopology.Create(new TopologyOptions { TunName = tunName }));
    }

    [Fact]
    public void LinkCountersAreReadFromIpJsonAndBadTextIsAFormatError()
    {
        const string json = """[{"ifindex":2,"ifname":"s1","stats64":{"rx":{"bytes":10,"packets":2,"errors":0,"dropped":1,"over_errors":0,"multicast":0},"tx":{"bytes":30,"packets":4,"errors":0,"dropped":5,"carrier_errors":0,"collisions":0}}}]""";
        Assert.Equal(new LinkCounters(10, 2, 1, 30, 4, 5), LinkCounters.Parse(json));
        foreach (string bad in new[] { "", "[]", "{}", "[{\"ifname\":\"s1\"}]", json[..40], "[{\"stats64\":{\"rx\":{\"bytes\":\"x\"}}}]" })
        {
            Assert.Throws<FormatException>(() => LinkCounters.Parse(bad));
        }
    }

    [Fact]
    public void MibCountersAreFoundByTableAndName()
    {
        const string text = "TcpExt: SyncookiesSent MPTestOnly\nTcpExt: 1 2\nMPTcpExt: MPCapableSYNRX MPJoinSynRx\nMPTcpExt: 7 9\n";
        Assert.Equal(9, MibCounters.Find(text, "MPTcpExt", "MPJoinSynRx"));
        Assert.Equal(2, MibCounters.Find(text, "TcpExt", "MPTestOnly"));
        Assert.Equal(0, MibCounters.Find(text, "MPTcpExt", "Absent"));
        Assert.Throws<FormatException>(() => MibCounters.Find("MPTcpExt: A B\nMPTcpExt: 1\n", "MPTcpExt", "A"));
        Assert.Throws<FormatException>(() => MibCounters.Find("MPTcpExt: A\nMPTcpExt: x\n", "MPTcpExt", "A"));
    }

    private static bool IsDocumentation(IPAddress a) =>
        a.AddressFamily == AddressFamily.InterNetwork
        && new[] { "192.0.2.0", "198.51.100.0", "203.0.113.0" }.Any(n => new IPNetwork(IPAddress.Parse(n), 24).Contains(a));
}
