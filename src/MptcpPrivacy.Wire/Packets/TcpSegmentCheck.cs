using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Wire.Packets;

/// <summary>What <see cref="TcpSegmentCheck.TryRead"/> found in a packet addressed to a host.</summary>
public enum TcpSegmentCheckResult : byte
{
    /// <summary>A whole TCP segment with a correct checksum and a readable header.</summary>
    Tcp,

    /// <summary>Not TCP, or a fragment: nothing for a TCP stack.</summary>
    NotTcp,

    /// <summary>A TCP segment whose checksum is wrong (RFC 9293 §3.1: it is silently discarded).</summary>
    BadChecksum,

    /// <summary>A TCP segment cut short or whose header cannot be read.</summary>
    Malformed,
}

/// <summary>
/// The receive check every host running the stack makes before it hands a segment over: TCP, not a
/// fragment, not truncated, checksum right over the pseudo-header, header readable. The simulator's
/// hosts and the TUN host both call it.
/// </summary>
public static class TcpSegmentCheck
{
    /// <summary>Checks the TCP segment <paramref name="ip"/> carries and reads its header into <paramref name="tcp"/>.</summary>
    public static TcpSegmentCheckResult TryRead(in IpPacket ip, out TcpHeader tcp)
    {
        tcp = default;
        if (ip.Protocol != IpProtocol.Tcp || ip.IsFragment || ip.MoreFragments)
        {
            return TcpSegmentCheckResult.NotTcp;
        }

        if (ip.IsTruncated)
        {
            return TcpSegmentCheckResult.Malformed;
        }

        if (!TcpChecksum.IsValid(ip.Source, ip.Destination, ip.Payload))
        {
            return TcpSegmentCheckResult.BadChecksum;
        }

        return TcpHeader.TryParse(ip.Payload, out tcp, out _) ? TcpSegmentCheckResult.Tcp : TcpSegmentCheckResult.Malformed;
    }
}
