using BenchmarkDotNet.Attributes;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Benchmarks.Wire;

/// <summary>Reading an IPv4 TCP segment as the analysis does: IP view, TCP view, checksum, option walk. Should show 0 B allocated.</summary>
[MemoryDiagnoser]
public class PacketParseBenchmarks
{
    // tcpdump tests/mptcp-v0.pcap frame 1 (IP layer): MP_CAPABLE SYN with MSS, SACK-Permitted, Timestamps, NOP, WS.
    private readonly byte[] _packet = Convert.FromHexString(
        "4500004832e940004006f1c00a0201020a0101028c790016ad98935900000000d0023908da990000" +
        "020405b40402080affffa1b000000000010303061e0c00819c9eabd1e46a33b2");

    [Benchmark]
    public int IpTcpChecksumAndOptions()
    {
        if (!IpPacket.TryParse(_packet, out IpPacket ip, out _) || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _))
        {
            return -1;
        }

        int result = tcp.IsChecksumValid(ip.Source, ip.Destination) ? 1 : 0;
        foreach (TcpOption option in tcp.ReadOptions())
        {
            result += (int)option.Kind;
        }

        return result;
    }
}
