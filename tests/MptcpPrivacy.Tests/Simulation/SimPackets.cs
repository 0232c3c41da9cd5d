using System.Buffers.Binary;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>Builds the packets the simulation tests send: numbered raw datagrams and TCP segments with valid checksums.</summary>
internal static class SimPackets
{
    /// <summary>An experimental IP protocol number (RFC 3692) for datagrams that are no transport at all.</summary>
    public const IpProtocol Experimental = (IpProtocol)253;

    public static readonly IpAddressBytes A4 = IpAddressBytes.Parse("192.0.2.2");
    public static readonly IpAddressBytes B4 = IpAddressBytes.Parse("203.0.113.5");
    public static readonly IpAddressBytes A6 = IpAddressBytes.Parse("2001:db8::2");
    public static readonly IpAddressBytes B6 = IpAddressBytes.Parse("2001:db8:1::5");

    /// <summary>A datagram of <paramref name="totalLength"/> bytes whose payload starts with <paramref name="number"/>.</summary>
    public static byte[] Numbered(int number, int totalLength = 100, bool v6 = false)
    {
        var payload = new byte[totalLength - (v6 ? 40 : 20)];
        BinaryPrimitives.WriteInt32BigEndian(payload, number);
        return v6 ? IpPacketBuilder.Build(A6, B6, Experimental, payload) : IpPacketBuilder.Build(A4, B4, Experimental, payload);
    }

    /// <summary>Reads the number <see cref="Numbered"/> put in a packet.</summary>
    public static int NumberOf(byte[] packet)
    {
        IpPacket.TryParse(packet, out IpPacket ip, out _);
        return BinaryPrimitives.ReadInt32BigEndian(ip.Payload);
    }

    /// <summary>A TCP segment in an IP packet with correct checksums; <paramref name="options"/> must be padded to 4 bytes.</summary>
    public static byte[] Tcp(IpAddressBytes source, IpAddressBytes destination, ushort sourcePort, ushort destinationPort, TcpFlags flags, byte[] options, byte[]? payload = null)
    {
        payload ??= [];
        var segment = new byte[20 + options.Length + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(4), 1000);
        segment[12] = (byte)((20 + options.Length) / 4 << 4);
        segment[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), 65535);
        options.CopyTo(segment, 20);
        payload.CopyTo(segment, 20 + options.Length);
        Span<byte> src = stackalloc byte[source.Length];
        Span<byte> dst = stackalloc byte[destination.Length];
        source.CopyTo(src);
        destination.CopyTo(dst);
        TcpChecksum.Write(src, dst, segment);
        return IpPacketBuilder.Build(source, destination, IpProtocol.Tcp, segment);
    }

    /// <summary>Asserts the IPv4 header checksum (if IPv4) and the TCP checksum are right.</summary>
    public static void AssertChecksumsValid(byte[] packet)
    {
        Assert.True(IpPacket.TryParse(packet, out IpPacket ip, out _));
        if (ip.Version == 4)
        {
            Assert.True(ip.Ipv4.IsHeaderChecksumValid, "IPv4 header checksum");
        }

        Assert.True(TcpChecksum.IsValid(ip.Source, ip.Destination, ip.Payload), "TCP checksum");
    }
}
