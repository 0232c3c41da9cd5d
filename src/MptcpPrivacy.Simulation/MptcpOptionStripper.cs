using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Simulation;

/// <summary>
/// A middlebox that removes TCP option kind 30 (MPTCP, RFC 8684 §3) from some segments, as the
/// firewalls measured in RFC 8684 §3.7 and Honda et al. ("Is it still possible to extend TCP?") do.
/// Other options are kept byte for byte.
/// </summary>
/// <remarks>
/// The option's bytes are overwritten with NOPs (kind 1) rather than cut out. Cutting would change
/// the Data Offset, the IP length and the packet size the sender's MSS accounting assumed; NOP
/// filling keeps every length and offset and is what deployed strippers were seen doing. The TCP
/// checksum is recomputed (the IPv4 header is unchanged, so its checksum stays right).
/// </remarks>
public sealed class MptcpOptionStripper(OptionStripMode mode) : ILinkElement
{
    /// <summary>Gets which segments are stripped.</summary>
    public OptionStripMode Mode { get; } = mode;

    /// <summary>Gets how many MPTCP options were replaced by NOPs.</summary>
    public long OptionsStripped { get; private set; }

    /// <summary>Gets how many segments lost at least one option.</summary>
    public long SegmentsStripped { get; private set; }

    /// <inheritdoc/>
    public byte[]? Process(long now, Link link, LinkDirection direction, byte[] packet)
    {
        if (!IpPacket.TryParse(packet, out IpPacket ip, out WireError _) || ip.Protocol != IpProtocol.Tcp || ip.IsTruncated || ip.IsFragment
            || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out WireError _))
        {
            return packet;
        }

        if (Mode != OptionStripMode.AllSegments && (tcp.Flags & TcpFlags.Syn) == 0)
        {
            return packet;
        }

        int segmentOffset = ip.Version == 4 ? ip.Ipv4.HeaderLength : ip.Ipv6.HeaderLength;
        int optionsOffset = segmentOffset + TcpHeader.MinimumLength;
        int segmentLength = ip.Payload.Length;
        int position = 0;
        int stripped = 0;
        foreach (TcpOption option in tcp.ReadOptions())
        {
            int length = option.Bytes.Length;
            if ((byte)option.Kind == MptcpOptionHeader.Kind && Matches(option.Bytes))
            {
                packet.AsSpan(optionsOffset + position, length).Fill((byte)TcpOptionKind.NoOperation);
                stripped++;
            }

            position += length;
        }

        if (stripped == 0)
        {
            return packet;
        }

        OptionsStripped += stripped;
        SegmentsStripped++;
        ReadOnlySpan<byte> source = ip.Source;
        ReadOnlySpan<byte> destination = ip.Destination;
        TransportChecksum.WriteTransport(IpProtocol.Tcp, source, destination, packet.AsSpan(segmentOffset, segmentLength));
        return packet;
    }

    private bool Matches(ReadOnlySpan<byte> option) =>
        Mode != OptionStripMode.MpJoinSynOnly
        || (MptcpOptionHeader.TryReadSubtype(option, out MptcpSubtype subtype, out WireError _) && subtype == MptcpSubtype.MpJoin);
}
