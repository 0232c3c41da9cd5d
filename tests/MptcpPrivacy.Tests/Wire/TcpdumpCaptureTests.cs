using System.Buffers.Binary;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Crypto;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>
/// Real packets of the tcpdump test captures (tests/fixtures/tcpdump, described in mptcp-vectors.md §3):
/// IPv4 header checksums, TCP checksums, DSS checksums and MP_JOIN / ADD_ADDR HMACs on the bytes as
/// captured. MPTCP options are sliced by hand here; their codec is tested elsewhere.
/// </summary>
public class TcpdumpCaptureTests
{
    private sealed record Segment(int Frame, byte[] Source, byte[] Destination, byte[] Tcp, bool Ipv4ChecksumValid)
    {
        public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(Tcp);

        public int Flags => Tcp[13];

        public byte[] Payload => Tcp[((Tcp[12] >> 4) * 4)..];

        /// <summary>The first MPTCP option (kind 30) of the given subtype, whole; null when there is none.</summary>
        public byte[]? Mptcp(int subtype)
        {
            Assert.True(TcpHeader.TryParse(Tcp, out TcpHeader header, out _));
            foreach (TcpOption option in header.ReadOptions())
            {
                if (option.Kind == TcpOptionKind.Mptcp && option.Bytes.Length > 2 && option.Bytes[2] >> 4 == subtype)
                {
                    return option.Bytes.ToArray();
                }
            }

            return null;
        }
    }

    private static List<Segment> TcpSegments(string capture)
    {
        var segments = new List<Segment>();
        foreach ((int frame, byte[] bytes) in PcapFixture.ReadIpPackets(capture))
        {
            Assert.True(IpPacket.TryParse(bytes, out IpPacket packet, out WireError error), $"frame {frame}: {error}");
            Assert.False(packet.IsTruncated);
            if (packet.Protocol == IpProtocol.Tcp)
            {
                segments.Add(new Segment(frame, packet.Source.ToArray(), packet.Destination.ToArray(), packet.Payload.ToArray(), packet.Version == 4 && packet.Ipv4.IsHeaderChecksumValid));
            }
        }

        return segments;
    }

    [Theory]
    // tshark 4.0.17 with checksum validation: every IPv4 and TCP checksum of these captures is "Good".
    [InlineData("mptcp-v0.pcap", 264)]
    [InlineData("mptcp-fclose.pcap", 9)]
    [InlineData("mptcp-tcprst.pcap", 2)]
    public void EveryIpv4AndTcpChecksum_IsValid(string capture, int segments)
    {
        List<Segment> all = TcpSegments(capture);
        Assert.Equal(segments, all.Count);
        foreach (Segment s in all)
        {
            Assert.True(s.Ipv4ChecksumValid, $"frame {s.Frame}");
            Assert.True(TcpChecksum.IsValid(s.Source, s.Destination, s.Tcp), $"frame {s.Frame}");
            Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(s.Tcp.AsSpan(16)), TcpChecksum.Compute(s.Source, s.Destination, s.Tcp));
        }
    }

    [Theory]
    // Captured on loopback with checksum offload: tshark calls every TCP checksum "Bad". The field
    // holds what Linux leaves for the NIC (CHECKSUM_PARTIAL): the folded pseudo-header sum.
    [InlineData("mptcp-v1.pcap", 20)]
    [InlineData("mptcp-aa-v1.pcap", 22)]
    [InlineData("mptcp-aa-echo.pcap", 2)]
    public void LoopbackOffloadCaptures_CarryOnlyThePseudoHeaderSum(string capture, int segments)
    {
        List<Segment> all = TcpSegments(capture);
        Assert.Equal(segments, all.Count);
        foreach (Segment s in all)
        {
            Assert.True(s.Ipv4ChecksumValid, $"frame {s.Frame}");
            Assert.False(TcpChecksum.IsValid(s.Source, s.Destination, s.Tcp), $"frame {s.Frame}");
            ushort partial = (ushort)~PseudoHeader.Start(s.Source, s.Destination, 6, s.Tcp.Length).Finish();
            Assert.Equal(partial, BinaryPrimitives.ReadUInt16BigEndian(s.Tcp.AsSpan(16)));
        }
    }

    /// <summary>Keys from the client's MP_CAPABLE third ACK, which carries both in v0 and v1: sender's (client's) at offset 4, receiver's (server's) at 12.</summary>
    private static (ulong Client, ulong Server, ushort ServerPort) Keys(List<Segment> segments)
    {
        Segment ack = segments.First(s => s.Flags == 0x10 && s.Mptcp(0) is { Length: >= 20 });
        byte[] option = ack.Mptcp(0)!;
        return (BinaryPrimitives.ReadUInt64BigEndian(option.AsSpan(4)),
                BinaryPrimitives.ReadUInt64BigEndian(option.AsSpan(12)),
                BinaryPrimitives.ReadUInt16BigEndian(ack.Tcp.AsSpan(2)));
    }

    [Theory]
    // mptcp-vectors.md §3.1: "All 153 DSS checksums were recomputed in this capture; every one matches, including both DATA_FIN ones."
    [InlineData("mptcp-v0.pcap", 153, 2)]
    [InlineData("mptcp-fclose.pcap", 2, 0)]
    public void Rfc6824_DssChecksums_OfWholeCapture_AreValid(string capture, int checksums, int dataFins)
    {
        List<Segment> segments = TcpSegments(capture);
        (ulong client, ulong server, ushort serverPort) = Keys(segments);
        ulong clientIdsn = MptcpKeys.Idsn(client, MptcpVersion.V0), serverIdsn = MptcpKeys.Idsn(server, MptcpVersion.V0);
        int checkedCount = 0, finCount = 0;
        foreach (Segment s in segments)
        {
            if (s.Mptcp(2) is not { } dss || !TryReadMapping(dss, s.SourcePort == serverPort ? serverIdsn : clientIdsn, out ulong dsn, out uint ssn, out ushort dll, out ushort? checksum) || checksum is null)
            {
                continue;
            }

            // In these captures every mapping covers exactly its segment's payload (none for a DATA_FIN alone).
            Assert.True(DssChecksum.IsValid(dsn, ssn, dll, checksum.Value, s.Payload), $"frame {s.Frame}");
            Assert.Equal(checksum.Value, DssChecksum.Compute(dsn, ssn, dll, s.Payload));
            checkedCount++;
            finCount += (dss[3] & 0x10) != 0 ? 1 : 0;
        }

        Assert.Equal(checksums, checkedCount);
        Assert.Equal(dataFins, finCount);
    }

    [Fact]
    public void TcpdumpV0_SshBannerPacket_AllThreeChecksums()
    {
        // mptcp-vectors.md §3.1: DSS 1e142005 d52abeca d1b97490 00000001 0029 082f over the server's SSH banner.
        Segment banner = TcpSegments("mptcp-v0.pcap").Single(s => s.Payload.AsSpan().SequenceEqual("SSH-2.0-OpenSSH_5.5p1 Debian-6+squeeze1\r\n"u8));
        Assert.True(banner.Ipv4ChecksumValid);
        Assert.True(TcpChecksum.IsValid(banner.Source, banner.Destination, banner.Tcp));
        Assert.Equal("1e142005d52abecad1b9749000000001" + "0029082f", Hex.Of(banner.Mptcp(2)));
        Assert.Equal(0x082f, DssChecksum.Compute(0xe47ef57dd1b97490, 1, 41, banner.Payload));
    }

    [Fact]
    public void TcpdumpV0_JoinHandshake_FromCapturedBytes()
    {
        List<Segment> segments = TcpSegments("mptcp-v0.pcap");
        (ulong keyA, ulong keyB, _) = Keys(segments);
        Assert.Equal(Hex.U64("9c9eabd1e46a33b2"), keyA);
        Assert.Equal(Hex.U64("967d2770b6960552"), keyB);

        byte[] syn = segments.Single(s => s.Flags == 0x02 && s.Mptcp(1) is not null).Mptcp(1)!;
        byte[] synAck = segments.Single(s => s.Flags == 0x12 && s.Mptcp(1) is not null).Mptcp(1)!;
        byte[] ack = segments.Single(s => s.Flags == 0x10 && s.Mptcp(1) is not null).Mptcp(1)!;
        uint nonceA = BinaryPrimitives.ReadUInt32BigEndian(syn.AsSpan(8));
        uint nonceB = BinaryPrimitives.ReadUInt32BigEndian(synAck.AsSpan(12));

        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(syn.AsSpan(4)), MptcpKeys.Token(keyB, MptcpVersion.V0));
        Assert.True(JoinHmac.IsSynAckHmacValid(keyA, keyB, nonceA, nonceB, MptcpVersion.V0, synAck.AsSpan(4, 8)));
        Assert.True(JoinHmac.IsAckHmacValid(keyA, keyB, nonceA, nonceB, MptcpVersion.V0, ack.AsSpan(4, 20)));
    }

    [Fact]
    public void TcpdumpAaV1_AddAddr_FromCapturedBytes_IsThePreFixLeftmost64()
    {
        // mptcp-vectors.md §3.4: a Feb 2020 kernel put the leftmost 64 bits on the wire.
        List<Segment> segments = TcpSegments("mptcp-aa-v1.pcap");
        (ulong client, ulong server, ushort serverPort) = Keys(segments);
        Assert.Equal(Hex.U64("8f0c7c64a6a32ac1"), client);
        Assert.Equal(Hex.U64("73bb150358a0aecb"), server);
        Segment carrier = segments.First(s => s.Mptcp(3) is { Length: 16 });
        byte[] addAddr = carrier.Mptcp(3)!;
        Assert.Equal("1e103001c0a888e1669928744366716c", Hex.Of(addAddr));
        Assert.Equal(serverPort, carrier.SourcePort);

        ReadOnlySpan<byte> address = addAddr.AsSpan(4, 4);
        ReadOnlySpan<byte> wire = addAddr.AsSpan(8, 8);
        Assert.True(AddAddrHmac.IsLeftmost64PreFixKernel(server, client, addAddr[3], address, 0, wire));
        Assert.False(AddAddrHmac.IsValid(server, client, addAddr[3], address, 0, wire));
    }

    [Fact]
    public void MutatedCapturedPackets_NeverThrow()
    {
        // Seeded: the same seed gives the same mutations; the failure message names it.
        const int seed = 8684;
        var random = new Random(seed);
        var packets = new List<byte[]>();
        foreach (string capture in new[] { "mptcp-v0.pcap", "mptcp-v1.pcap", "mptcp-fclose.pcap", "mptcp-aa-v1.pcap", "mptcp-tcprst.pcap", "mptcp-dss-oobr.pcap" })
        {
            packets.AddRange(PcapFixture.ReadIpPackets(capture).Select(p => p.Packet));
        }

        for (int iteration = 0; iteration < 20_000; iteration++)
        {
            byte[] packet = (byte[])packets[random.Next(packets.Count)].Clone();
            int mutations = random.Next(1, 4);
            for (int m = 0; m < mutations; m++)
            {
                packet[random.Next(packet.Length)] = (byte)random.Next(256);
            }

            int length = random.Next(4) == 0 ? random.Next(packet.Length + 1) : packet.Length;
            try
            {
                Exercise(packet.AsSpan(0, length));
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, iteration {iteration}, packet {Hex.Of(packet.AsSpan(0, length))}: {e}");
            }
        }
    }

    private static void Exercise(ReadOnlySpan<byte> bytes)
    {
        if (!IpPacket.TryParse(bytes, out IpPacket packet, out _) || packet.Protocol != IpProtocol.Tcp || packet.IsFragment)
        {
            return;
        }

        if (packet.Version == 4)
        {
            _ = packet.Ipv4.IsHeaderChecksumValid;
        }

        if (!TcpHeader.TryParse(packet.Payload, out TcpHeader tcp, out _))
        {
            return;
        }

        _ = tcp.IsChecksumValid(packet.Source, packet.Destination);
        foreach (TcpOption option in tcp.ReadOptions())
        {
            _ = option.Kind switch
            {
                TcpOptionKind.MaximumSegmentSize => MaximumSegmentSizeOption.TryParse(option.Bytes, out _, out _),
                TcpOptionKind.WindowScale => WindowScaleOption.TryParse(option.Bytes, out _, out _),
                TcpOptionKind.SackPermitted => SackPermittedOption.TryParse(option.Bytes, out _, out _),
                TcpOptionKind.Sack => SackOption.TryParse(option.Bytes, out _, out _),
                TcpOptionKind.Timestamps => TimestampsOption.TryParse(option.Bytes, out _, out _),
                TcpOptionKind.UserTimeout => UserTimeoutOption.TryParse(option.Bytes, out _, out _),
                _ => false,
            };
        }
    }

    /// <summary>Reads a DSS mapping by hand (RFC 8684 §3.3, flags byte A=0x01 a=0x02 M=0x04 m=0x08 F=0x10), widening a 32-bit DSN with the sender's IDSN.</summary>
    private static bool TryReadMapping(byte[] dss, ulong senderIdsn, out ulong dsn, out uint ssn, out ushort dll, out ushort? checksum)
    {
        (dsn, ssn, dll, checksum) = (0, 0, 0, null);
        byte flags = dss[3];
        if ((flags & 0x04) == 0)
        {
            return false;
        }

        int at = 4 + ((flags & 0x01) == 0 ? 0 : (flags & 0x02) != 0 ? 8 : 4);
        if ((flags & 0x08) != 0)
        {
            dsn = BinaryPrimitives.ReadUInt64BigEndian(dss.AsSpan(at));
            at += 8;
        }
        else
        {
            // Fine within these short captures: the low 32 bits never wrap past the IDSN's.
            dsn = (senderIdsn & 0xFFFF_FFFF_0000_0000) | BinaryPrimitives.ReadUInt32BigEndian(dss.AsSpan(at));
            at += 4;
        }

        ssn = BinaryPrimitives.ReadUInt32BigEndian(dss.AsSpan(at));
        dll = BinaryPrimitives.ReadUInt16BigEndian(dss.AsSpan(at + 4));
        at += 6;
        checksum = dss.Length >= at + 2 ? BinaryPrimitives.ReadUInt16BigEndian(dss.AsSpan(at)) : null;
        return true;
    }
}
