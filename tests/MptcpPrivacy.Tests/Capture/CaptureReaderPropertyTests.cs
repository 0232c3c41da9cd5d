using FsCheck;
using FsCheck.Fluent;
using MptcpPrivacy.Capture;
using static MptcpPrivacy.Tests.Capture.CaptureTestFiles;

using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Tests.Capture;

public class CaptureReaderPropertyTests
{
    private static readonly string[] Fixtures =
    [
        Fixture("tcpdump", "mptcp-aa-echo.pcap"),
        Fixture("tcpdump", "mptcp-aa-v1.pcap"),
        Fixture("tcpdump", "mptcp-dss-oobr.pcap"),
        Fixture("tcpdump", "mptcp-fclose.pcap"),
        Fixture("tcpdump", "mptcp-tcprst.pcap"),
        Fixture("tcpdump", "mptcp-v1.pcap"),
        Fixture("capture", "dumpcap-lo-udp.pcapng"),
        Fixture("capture", "merged-raw-sll.pcapng"),
        Fixture("capture", "tcprst-modified.pcap"),
        Fixture("capture", "tcprst-nsec.pcapng"),
    ];

    [Fact]
    public void Arbitrary_bytes_never_throw()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => IsWellBehaved(bytes ?? [])));
    }

    [Fact]
    public void Arbitrary_bytes_after_a_valid_header_never_throw()
    {
        var pcapHeader = Hex("d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000");
        var pcapngHeader = Hex("0a0d0d0a 1c000000 4d3c2b1a 01000000 ffffffffffffffff 1c000000 01000000 14000000 0100 0000 00000000 14000000");
        var pcapngBigEndianHeader = Hex("0a0d0d0a 0000001c 1a2b3c4d 00010000 ffffffffffffffff 0000001c");
        var headers = Gen.Elements(pcapHeader, pcapngHeader, pcapngBigEndianHeader);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(3000),
            Prop.ForAll(Arb.From(headers), ArbMap.Default.ArbFor<byte[]>(), (header, tail) => IsWellBehaved([.. header, .. tail ?? []])));
    }

    [Fact]
    public void Seeded_mutations_of_real_captures_never_throw()
    {
        const int seed = 20251122;
        var random = new Random(seed);
        foreach (var path in Fixtures)
        {
            var original = File.ReadAllBytes(path);
            for (var iteration = 0; iteration < 400; iteration++)
            {
                var mutated = (byte[])original.Clone();
                var edits = random.Next(1, 5);
                for (var e = 0; e < edits; e++)
                {
                    // Bias toward the header and length fields, where damage changes the reading most.
                    var at = random.Next(2) == 0 ? random.Next(Math.Min(64, mutated.Length)) : random.Next(mutated.Length);
                    mutated[at] = random.Next(3) switch
                    {
                        0 => (byte)random.Next(256),
                        1 => (byte)(mutated[at] ^ (1 << random.Next(8))),
                        _ => 0xFF,
                    };
                }

                if (random.Next(4) == 0)
                {
                    mutated = mutated[..random.Next(mutated.Length)];
                }

                try
                {
                    Assert.True(IsWellBehaved(mutated));
                }
                catch (Exception exception)
                {
                    throw new Xunit.Sdk.XunitException($"seed {seed}, file {Path.GetFileName(path)}, iteration {iteration}: {exception}");
                }
            }
        }
    }

    [Fact]
    public void Reading_packets_allocates_nothing()
    {
        foreach (var pcapng in new[] { false, true })
        {
            var file = ManyPackets(pcapng);

            // The runtime may allocate on this thread while it tiers up or switches a running loop to
            // optimised code (on-stack replacement), once; a reader that allocates per packet does so
            // on every pass. So: several passes, and the quietest must allocate nothing.
            long fewest = long.MaxValue;
            for (var pass = 0; pass < 5; pass++)
            {
                fewest = Math.Min(fewest, AllocatedWhileReading(file));
            }

            Assert.Equal(0, fewest);
        }
    }

    private static long AllocatedWhileReading(byte[] file)
    {
        using var reader = CaptureReader.Open(new MemoryStream(file));

        // The first packet pays for the interface description; every later one must be free.
        Assert.True(reader.TryReadNext(out _));
        var before = GC.GetAllocatedBytesForCurrentThread();
        long bytes = 0;
        while (reader.TryReadNext(out var frame))
        {
            bytes += frame.Data.Length + frame.TimestampNanoseconds;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Null(reader.Error);
        Assert.True(bytes > 0);
        return allocated;
    }

    [Fact]
    public void Writing_packets_allocates_nothing()
    {
        var data = new byte[100];
        var pcapStream = new MemoryStream(capacity: 1 << 20);
        var pcapngStream = new MemoryStream(capacity: 1 << 20);
        using var pcap = new PcapWriter(pcapStream, LinkType.Raw);
        using var pcapng = new PcapngWriter(pcapngStream);
        var id = pcapng.AddInterface(LinkType.Raw, name: "x");
        pcap.Write(1, data);
        pcapng.WriteEnhancedPacket(id, 1, data);

        // As for reading: the runtime may allocate once while tiering up; the quietest of several rounds must be free.
        long allocated = long.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                pcap.Write(i, data.AsSpan(0, i % 100));
                pcapng.WriteEnhancedPacket(id, i, data.AsSpan(0, i % 100));
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, allocated);
    }

    private static byte[] ManyPackets(bool pcapng)
    {
        var stream = new MemoryStream();
        var data = new byte[1500];
        if (pcapng)
        {
            using var writer = new PcapngWriter(stream, leaveOpen: true);
            var id = writer.AddInterface(LinkType.Ethernet, name: "eth0");
            for (var i = 0; i < 2000; i++)
            {
                writer.WriteEnhancedPacket(id, i * 1000L, data.AsSpan(0, 40 + (i % 1400)));
            }
        }
        else
        {
            using var writer = new PcapWriter(stream, LinkType.Ethernet, leaveOpen: true);
            for (var i = 0; i < 2000; i++)
            {
                writer.Write(i * 1000L, data.AsSpan(0, 40 + (i % 1400)));
            }
        }

        return stream.ToArray();
    }

    /// <summary>Reads everything; true if the reader kept its promises. Throws if the reader threw.</summary>
    private static bool IsWellBehaved(byte[] bytes)
    {
        var result = ReadAll(bytes);
        var numbered = result.Frames.Select((f, i) => f.Number == i + 1).All(ok => ok);
        var offsetsRise = result.Frames.Zip(result.Frames.Skip(1)).All(p => p.First.ByteOffset < p.Second.ByteOffset);
        var withinFile = result.Frames.All(f => f.ByteOffset >= 0 && f.ByteOffset + f.Data.Length <= bytes.Length);
        var errorSane = result.Error is null
            || (result.Error.ByteOffset >= 0 && result.Error.ByteOffset <= bytes.Length && result.Error.FrameNumber == result.Frames.Count + 1);
        return numbered && offsetsRise && withinFile && errorSane;
    }
}
