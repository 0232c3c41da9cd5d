using MptcpPrivacy.Capture;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Packets;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Wire.Mptcp;

/// <summary>Every MPTCP option of every fixture capture parses and encodes back to the same bytes.</summary>
public class CaptureRoundTripTests
{
    /// <summary>Options that are malformed on purpose, by capture and frame.</summary>
    private static readonly HashSet<(string, long)> KnownMalformed =
    [
        // tcpdump's out-of-bounds-read test: a DSS of length 3 (RFC 8684 §3.3 needs at least 4).
        ("tcpdump/mptcp-dss-oobr.pcap", 1),
    ];

    public static TheoryData<string> Captures => Fixtures.CapturesIn("tcpdump", "kernel");

    [Theory]
    [MemberData(nameof(Captures))]
    public void EveryOptionRoundTrips(string capture)
    {
        int options = CheckEveryOption(Fixtures.Path_(capture), capture);
        Assert.True(options > 0, $"{capture} has no MPTCP option");
    }

    /// <summary>Checks a capture; returns how many MPTCP options it held. Shared with the kernel regeneration test.</summary>
    internal static int CheckEveryOption(string path, string name)
    {
        int count = 0;
        Span<byte> encoded = stackalloc byte[MptcpOptionHeader.MaxLength];
        using CaptureReader reader = CaptureReader.Open(path);
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (TcpPacket.TryDecode(frame.LinkType, frame.Data, out TcpPacket packet, out _, out _) != PacketDecodeResult.Tcp)
            {
                continue;
            }

            TcpOptionReader options = packet.Tcp.ReadOptions();
            foreach (TcpOption option in options)
            {
                if (option.Kind != TcpOptionKind.Mptcp)
                {
                    continue;
                }

                count++;
                if (!MptcpOption.TryParse(option.Bytes, out MptcpOption parsed, out WireError error))
                {
                    Assert.True(KnownMalformed.Contains((name, frame.Number)), $"{name} frame {frame.Number}: {Convert.ToHexString(option.Bytes)} does not parse: {error}");
                    continue;
                }

                int n = parsed.Encode(encoded);
                Assert.True(encoded[..n].SequenceEqual(option.Bytes), $"{name} frame {frame.Number}: {Convert.ToHexString(option.Bytes)} encodes as {Convert.ToHexString(encoded[..n])}");
            }

            Assert.Equal(WireError.None, options.Error);
        }

        Assert.Null(reader.Error);
        return count;
    }
}
