using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Cli.Decode;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Packets;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Robustness;

/// <summary>
/// A seeded mutation loop over the packets of the real captures (STYLE.md, "Tests"): one million
/// mutated frames through every layer (link, IP, TCP, option walk, every MPTCP parser, the decode
/// printer and the audit's connection tracker). Nothing may throw; every option that parses must
/// encode back to its own bytes. The seed is in the failure message.
/// </summary>
public class MutationLoopTests
{
    private const int Inputs = 1_000_000;

    [Fact]
    public void OneMillionMutatedCapturePacketsNeverCrash()
    {
        List<CapturedPackets.Frame> seeds = CapturedPackets.Load();
        Assert.True(seeds.Count > 100, $"only {seeds.Count} seed frames");
        int seed = Environment.GetEnvironmentVariable("MUTATION_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 20261122;
        var random = new Random(seed);
        var printer = new PacketPrinter(Stream.Null, json: true, framesHaveInterfaces: true);
        var textPrinter = new PacketPrinter(Stream.Null, json: false, framesHaveInterfaces: false);
        var tracker = new ConnectionTracker();
        byte[] buffer = new byte[70_000];
        Span<byte> encoded = stackalloc byte[MptcpOptionHeader.MaxLength];
        long tcpPackets = 0, mptcpOptions = 0, parsedOptions = 0;
        for (int i = 0; i < Inputs; i++)
        {
            CapturedPackets.Frame frame = seeds[random.Next(seeds.Count)];
            int length = Mutate(frame.Data, buffer, random);
            ReadOnlySpan<byte> input = buffer.AsSpan(0, length);
            try
            {
                if (TcpPacket.TryDecode(frame.LinkType, input, out TcpPacket packet, out _, out _) != PacketDecodeResult.Tcp)
                {
                    continue;
                }

                tcpPackets++;
                foreach (TcpOption option in packet.Tcp.ReadOptions())
                {
                    if (option.Kind != TcpOptionKind.Mptcp)
                    {
                        continue;
                    }

                    mptcpOptions++;
                    if (MptcpOption.TryParse(option.Bytes, out MptcpOption parsed, out WireError error))
                    {
                        parsedOptions++;
                        int n = parsed.Encode(encoded);
                        if (!encoded[..n].SequenceEqual(option.Bytes))
                        {
                            Assert.Fail($"seed {seed}, input {i} ({frame.Capture} frame {frame.Number}): option {Convert.ToHexString(option.Bytes)} encodes back as {Convert.ToHexString(encoded[..n])}");
                        }
                    }
                    else
                    {
                        Assert.NotEqual(WireError.None, error);
                    }
                }

                printer.Print(i, i, 0, in packet, out _);
                textPrinter.Print(i, i, 0, in packet, out _);
                tracker.Observe(in packet, i, i, 0);
                if (i % 20_000 == 0)
                {
                    tracker.Finish();
                    tracker = new ConnectionTracker();
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"seed {seed}, input {i} ({frame.Capture} frame {frame.Number}) threw: {e}\ninput: {Convert.ToHexString(input)}");
            }
        }

        tracker.Finish();
        // Guards the loop itself: most inputs must reach TCP and MPTCP parsing, or it tests nothing.
        Assert.True(tcpPackets > Inputs / 4, $"only {tcpPackets} inputs reached TCP");
        Assert.True(mptcpOptions > Inputs / 10, $"only {mptcpOptions} MPTCP options reached");
        Assert.True(parsedOptions > mptcpOptions / 10, $"only {parsedOptions} of {mptcpOptions} options parsed");
    }

    /// <summary>Copies <paramref name="original"/> into <paramref name="buffer"/> with one to three mutations; returns the length.</summary>
    private static int Mutate(byte[] original, byte[] buffer, Random random)
    {
        int length = Math.Min(original.Length, buffer.Length - 64);
        original.AsSpan(0, length).CopyTo(buffer);
        int mutations = 1 + random.Next(3);
        for (int m = 0; m < mutations && length > 0; m++)
        {
            switch (random.Next(6))
            {
                case 0:
                    buffer[random.Next(length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    buffer[random.Next(length)] = (byte)random.Next(256);
                    break;
                case 2:
                    length = random.Next(length + 1);
                    break;
                case 3:
                {
                    // Plant an MPTCP-looking option somewhere: kind 30, a plausible length, any subtype.
                    int at = random.Next(length);
                    int size = Math.Min(2 + random.Next(40), length - at);
                    random.NextBytes(buffer.AsSpan(at, size));
                    buffer[at] = 30;
                    if (size > 1) buffer[at + 1] = (byte)random.Next(42);
                    break;
                }

                case 4:
                {
                    // Rewrite one byte near the start, where the length fields of every header live.
                    int at = random.Next(Math.Min(length, 80));
                    buffer[at] = (byte)random.Next(256);
                    break;
                }

                default:
                {
                    // Insert or delete a few bytes, shifting every later field.
                    int at = random.Next(length);
                    int shift = random.Next(1, 5);
                    if (random.Next(2) == 0 && length + shift < buffer.Length)
                    {
                        buffer.AsSpan(at, length - at).CopyTo(buffer.AsSpan(at + shift));
                        random.NextBytes(buffer.AsSpan(at, shift));
                        length += shift;
                    }
                    else if (at + shift <= length)
                    {
                        buffer.AsSpan(at + shift, length - at - shift).CopyTo(buffer.AsSpan(at));
                        length -= shift;
                    }

                    break;
                }
            }
        }

        return length;
    }
}
