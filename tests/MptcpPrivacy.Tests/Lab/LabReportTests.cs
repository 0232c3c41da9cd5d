using System.Text.Json;
using MptcpPrivacy.Cli.Lab;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Lab;

/// <summary>The lab's outputs: the JSON document, the HTML report (opened in headless Chromium) and the command's exit codes.</summary>
[Collection(LabCollection.Name)]
public sealed class LabReportTests(LabFixture fixture)
{
    [Fact]
    public void TheJsonDocumentCarriesEveryConfigurationAndTheTable()
    {
        using var output = new MemoryStream();
        LabJson.Write(fixture.Result, output);
        using JsonDocument json = JsonDocument.Parse(output.ToArray());
        JsonElement root = json.RootElement;
        Assert.Equal(1, root.GetProperty("seed").GetInt32());
        Assert.True(root.GetProperty("complete").GetBoolean());
        string[] names = [.. root.GetProperty("configurations").EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];
        Assert.Equal(LabConfiguration.All.Select(c => c.Name), names);
        JsonElement standard = root.GetProperty("configurations")[0];
        JsonElement hijack = standard.GetProperty("attacks").EnumerateArray().Single(a => a.GetProperty("kind").GetString() == "on-path-hijack");
        Assert.True(hijack.GetProperty("succeeded").GetBoolean());
        Assert.Equal(LabTable.Rows(fixture.Result).Count, root.GetProperty("table").GetArrayLength());
    }

    [Fact]
    public void TheTextTableHasARowPerObserverAttackAndCost()
    {
        var text = new StringWriter();
        LabTable.Write(fixture.Result, text);
        string table = text.ToString();
        foreach (LabConfiguration configuration in LabConfiguration.All)
        {
            Assert.Contains(configuration.Name, table, StringComparison.Ordinal);
        }

        Assert.Contains("on-path hijack", table, StringComparison.Ordinal);
        Assert.Contains("CPU per join", table, StringComparison.Ordinal);
        Assert.Contains("elapsed:", table, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReportOpensInHeadlessChromium()
    {
        string chromium = ExternalTool.Find("chromium") ?? (File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : null)!;
        Assert.SkipWhen(chromium is null, "chromium is not installed");
        using var dir = new TempDirectory();
        string page = LabHtml.Write(fixture.Result, dir.Path);
        string html = File.ReadAllText(page);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);

        string png = dir.File("report.png");
        ExternalTool.Run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", $"--user-data-dir={dir.File("profile")}", $"--screenshot={png}", "--window-size=1400,1000", new Uri(page).AbsoluteUri], TimeSpan.FromMinutes(2));
        Assert.True(File.Exists(png), "no screenshot");
        byte[] bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.True(bytes.Length > 10_000, $"the screenshot is {bytes.Length} bytes");
    }

    [Fact]
    public void ABadSeedIsBadInput()
    {
        using var output = new MemoryStream();
        var errors = new StringWriter();
        Assert.Equal(LabCommand.ExitBadInput, LabCommand.Run(json: false, report: null, seedText: "x", quick: true, output, errors));
        Assert.Contains("--seed", errors.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, output.Length);
    }
}
