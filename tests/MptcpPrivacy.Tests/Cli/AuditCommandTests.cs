using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using MptcpPrivacy.Cli.Audit;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Cli;

/// <summary><c>audit</c> end to end: the JSON document the schema promises, the text report, the SVG pictures.</summary>
public class AuditCommandTests
{
    private static (int Exit, string Output, string Errors) Run(IReadOnlyList<string> paths, IReadOnlyList<string>? observers = null, bool json = true, string? svg = null)
    {
        using var output = new MemoryStream();
        using var errors = new StringWriter();
        int exit = AuditCommand.Run(paths, observers ?? [], json, svg, output, errors);
        return (exit, Encoding.UTF8.GetString(output.ToArray()), errors.ToString());
    }

    [Fact]
    public void JsonHasConnectionsSubflowsAndObserversAsDocumented()
    {
        (int exit, string output, _) = Run([Fixtures.Path_("kernel/addaddr-server-v4.pcap")]);
        Assert.Equal(AuditCommand.ExitOk, exit);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement connection = Assert.Single(doc.RootElement.GetProperty("connections").EnumerateArray());
        Assert.Equal(1, connection.GetProperty("id").GetInt32());
        JsonElement[] subflows = connection.GetProperty("subflows").EnumerateArray().ToArray();
        Assert.Equal(["initial", "join"], subflows.Select(s => s.GetProperty("role").GetString()));
        Assert.Equal("198.51.100.2", subflows[0].GetProperty("src").GetString());
        Assert.Equal("192.0.2.2", subflows[1].GetProperty("dst").GetString());
        Assert.Equal("valid", subflows[1].GetProperty("hmac").GetProperty("synAck").GetString());
        Assert.Contains(connection.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "add-addr" && e.GetProperty("hmac").GetString() == "valid");

        JsonElement[] observers = doc.RootElement.GetProperty("observers").EnumerateArray().ToArray();
        Assert.Equal(["fully-on-path", "endpoint", "path-if2", "path-if3"], observers.Select(o => o.GetProperty("name").GetString()));
        JsonElement full = observers[0].GetProperty("connections").GetProperty("1");
        JsonElement clientGroup = Assert.Single(full.GetProperty("linkedAddresses").GetProperty("client").EnumerateArray());
        Assert.Equal(["198.51.100.2", "203.0.113.2"], clientGroup.EnumerateArray().Select(a => a.GetString()));
        Assert.Contains(full.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("kind").GetString() == "add-addr");
        Assert.NotEmpty(full.GetProperty("timeline").EnumerateArray());
    }

    [Fact]
    public void TextReportHasTheTables()
    {
        (int exit, string output, _) = Run([Fixtures.Path_("kernel/join-3paths.pcap")], json: false);
        Assert.Equal(AuditCommand.ExitOk, exit);
        foreach (string heading in new[] { "Connections", "Subflows", "Checks", "What each observer links" })
        {
            Assert.Contains(heading, output, StringComparison.Ordinal);
        }

        Assert.Contains("192.0.2.130 + 198.51.100.2 + 203.0.113.2", output, StringComparison.Ordinal);
    }

    [Fact]
    public void SvgOptionWritesOneParsableTimelinePerConnection()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"svg-{Guid.NewGuid():n}");
        try
        {
            (int exit, _, _) = Run([Fixtures.Path_("kernel/many-connections.pcap")], svg: dir);
            Assert.Equal(AuditCommand.ExitOk, exit);
            string[] files = Directory.GetFiles(dir, "*.svg");
            Assert.Equal(20, files.Length);
            foreach (string file in files)
            {
                XDocument svg = XDocument.Parse(File.ReadAllText(file));
                Assert.Equal("svg", svg.Root!.Name.LocalName);
                Assert.Equal(2, svg.Descendants().Count(e => ((string?)e.Attribute("class"))?.StartsWith("span ", StringComparison.Ordinal) == true));
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public void ABadObserverSpecIsExitTwoWithTheReason()
    {
        (int exit, _, string errors) = Run([Fixtures.Path_("kernel/join-3paths.pcap")], ["wifi=if:x"]);
        Assert.Equal(AuditCommand.ExitCannotRun, exit);
        Assert.Contains("wifi=if:x", errors, StringComparison.Ordinal);
    }
}
