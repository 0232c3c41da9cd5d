using System.Runtime.CompilerServices;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Link;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Wire.Packets;

/// <summary>Which layer of a frame could not be read.</summary>
public enum PacketLayer : byte
{
    /// <summary>The link-layer header (Ethernet, SLL, ...).</summary>
    Link,

    /// <summary>The IPv4 or IPv6 header, extension headers included.</summary>
    Network,

    /// <summary>The TCP header.</summary>
    Transport,
}

/// <summary>What <see cref="TcpPacket.TryDecode"/> found in a frame.</summary>
public enum PacketDecodeResult : byte
{
    /// <summary>An IP packet with a readable TCP header.</summary>
    Tcp,

    /// <summary>Not TCP over IP (ARP, UDP, a non-first fragment, ...): nothing wrong, nothing for us.</summary>
    NotTcp,

    /// <summary>A header could not be read; the failure says which and why.</summary>
    Malformed,
}

/// <summary>
/// One captured frame seen down to its TCP header: the link, IP and TCP views over the same
/// buffer. This is the packet shape every analysis consumes; no analysis reads raw bytes itself.
/// </summary>
public readonly ref struct TcpPacket
{
    private readonly LinkFrame _link;
    private readonly IpPacket _ip;
    private readonly TcpHeader _tcp;

    /// <summary>The link-layer view (interface index of SLL2 captures, EtherType, ...).</summary>
    public LinkFrame Link => _link;

    /// <summary>The IP view: addresses, protocol, payload.</summary>
    public IpPacket Ip => _ip;

    /// <summary>The TCP view: ports, sequence numbers, flags, options, payload.</summary>
    public TcpHeader Tcp => _tcp;

    /// <summary>
    /// Reads the link, IP and TCP headers of <paramref name="frame"/>. On
    /// <see cref="PacketDecodeResult.Malformed"/>, <paramref name="failedLayer"/> and
    /// <paramref name="error"/> say where and why.
    /// </summary>
    public static PacketDecodeResult TryDecode(LinkType linkType, ReadOnlySpan<byte> frame, out TcpPacket packet, out PacketLayer failedLayer, out WireError error)
    {
        // Each layer parses straight into its field: this runs once per packet, and copying the
        // three views into a new value afterwards cost as much as parsing them.
        packet = default;
        ref TcpPacket p = ref packet;
        failedLayer = PacketLayer.Link;
        if (!LinkFrame.TryParse(linkType, frame, out Unsafe.AsRef(in p._link), out error))
        {
            packet = default;
            return PacketDecodeResult.Malformed;
        }

        if (p._link.NetworkProtocol == NetworkProtocol.Other)
        {
            packet = default;
            return PacketDecodeResult.NotTcp;
        }

        failedLayer = PacketLayer.Network;
        if (!IpPacket.TryParse(p._link.Payload, out Unsafe.AsRef(in p._ip), out error))
        {
            packet = default;
            return PacketDecodeResult.Malformed;
        }

        if (p._ip.Protocol != IpProtocol.Tcp || p._ip.IsFragment)
        {
            packet = default;
            return PacketDecodeResult.NotTcp;
        }

        failedLayer = PacketLayer.Transport;
        if (!TcpHeader.TryParse(p._ip.Payload, out Unsafe.AsRef(in p._tcp), out error))
        {
            packet = default;
            return PacketDecodeResult.Malformed;
        }

        return PacketDecodeResult.Tcp;
    }
}
