using System.Buffers.Binary;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Simulation;

/// <summary>
/// A NAPT for IPv4 placed on a link: packets leaving the inside get the public address and a public
/// port as their source; replies to a public port get the inside address and port back. The mapping
/// is endpoint-independent (RFC 4787 §4.1): one inside address and port keep one public port
/// whatever the destination, which is what lets an MPTCP subflow's ADD_ADDR work behind it.
/// </summary>
/// <remarks>
/// TCP and UDP only. Public ports are given out in order from <c>firstPort</c>, so runs replay.
/// IPv4 packets of other protocols, fragments, and inbound packets with no mapping are dropped and
/// counted; IPv6 passes untouched.
/// </remarks>
public sealed class Nat44 : ILinkElement
{
    private readonly Dictionary<(IpProtocol Protocol, IpAddressBytes Address, ushort Port), ushort> _outbound = [];
    private readonly Dictionary<(IpProtocol Protocol, ushort Port), (IpAddressBytes Address, ushort Port)> _inbound = [];
    private readonly byte[] _publicAddress = new byte[4];
    private int _nextPort;

    /// <summary>Makes a NAT whose inside is the sending end of <paramref name="outbound"/>.</summary>
    /// <param name="outbound">The direction that leaves the inside (AToB when node A is inside).</param>
    /// <param name="publicAddress">The IPv4 address the outside sees.</param>
    /// <param name="firstPort">The first public port given out.</param>
    public Nat44(LinkDirection outbound, IpAddressBytes publicAddress, ushort firstPort = 10000)
    {
        if (!publicAddress.IsV4)
        {
            throw new ArgumentException("The NAT's public address must be IPv4.", nameof(publicAddress));
        }

        Outbound = outbound;
        PublicAddress = publicAddress;
        publicAddress.CopyTo(_publicAddress);
        _nextPort = firstPort;
    }

    /// <summary>Gets the direction that leaves the inside.</summary>
    public LinkDirection Outbound { get; }

    /// <summary>Gets the public IPv4 address.</summary>
    public IpAddressBytes PublicAddress { get; }

    /// <summary>Gets how many mappings exist.</summary>
    public int Mappings => _outbound.Count;

    /// <summary>Gets the packets dropped: not TCP/UDP, fragments, no mapping, or no port left.</summary>
    public long Dropped { get; private set; }

    /// <inheritdoc/>
    public byte[]? Process(long now, Link link, LinkDirection direction, byte[] packet)
    {
        if (packet.Length == 0 || packet[0] >> 4 != 4)
        {
            return packet;
        }

        if (!Ipv4Header.TryParse(packet, out Ipv4Header ip, out WireError _) || ip.IsTruncated || ip.IsFragment
            || (ip.Protocol != IpProtocol.Tcp && ip.Protocol != IpProtocol.Udp) || ip.Payload.Length < 8)
        {
            Dropped++;
            return null;
        }

        IpProtocol protocol = ip.Protocol;
        int headerLength = ip.HeaderLength;
        int end = ip.TotalLength;
        Span<byte> header = packet.AsSpan(0, headerLength);
        Span<byte> segment = packet.AsSpan(headerLength, end - headerLength);
        if (direction == Outbound)
        {
            var key = (protocol, IpAddressBytes.FromSpan(header.Slice(12, 4)), BinaryPrimitives.ReadUInt16BigEndian(segment));
            if (!_outbound.TryGetValue(key, out ushort publicPort))
            {
                if (_nextPort > ushort.MaxValue)
                {
                    Dropped++;
                    return null;
                }

                publicPort = (ushort)_nextPort++;
                _outbound[key] = publicPort;
                _inbound[(protocol, publicPort)] = (key.Item2, key.Item3);
            }

            _publicAddress.CopyTo(header.Slice(12, 4));
            BinaryPrimitives.WriteUInt16BigEndian(segment, publicPort);
        }
        else
        {
            if (!header.Slice(16, 4).SequenceEqual(_publicAddress)
                || !_inbound.TryGetValue((protocol, BinaryPrimitives.ReadUInt16BigEndian(segment[2..])), out var inside))
            {
                Dropped++;
                return null;
            }

            inside.Address.CopyTo(header.Slice(16, 4));
            BinaryPrimitives.WriteUInt16BigEndian(segment[2..], inside.Port);
        }

        TransportChecksum.WriteIpv4Header(header);
        TransportChecksum.WriteTransport(protocol, header.Slice(12, 4), header.Slice(16, 4), segment);
        return packet;
    }
}
