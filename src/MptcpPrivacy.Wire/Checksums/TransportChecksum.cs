using System.Buffers.Binary;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Wire.Checksums;

/// <summary>Computes the IPv4 header and transport checksums of a packet built or rewritten in place (a sender, a NAT, an option stripper).</summary>
public static class TransportChecksum
{
    /// <summary>The UDP checksum's offset in its header (RFC 768).</summary>
    private const int UdpChecksumOffset = 6;

    /// <summary>Recomputes the IPv4 Header Checksum over <paramref name="header"/> (RFC 791 §3.1).</summary>
    public static void WriteIpv4Header(Span<byte> header)
    {
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], InternetChecksum.Compute(header));
    }

    /// <summary>Recomputes the TCP or UDP checksum of <paramref name="segment"/>; other protocols are left alone.</summary>
    /// <param name="protocol">The transport protocol.</param>
    /// <param name="source">The source address bytes (4 or 16).</param>
    /// <param name="destination">The destination address bytes.</param>
    /// <param name="segment">The transport header and data, rewritten in place.</param>
    /// <param name="keepNoUdpChecksum">
    /// Whether an IPv4 UDP checksum of zero ("none", RFC 768) stays zero, as a middlebox must leave
    /// it; a sender building the datagram passes false to have it computed.
    /// </param>
    public static void WriteTransport(IpProtocol protocol, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, Span<byte> segment, bool keepNoUdpChecksum = true)
    {
        if (protocol == IpProtocol.Tcp)
        {
            TcpChecksum.Write(source, destination, segment);
        }
        else if (protocol == IpProtocol.Udp && segment.Length >= 8
            && (source.Length == 16 || !keepNoUdpChecksum || BinaryPrimitives.ReadUInt16BigEndian(segment[UdpChecksumOffset..]) != 0))
        {
            InternetChecksum sum = PseudoHeader.Start(source, destination, (byte)IpProtocol.Udp, segment.Length);
            sum.Add(segment[..UdpChecksumOffset]);
            sum.Add(segment[(UdpChecksumOffset + 2)..]);
            ushort value = sum.Finish();
            BinaryPrimitives.WriteUInt16BigEndian(segment[UdpChecksumOffset..], value == 0 ? (ushort)0xFFFF : value);
        }
    }
}
