using System.Globalization;
using System.Text.Json;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Cli;

/// <summary>
/// <c>decode --json</c> against tshark on every fixture capture: the same frames carry MPTCP options,
/// and every field both tools show has the same values. Where tshark shows nothing for a field
/// (for example DSS checksums, which tshark 4.0 does not display) it is not compared; where tshark
/// is wrong, a test in <see cref="TsharkDisagreementTests"/> pins the bytes instead.
/// </summary>
public class TsharkAgreementTests
{
    /// <summary>The tshark fields compared, in the order they are requested.</summary>
    private static readonly string[] Fields =
    [
        "subtype", "version", "flags", "sendkey", "recvkey", "recvtok", "sendrand", "sendtrunchmac", "sendhmac",
        "addrid", "ipv4", "ipv6", "port", "echo", "addaddrtrunchmac", "rawdataack", "rawdataseqno", "subflowseqno",
        "datalvllen", "checksum", "rst_reason", "backup.flag", "datafin.flag", "ipver",
    ];

    public static TheoryData<string> Captures => Fixtures.CapturesIn("tcpdump", "kernel", "capture");

    [Theory]
    [MemberData(nameof(Captures))]
    public void DecodeAgreesWithTshark(string capture) => AssertAgrees(Fixtures.Path_(capture), capture);

    /// <summary>Compares decode with tshark on one capture; shared with the kernel regeneration test.</summary>
    internal static void AssertAgrees(string path, string capture)
    {
        string tshark = ExternalTool.Require("tshark");

        Dictionary<long, Dictionary<string, List<string>>> theirs = ReadTshark(tshark, path);
        Dictionary<long, Dictionary<string, List<string>>> ours = DecodeRunner.Run(path).Packets
            .ToDictionary(p => p.GetProperty("frame").GetInt64(), ToTsharkFields);

        if (!capture.StartsWith("capture", StringComparison.Ordinal))
        {
            Assert.NotEmpty(theirs); // guards the comparison: the MPTCP fixtures must give tshark something to show
        }

        Assert.Equal(theirs.Keys.Order(), ours.Keys.Order());
        var disagreements = new List<string>();
        foreach ((long frame, Dictionary<string, List<string>> fields) in theirs)
        {
            foreach ((string field, List<string> values) in fields)
            {
                if (values.Count == 0 || TsharkDisagreementTests.Excused(capture, frame, field))
                {
                    continue;
                }

                List<string> mine = ours[frame].GetValueOrDefault(field) ?? [];
                if (!mine.SequenceEqual(values))
                {
                    disagreements.Add($"frame {frame} {field}: tshark [{string.Join('|', values)}] decode [{string.Join('|', mine)}]");
                }
            }
        }

        Assert.True(disagreements.Count == 0, $"{capture}:\n" + string.Join('\n', disagreements.Take(30)));
    }

    private static Dictionary<long, Dictionary<string, List<string>>> ReadTshark(string tshark, string path)
    {
        var arguments = new List<string>
        {
            "-r", path, "-n", "-Y", "tcp.option_kind == 30", "-T", "fields",
            "-E", "occurrence=a", "-E", "aggregator=|", "-E", "separator=/t", "-e", "frame.number",
        };
        foreach (string field in Fields)
        {
            arguments.Add("-e");
            arguments.Add("tcp.options.mptcp." + field);
        }

        var frames = new Dictionary<long, Dictionary<string, List<string>>>();
        foreach (string line in ExternalTool.Run(tshark, arguments).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] columns = line.Split('\t');
            var fields = new Dictionary<string, List<string>>();
            for (int i = 0; i < Fields.Length; i++)
            {
                string column = i + 1 < columns.Length ? columns[i + 1] : "";
                fields[Fields[i]] = column.Length == 0 ? [] : column.Split('|').ToList();
            }

            frames[long.Parse(columns[0], CultureInfo.InvariantCulture)] = fields;
        }

        return frames;
    }

    /// <summary>Maps one packet of <c>decode --json</c> to tshark's field names and value formats.</summary>
    private static Dictionary<string, List<string>> ToTsharkFields(JsonElement packet)
    {
        var fields = new Dictionary<string, List<string>>();
        void Add(string field, string value)
        {
            if (!fields.TryGetValue(field, out List<string>? list))
            {
                fields[field] = list = [];
            }

            list.Add(value);
        }

        string Dec(JsonElement o, string name) => o.GetProperty(name).GetRawText();
        string HexToDec(JsonElement o, string name) => ulong.Parse(o.GetProperty(name).GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        string Hex2(ulong value) => "0x" + value.ToString("x2", CultureInfo.InvariantCulture);
        string Bit(JsonElement o, string name) => o.GetProperty(name).GetBoolean() ? "1" : "0";
        bool Has(JsonElement o, string name) => o.TryGetProperty(name, out _);

        foreach (JsonElement o in packet.GetProperty("options").EnumerateArray())
        {
            if (Has(o, "error"))
            {
                if (Has(o, "subtypeValue"))
                {
                    Add("subtype", Dec(o, "subtypeValue"));
                }

                continue;
            }

            string subtype = o.GetProperty("subtype").GetString()!;
            switch (subtype)
            {
                case "MP_CAPABLE":
                    Add("subtype", "0");
                    Add("version", Dec(o, "version"));
                    Add("flags", Hex2(o.GetProperty("flags").GetUInt64()));
                    if (Has(o, "senderKey")) Add("sendkey", HexToDec(o, "senderKey"));
                    if (Has(o, "receiverKey")) Add("recvkey", HexToDec(o, "receiverKey"));
                    if (Has(o, "dataLength")) Add("datalvllen", Dec(o, "dataLength"));
                    if (Has(o, "checksum")) Add("checksum", "0x" + o.GetProperty("checksum").GetString());
                    break;
                case "MP_JOIN":
                    Add("subtype", "1");
                    string form = o.GetProperty("form").GetString()!;
                    if (form != "ACK")
                    {
                        // tshark's "flags" for MP_JOIN is the whole subtype byte.
                        Add("flags", Hex2(0x10u | (o.GetProperty("backup").GetBoolean() ? 1u : 0u)));
                        Add("backup.flag", Bit(o, "backup"));
                        Add("addrid", Dec(o, "addressId"));
                        Add("sendrand", HexToDec(o, "nonce"));
                    }

                    if (form == "SYN") Add("recvtok", HexToDec(o, "token"));
                    if (form == "SYN/ACK") Add("sendtrunchmac", HexToDec(o, "hmac"));
                    if (form == "ACK") Add("sendhmac", o.GetProperty("hmac").GetString()!);
                    break;
                case "DSS":
                    Add("subtype", "2");
                    Add("flags", Hex2(o.GetProperty("flags").GetUInt64()));
                    Add("datafin.flag", Bit(o, "dataFin"));
                    if (Has(o, "dataAck")) Add("rawdataack", Dec(o, "dataAck"));
                    if (Has(o, "dsn"))
                    {
                        Add("rawdataseqno", Dec(o, "dsn"));
                        Add("subflowseqno", Dec(o, "ssn"));
                        Add("datalvllen", Dec(o, "dataLength"));
                    }

                    if (Has(o, "checksum")) Add("checksum", "0x" + o.GetProperty("checksum").GetString());
                    break;
                case "ADD_ADDR":
                    Add("subtype", "3");
                    if (Has(o, "version"))
                    {
                        Add("ipver", o.GetProperty("address").GetString()!.Contains(':') ? "6" : "4");
                    }
                    else
                    {
                        Add("echo", Bit(o, "echo"));
                    }

                    Add("addrid", Dec(o, "addressId"));
                    string address = o.GetProperty("address").GetString()!;
                    Add(address.Contains(':') ? "ipv6" : "ipv4", address);
                    if (Has(o, "port")) Add("port", Dec(o, "port"));
                    if (Has(o, "hmac")) Add("addaddrtrunchmac", HexToDec(o, "hmac"));
                    break;
                case "REMOVE_ADDR":
                    Add("subtype", "4");
                    foreach (JsonElement id in o.GetProperty("addressIds").EnumerateArray())
                    {
                        Add("addrid", id.GetRawText());
                    }

                    break;
                case "MP_PRIO":
                    Add("subtype", "5");
                    // tshark's "flags" for MP_PRIO is the whole subtype byte.
                    Add("flags", Hex2(0x50u | (o.GetProperty("backup").GetBoolean() ? 1u : 0u)));
                    Add("backup.flag", Bit(o, "backup"));
                    if (Has(o, "addressId")) Add("addrid", Dec(o, "addressId"));
                    break;
                case "MP_FAIL":
                    Add("subtype", "6");
                    Add("rawdataseqno", Dec(o, "dsn"));
                    break;
                case "MP_FASTCLOSE":
                    Add("subtype", "7");
                    Add("recvkey", HexToDec(o, "receiverKey"));
                    break;
                case "MP_TCPRST":
                    Add("subtype", "8");
                    // tshark's "flags" for MP_TCPRST is the whole subtype byte.
                    Add("flags", Hex2(0x80u | o.GetProperty("flags").GetUInt64()));
                    Add("rst_reason", Hex2(o.GetProperty("reason").GetUInt64()));
                    break;
                default:
                    Add("subtype", "15");
                    break;
            }
        }

        return fields;
    }
}
