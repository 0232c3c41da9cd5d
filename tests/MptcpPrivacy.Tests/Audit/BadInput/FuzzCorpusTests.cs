using System.Globalization;
using System.Text;
using System.Text.Json;
using MptcpPrivacy.Audit;
using MptcpPrivacy.Audit.Reporting;
using MptcpPrivacy.Cli.Audit;
using MptcpPrivacy.Tests.Support;

namespace MptcpPrivacy.Tests.Audit.BadInput;

/// <summary>
/// Whole-file mutations of the kernel captures (bit flips, truncations, duplicated and removed ranges)
/// through the audit, library and command: nothing throws, the exit code agrees with the report, and
/// whenever a report is printed (exit 0 or 1) its JSON parses. The seed is in every failure message;
/// set FUZZ_SEED to replay another.
/// </summary>
public class FuzzCorpusTests
{
    private const int Mutations = 2_000;

    [Fact]
    public void MutatedKernelCapturesNeverBreakTheAudit()
    {
        string[] names = [.. Fixtures.CaptureFiles("kernel")];
        Assert.True(names.Length >= 10, $"only {names.Length} kernel captures");
        byte[][] originals = [.. names.Select(n => File.ReadAllBytes(Fixtures.Path_(n)))];
        int seed = Environment.GetEnvironmentVariable("FUZZ_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 20261123;
        var random = new Random(seed);
        using var dir = new TempDirectory();
        string path = dir.File("mutated.pcap");
        var exits = new int[3];
        long connections = 0;
        for (int i = 0; i < Mutations; i++)
        {
            int which = random.Next(originals.Length);
            (byte[] bytes, string how) = Mutate(originals[which], random);
            File.WriteAllBytes(path, bytes);
            string context = $"seed {seed}, mutation {i} of {names[which]} ({how})";
            try
            {
                AuditReport report = AuditRun.Run([path], []);
                AuditText.Write(report, TextWriter.Null);
                connections += report.Global.Connections.Count;

                using var output = new MemoryStream();
                using var errors = new StringWriter(CultureInfo.InvariantCulture);
                // Every 25th run also renders the SVG timelines.
                string? svg = i % 25 == 0 ? dir.File($"svg-{i}") : null;
                int code = AuditCommand.Run([path], [], json: true, svg, output, errors);
                Assert.True(code is >= 0 and <= 2, $"{context}: exit code {code}");
                exits[code]++;
                Assert.True((code == AuditCommand.ExitOk) == report.Complete, $"{context}: exit code {code} but the report is {(report.Complete ? "" : "not ")}complete");
                if (code == AuditCommand.ExitCannotRun)
                {
                    Assert.True(errors.ToString().Length > 0, $"{context}: exit code 2 without a message");
                    continue;
                }

                using JsonDocument json = JsonDocument.Parse(output.ToArray());
                JsonElement file = json.RootElement.GetProperty("files")[0];
                Assert.Equal(report.Global.Connections.Count, json.RootElement.GetProperty("connections").GetArrayLength());
                if (code == AuditCommand.ExitDamaged)
                {
                    long frame = file.GetProperty("error").GetProperty("frame").GetInt64();
                    Assert.True(errors.ToString().Contains($"(frame {frame})", StringComparison.Ordinal), $"{context}: no message names frame {frame}: {errors}");
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"{context} threw: {e}");
            }
        }

        // Guards the loop itself: it must reach both whole and damaged files, and real connections.
        string summary = $"exit codes 0/1/2: {exits[0]}/{exits[1]}/{exits[2]}, {connections} connections";
        Assert.True(exits[0] > Mutations / 20, summary);
        Assert.True(exits[1] > Mutations / 5, summary);
        Assert.True(connections > Mutations, summary);
    }

    /// <summary>Applies one to three whole-file mutations; returns the bytes and what was done.</summary>
    private static (byte[] Bytes, string How) Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var how = new StringBuilder();
        int count = 1 + random.Next(3);
        for (int m = 0; m < count && bytes.Count > 0; m++)
        {
            switch (random.Next(4))
            {
                case 0:
                {
                    int flips = 1 + random.Next(16);
                    for (int f = 0; f < flips; f++)
                    {
                        int at = random.Next(bytes.Count);
                        bytes[at] ^= (byte)(1 << random.Next(8));
                    }

                    how.Append(CultureInfo.InvariantCulture, $"{flips} bit flips; ");
                    break;
                }

                case 1:
                {
                    int length = random.Next(bytes.Count);
                    bytes.RemoveRange(length, bytes.Count - length);
                    how.Append(CultureInfo.InvariantCulture, $"truncated to {length}; ");
                    break;
                }

                case 2:
                {
                    int from = random.Next(bytes.Count);
                    int length = Math.Min(1 + random.Next(2_000), bytes.Count - from);
                    int to = random.Next(bytes.Count + 1);
                    bytes.InsertRange(to, bytes.GetRange(from, length));
                    how.Append(CultureInfo.InvariantCulture, $"{length} bytes from {from} copied to {to}; ");
                    break;
                }

                default:
                {
                    int from = random.Next(bytes.Count);
                    int length = Math.Min(1 + random.Next(2_000), bytes.Count - from);
                    bytes.RemoveRange(from, length);
                    how.Append(CultureInfo.InvariantCulture, $"{length} bytes removed at {from}; ");
                    break;
                }
            }
        }

        return ([.. bytes], how.ToString().TrimEnd(' ', ';'));
    }
}
