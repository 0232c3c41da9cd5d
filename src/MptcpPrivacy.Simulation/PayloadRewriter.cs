using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Simulation;

/// <summary>
/// A middlebox (or an on-path attacker) that rewrites the payload of every
/// <see cref="Every"/>-th TCP data segment in one direction and fixes the TCP checksum, as a
/// content-rewriting proxy does: TCP cannot see it, MPTCP's DSS checksum can (RFC 8684 §3.3.1).
/// </summary>
/// <param name="direction">The direction whose segments it rewrites.</param>
/// <param name="every">Rewrite one data segment in this many (the first is the <paramref name="every"/>-th).</param>
public sealed class PayloadRewriter(LinkDirection direction, int every) : ILinkElement
{
    private long _seen;

    /// <summary>Gets one segment in how many it rewrites.</summary>
    public int Every { get; } = every > 0 ? every : throw new ArgumentOutOfRangeException(nameof(every));

    /// <summary>Gets how many segments it rewrote.</summary>
    public long SegmentsRewritten { get; private set; }

    /// <inheritdoc/>
    public byte[]? Process(long now, Link link, LinkDirection packetDirection, byte[] packet)
    {
        if (packetDirection != direction || !IpPacket.TryParse(packet, out IpPacket ip, out WireError _) || ip.Protocol != IpProtocol.Tcp
            || ip.IsTruncated || ip.IsFragment || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out WireError _) || tcp.Payload.Length == 0
            || ++_seen % Every != 0)
        {
            return packet;
        }

        int segmentOffset = ip.Version == 4 ? ip.Ipv4.HeaderLength : ip.Ipv6.HeaderLength;
        int payloadOffset = segmentOffset + (ip.Payload.Length - tcp.Payload.Length);
        packet[payloadOffset] ^= 0x20;
        TransportChecksum.WriteTransport(IpProtocol.Tcp, ip.Source, ip.Destination, packet.AsSpan(segmentOffset, ip.Payload.Length));
        SegmentsRewritten++;
        return packet;
    }
}
