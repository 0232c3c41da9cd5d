using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>The per-packet paths allocate nothing (STYLE.md: no allocation on hot paths). Counts bytes, never time.</summary>
public class WireAllocationTests
{
    private static int ReadPacket(byte[] bytes)
    {
        int work = 0;
        if (IpPacket.TryParse(bytes, out IpPacket packet, out _) && TcpHeader.TryParse(packet.Payload, out TcpHeader tcp, out _))
        {
            work += tcp.IsChecksumValid(packet.Source, packet.Destination) ? 1 : 0;
            foreach (TcpOption option in tcp.ReadOptions())
            {
                work += option.Bytes.Length;
                if (TimestampsOption.TryParse(option.Bytes, out TimestampsOption ts, out _))
                {
                    work += (int)ts.Value;
                }

                if (SackOption.TryParse(option.Bytes, out SackOption sack, out _))
                {
                    work += sack.Count;
                }
            }

            work += packet.Version == 4 && packet.Ipv4.IsHeaderChecksumValid ? 1 : 0;
        }

        Span<char> text = stackalloc char[IpAddressFormatter.MaxIpv6Length];
        work += IpAddressFormatter.Format(packet.Source, text);
        work += MptcpKeys.Token(2, MptcpVersion.V1) == 0 ? 1 : 0;
        work += JoinHmac.SynAckHmac(1, 2, 3, 4, MptcpVersion.V1) == 0 ? 1 : 0;
        work += DssChecksum.Compute(1, 1, 3, bytes.AsSpan(0, 3));
        return work;
    }

    [Fact]
    public void ParsingChecksummingAndCrypto_AllocateNothing()
    {
        byte[] v4 = Hex.Bytes(WirePackets.V0Syn);
        byte[] v6 = Hex.Bytes(WirePackets.V6Tcp);
        ReadPacket(v4);
        ReadPacket(v6);

        // The runtime may allocate once while it tiers the loop up; the quietest of several rounds must be free.
        long allocated = long.MaxValue;
        int work = 0;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                work += ReadPacket(v4) + ReadPacket(v6);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.NotEqual(0, work);
        Assert.Equal(0, allocated);
    }
}
