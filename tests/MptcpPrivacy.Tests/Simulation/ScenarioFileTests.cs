using System.Text;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>Scenario files and scenario options: the same scenario both ways, round trips, and errors with file, line, column and JSON path.</summary>
public class ScenarioFileTests
{
    /// <summary>The example of docs/simulate-scenarios.md.</summary>
    internal const string Example = """
        {
          // Wi-Fi behind a home NAT whose firewall strips MP_JOIN, and an LTE link that drops out.
          "description": "wifi behind a NAT, LTE down from 5 s to 8 s",
          "seed": 7,
          "duration": "30s",
          "client-to-server": "10MiB",
          "server-to-client": "1M",
          "paths": [
            { "name": "wifi", "rate": "100M", "rtt": "20ms", "loss": "1%", "reorder": "0.5%", "dup": "0.2%", "nat": true, "strip": "join" },
            { "name": "lte", "rate": "20M", "rtt": "60ms", "jitter": "5ms", "loss": "ge:1%:10%", "mtu": 1400, "down": ["5s"], "up": ["8s"] },
            "rate=10M,rtt=100ms,v6=none"
          ],
          "mobility": [
            { "at": "3s", "path": 2, "add": "203.0.113.9/24" },
            { "at": "6s", "path": 2, "remove": "203.0.113.2" },
            "at=10s,path=3,interface=down"
          ],
          "announce": ["192.0.2.2"],
          "profile": "privacy",
          "connections": 4,
        }
        """;

    /// <summary>The same scenario as options.</summary>
    internal static readonly string[] ExampleArguments =
    [
        "--description", "wifi behind a NAT, LTE down from 5 s to 8 s",
        "--seed", "7",
        "--duration=30s",
        "--client-to-server", "10MiB",
        "--server-to-client=1M",
        "--path", "name=wifi,rate=100M,rtt=20ms,loss=1%,reorder=0.5%,dup=0.2%,nat,strip=join",
        "--path", "name=lte,rate=20M,rtt=60ms,jitter=5ms,loss=ge:1%:10%,mtu=1400,down=5s,up=8s",
        "--path", "rate=10M,rtt=100ms,v6=none",
        "--mobility", "at=3s,path=2,add=203.0.113.9/24",
        "--mobility", "at=6s,path=2,remove=203.0.113.2",
        "--MOBILITY", "at=10s,path=3,interface=down",
        "--announce", "192.0.2.2",
        "--profile", "privacy",
        "--connections", "4",
    ];

    [Fact]
    public void The_example_file_reads_into_the_scenario_it_describes()
    {
        ScenarioSpec spec = ScenarioSpec.FromJson(Example, "example.json");
        Assert.Equal(7, spec.Seed);
        Assert.Equal(30_000_000_000, spec.DurationNs);
        Assert.Equal(10L << 20, spec.ClientToServerBytes);
        Assert.Equal(1_000_000, spec.ServerToClientBytes);
        Assert.Equal(3, spec.Paths.Count);
        Assert.Equal("wifi", spec.Paths[0].Name);
        Assert.True(spec.Paths[0].Nat);
        Assert.Equal(StripMode.Join, spec.Paths[0].Strip);
        Assert.Equal(new GilbertElliottLoss(0.01, 0.1), spec.Paths[1].Loss);
        Assert.Equal([new LinkStateChange(5_000_000_000, false), new LinkStateChange(8_000_000_000, true)], spec.Paths[1].LinkChanges);
        Assert.Equal(PathAddress.None, spec.Paths[2].Ipv6);
        Assert.Equal(3, spec.Mobility.Count);
        Assert.Equal(MobilityAction.InterfaceDown, spec.Mobility[2].Action);
        Assert.Equal([InterfaceAddress.Parse("192.0.2.2/32")], spec.ServerAnnouncedAddresses);
        Assert.Equal(PrivacyProfile.Privacy, spec.Profile);
        Assert.Equal(4, spec.Connections);
        Assert.Equal(
            ["192.0.2.1/25", "2001:db8::1/64", "192.0.2.2/32"],
            spec.ServerAddresses.Select(a => a.ToString()));
    }

    [Fact]
    public void The_documented_example_file_and_options_read_into_this_scenario()
    {
        string doc = File.ReadAllText(Path.Combine(Repository.Root, "docs", "simulate-scenarios.md"));
        string json = Block(doc, "```json\n");
        string options = Block(doc, "The same scenario as options:\n\n```\n");
        ScenarioSpec expected = ScenarioSpec.FromJson(Example);
        Assert.Equal(expected, ScenarioSpec.FromJson(json, "simulate-scenarios.md"));
        Assert.Equal(expected, ScenarioSpec.FromArguments(ShellWords(options)));
        Assert.Equal(PathSpec.Parse("rate=100M,rtt=20ms,loss=1%,reorder=0.5%,dup=0.2%,nat,strip=join,down=5s"), PathSpec.Parse(ShellWords(Block(doc, "The string from the issue:\n\n```\n"))[1]));
    }

    [Fact]
    public void The_file_and_the_options_give_equal_scenarios()
    {
        ScenarioSpec fromFile = ScenarioSpec.FromJson(Example);
        ScenarioSpec fromOptions = ScenarioSpec.FromArguments(ExampleArguments);
        Assert.Equal(fromFile, fromOptions);
        Assert.NotEqual(fromFile, fromOptions with { Seed = 8 });
        Assert.NotEqual(fromFile, fromOptions with { Paths = [.. fromOptions.Paths.Take(2)] });
    }

    [Fact]
    public void A_written_file_reads_back_equal_and_writes_the_same_text_again()
    {
        ScenarioSpec spec = ScenarioSpec.FromJson(Example);
        string written = spec.ToJson();
        ScenarioSpec again = ScenarioSpec.FromJson(written);
        Assert.Equal(spec, again);
        Assert.Equal(written, again.ToJson());
        Assert.Contains("\"loss\": \"ge:1%:10%\"", written);
        Assert.Contains("\"down\": [", written);
        Assert.Contains("\"nat\": true", written);
        Assert.Contains("\"mtu\": 1400", written);
        Assert.Contains("\"profile\": \"privacy\"", written);
        Assert.Contains("\"connections\": 4", written);

        ScenarioSpec defaults = new();
        Assert.Equal(defaults, ScenarioSpec.FromJson(defaults.ToJson()));
        Assert.Equal(defaults, ScenarioSpec.FromJson("{}"));
        Assert.Equal(defaults, ScenarioSpec.FromArguments([]));
    }

    [Fact]
    public void Keys_are_read_whatever_their_case_and_a_path_or_event_may_be_a_string()
    {
        ScenarioSpec spec = ScenarioSpec.FromJson("""{ "PATHS": [ { "Rate": "5M", "NAT": "198.51.100.50", "Down": "1s" }, "rate=5M,nat=203.0.113.50" ], "Mobility": [ { "AT": "1s", "Path": "1", "Interface": "down" } ] }""");
        Assert.Equal(PathSpec.Parse("rate=5M,nat=198.51.100.50,down=1s"), spec.Paths[0]);
        Assert.Equal(PathSpec.Parse("rate=5M,nat=203.0.113.50"), spec.Paths[1]);
        Assert.Equal(new MobilityEvent(1_000_000_000, 1, MobilityAction.InterfaceDown), spec.Mobility[0]);
        Assert.False(ScenarioSpec.FromJson("""{ "paths": [ { "nat": false } ] }""").Paths[0].Nat);
    }

    public static TheoryData<string, string, string?, string> BadFiles => new()
    {
        // file text, marker whose first character is where the error is (null: no position check), location, detail
        { "[]", "[", "$", "a scenario file holds one JSON object { ... }, not a list" },
        { "\"paths\"", "\"", "$", "not a string" },
        { "{ \"pahts\": [] }", "\"pahts\"", "$", "unknown top-level key \"pahts\" (did you mean \"paths\"?); known: description, seed" },
        { "{ \"seed\": 1,\n  \"Seed\": 2 }", "\"Seed\"", "$", "\"Seed\" is given twice" },
        { "{ \"paths\": [ {},\n  { \"rate\": \"5M\", \"loss\": \"abc\" } ] }", "\"abc\"", "$.paths[1].loss", "\"abc\" is not a percentage such as 1% or 0.5%" },
        { "{ \"paths\": [ { \"rtt\": 20 } ] }", "20", "$.paths[0].rtt", "\"20\" needs a unit: ns, us, ms or s (as in 20ms)" },
        { "{ \"paths\": [ { \"mtu\": \"big\" } ] }", "\"big\"", "$.paths[0].mtu", "\"big\" is not a whole number" },
        { "{ \"paths\": [ { \"down\": [\"5s\",\n 7] } ] }", "7", "$.paths[0].down[1]", "\"7\" needs a unit" },
        { "{ \"paths\": [ { \"down\": true } ] }", "true", "$.paths[0].down", "true is not a value for down (give a time such as \"5s\", or a list of them)" },
        { "{ \"paths\": [ { \"nat\": \"2001:db8::9\" } ] }", "\"2001", "$.paths[0].nat", "\"2001:db8::9\" is IPv6; the NAT is IPv4 only (NAT44)" },
        { "{ \"paths\": [ { \"rate\": null } ] }", "null", "$.paths[0].rate", "null is not a value for rate" },
        { "{ \"paths\": [ { \"loss\": [\"1%\"] } ] }", "[\"1%", "$.paths[0].loss", "a list is not a value for loss" },
        { "{ \"paths\": [ { \"rate\": \"1M\", \"RATE\": \"2M\" } ] }", "\"RATE\"", "$.paths[0]", "\"RATE\" is given twice" },
        { "{ \"paths\": [ { \"lossy\": \"1%\" } ] }", "\"lossy\"", "$.paths[0]", "unknown path key \"lossy\" (did you mean \"loss\"?)" },
        { "{ \"paths\": {} }", "{}", "$.paths", "expected a list [ ... ], not an object" },
        { "{ \"paths\": [ 5 ] }", "5", "$.paths[0]", "a path is an object such as { \"rate\": \"100M\", \"rtt\": \"20ms\" } or a string \"rate=100M,rtt=20ms\", not a number" },
        { "{ \"paths\": [ \"rate=fast\" ] }", "\"rate=fast\"", "$.paths[0]", "rate: \"fast\" is not a rate in bit/s" },
        { "{ \"paths\": [ \"mtu=1000\" ] }", "\"mtu=1000\"", "$.paths[0].mtu", "1000 is below IPv6's minimum MTU of 1280 and path 1 has an IPv6 address (add v6=none to leave it out)" },
        { "{ \"paths\": [ { \"mtu\": 1000 } ] }", "1000", "$.paths[0].mtu", "1000 is below IPv6's minimum MTU" },
        { "{ \"mobility\": [ { \"path\": 1, \"interface\": \"down\" } ] }", "{ \"path\"", "$.mobility[0]", "needs at= (when it happens, as in at=3s)" },
        { "{ \"mobility\": [ { \"at\": \"1s\", \"path\": 1, \"interface\": \"down\" },\n { \"at\": \"6s\", \"path\": 1, \"remove\": \"198.51.100.9\" } ] }", "\"198.51.100.9\"", "$.mobility[1].remove", "path 1 has no address 198.51.100.9 at 6s" },
        { "{ \"mobility\": [ { \"at\": \"1s\", \"path\": 3, \"interface\": \"down\" } ] }", "3", "$.mobility[0].path", "there is no path 3; the scenario has 1" },
        { "{ \"mobility\": [ \"at=1s,path=1\" ] }", "\"at=1s", "$.mobility[0]", "needs one of add=ADDRESS, remove=ADDRESS" },
        { "{ \"mobility\": [ true ] }", "true", "$.mobility[0]", "a mobility event is an object such as" },
        { "{ \"seed\": \"x\" }", "\"x\"", "$.seed", "\"x\" is not a whole number" },
        { "{ \"seed\": 1.5 }", "1.5", "$.seed", "\"1.5\" is not a whole number" },
        { "{ \"seed\": 99999999999 }", "9", "$.seed", "99999999999 is out of range" },
        { "{ \"seed\": true }", "true", "$.seed", "expected a number or a string, not true" },
        { "{ \"duration\": 30 }", "30", "$.duration", "expected a string with a unit such as \"20ms\", not the number 30" },
        { "{ \"duration\": \"0s\" }", "\"0s\"", "$.duration", "must be longer than 0" },
        { "{ \"client-to-server\": \"-5\" }", "\"-5\"", "$.client-to-server", "\"-5\" is not a byte count" },
        { "{ \"announce\": [\"192.0.2.300\"] }", "\"192.0.2.300\"", "$.announce[0]", "\"192.0.2.300\" is not an IPv4 address" },
        { "{ \"announce\": \"192.0.2.2\" }", "\"192.0.2.2\"", "$.announce", "expected a list [ ... ], not a string" },
        { "{ \"announce\": [\"198.51.100.9/24\"] }", "\"198.51.100.9/24\"", "$.announce[0]", "198.51.100.0/24 is also path 1's prefix; the router could not tell where to send it" },
        { "{ \"description\": 5 }", "5", "$.description", "expected a string (a note such as \"wifi and LTE, LTE drops at 5s\"), not the number 5" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Bad_files_name_the_line_column_JSON_path_and_problem(string json, string marker, string? location, string detail)
    {
        var error = Assert.Throws<ScenarioFormatException>(() => ScenarioSpec.FromJson(json, "bad.json"));
        (int line, int column) = PositionOf(json, marker);
        Assert.Equal(location, error.Location);
        Assert.Contains(detail, error.Detail);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith($"bad.json:{line}:{column}: {location}: ", error.Message);
    }

    [Theory]
    [InlineData("{\n  \"paths\": [\n    { \"rate\": \"100M\" \"rtt\": \"20ms\" }\n  ]\n}", 3)]
    [InlineData("{ \"seed\": 1 } {}", 1)]
    [InlineData("", 1)]
    [InlineData("// nothing but a comment\n", 2)]
    [InlineData("{ \"seed\": 1,\n\n \"duration\": \"5s }", 3)]
    [InlineData("{ \"seed\": 01 }", 1)]
    public void Files_that_are_not_JSON_say_so_with_the_line(string json, int line)
    {
        var error = Assert.Throws<ScenarioFormatException>(() => ScenarioSpec.FromJson(json, "bad.json"));
        Assert.StartsWith($"bad.json:{line}:", error.Message);
        Assert.Contains(": not valid JSON: ", error.Message);
        Assert.DoesNotContain("LineNumber", error.Message);
        Assert.DoesNotContain("BytePosition", error.Message);
        Assert.Equal(line, error.Line);
        Assert.True(error.Column >= 1);
    }

    [Fact]
    public void An_empty_file_and_a_syntax_error_after_wide_characters_read_plainly()
    {
        var empty = Assert.Throws<ScenarioFormatException>(() => ScenarioSpec.FromJson("  // nothing\n", "empty.json"));
        Assert.Equal("empty.json:2:1: not valid JSON: The input does not contain any JSON tokens. Expected the input to start with a valid JSON token.", empty.Message);

        string json = "{ \"description\": \"\u00e9\u00e9\u00e9\" \"seed\": 1 }";
        var syntax = Assert.Throws<ScenarioFormatException>(() => ScenarioSpec.FromJson(json));
        Assert.Equal(json.IndexOf("\"seed", StringComparison.Ordinal) + 1, syntax.Column);
    }

    [Fact]
    public void Columns_count_characters_not_bytes()
    {
        string json = "{ \"description\": \"Wi-Fi \u00e9\u00e9\", \"seed\": \"x\" }";
        var error = Assert.Throws<ScenarioFormatException>(() => ScenarioSpec.FromJson(json));
        Assert.Equal(json.IndexOf("\"x\"", StringComparison.Ordinal) + 1, error.Column);
        Assert.StartsWith("scenario:1:", error.Message);
    }

    [Fact]
    public void No_mangled_file_makes_the_reader_throw_anything_but_a_scenario_error()
    {
        // Seeded mutations of the example: flipped, dropped and doubled characters, cut-offs, and
        // nesting deeper than the JSON reader allows.
        var random = new Random(8259);
        int read = 0;
        int refused = 0;
        for (int i = 0; i < 3_000; i++)
        {
            var text = new StringBuilder(Example);
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits && text.Length > 0; e++)
            {
                int at = random.Next(text.Length);
                switch (random.Next(4))
                {
                    case 0:
                        text[at] = "{}[],:\"0123456789%.-abcdefgnstu/ \n"[random.Next(34)];
                        break;
                    case 1:
                        text.Remove(at, 1);
                        break;
                    case 2:
                        text.Insert(at, text[at]);
                        break;
                    default:
                        text.Length = at;
                        break;
                }
            }

            try
            {
                ScenarioSpec.FromJson(text.ToString());
                read++;
            }
            catch (ScenarioFormatException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Detail), $"seed 8259 case {i}");
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed 8259 case {i}: {e.GetType().Name} {e.Message}\n{text}");
            }
        }

        Assert.True(read > 100 && refused > 1_000, $"{read} read, {refused} refused");
        string deep = new string('[', 5_000) + new string(']', 5_000);
        Assert.Contains("not valid JSON", Assert.Throws<ScenarioFormatException>(() => ScenarioSpec.FromJson(deep)).Message);
    }

    public static TheoryData<string[], string> BadArguments => new()
    {
        { ["--pth", "rate=1M"], "unknown option \"--pth\" (did you mean \"--path\"?); known: --path, --mobility" },
        { ["--seed"], "--seed needs a value" },
        { ["--seed", "--path", "rate=1M"], "--seed needs a value" },
        { ["path", "rate=1M"], "\"path\" is not an option; options start with --" },
        { ["--", "x"], "\"--\" is not an option" },
        { ["--seed", "1", "--seed=2"], "--seed is given twice" },
        { ["--path", "rate=fast"], "--path #1 \"rate=fast\": rate: \"fast\" is not a rate in bit/s" },
        { ["--path", "rate=1M", "--path", "rate=1M,lss=1%"], "--path #2 \"rate=1M,lss=1%\": unknown key \"lss\" (did you mean \"loss\"?)" },
        { ["--path", "mtu=1000"], "--path #1 \"mtu=1000\": mtu: 1000 is below IPv6's minimum MTU of 1280 and path 1 has an IPv6 address (add v6=none to leave it out)" },
        { ["--mobility", "at=3s,path=1,remove=198.51.100.9"], "--mobility #1 \"at=3s,path=1,remove=198.51.100.9\": remove: path 1 has no address 198.51.100.9 at 3s" },
        { ["--mobility", "at=3s,path=1"], "--mobility #1 \"at=3s,path=1\": needs one of add=ADDRESS" },
        { ["--duration", "0"], "--duration: must be longer than 0" },
        { ["--duration", "5"], "--duration: \"5\" needs a unit" },
        { ["--client-to-server", "-5"], "--client-to-server: \"-5\" is not a byte count" },
        { ["--seed", "x"], "--seed: \"x\" is not a whole number" },
        { ["--announce", "198.51.100.9/24"], "--announce #1 \"198.51.100.9/24\": 198.51.100.0/24 is also path 1's prefix" },
        { ["--announce", "192.0.2.1"], "--announce #1 \"192.0.2.1\": the server already has 192.0.2.1" },
        { ["--announce", "nowhere"], "--announce #1 \"nowhere\": \"nowhere\" is not an IPv4 address" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_options_name_the_option_and_what_is_wrong(string[] arguments, string expected) =>
        Assert.Contains(expected, Assert.Throws<ScenarioFormatException>(() => ScenarioSpec.FromArguments(arguments)).Message);

    /// <summary>Returns the text of the code block that starts right after <paramref name="opening"/>.</summary>
    private static string Block(string doc, string opening)
    {
        int start = doc.IndexOf(opening, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no block after {opening}");
        start += opening.Length;
        return doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];
    }

    /// <summary>Splits a command line at spaces outside double quotes, as a shell would for these examples.</summary>
    private static string[] ShellWords(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool quoted = false;
        bool any = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (any)
                {
                    words.Add(word.ToString());
                }

                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }

        if (any)
        {
            words.Add(word.ToString());
        }

        return [.. words];
    }

    private static (int Line, int Column) PositionOf(string text, string marker)
    {
        int index = text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(index >= 0, $"marker {marker} not in the text");
        int line = 1 + text[..index].Count(c => c == '\n');
        int lineStart = text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        if (index == 0)
        {
            lineStart = 0;
        }

        return (line, index - lineStart + 1);
    }
}
