namespace MptcpPrivacy.Wire.Link;

/// <summary>
/// Names the link-layer header that precedes every packet in a capture: the LINKTYPE_ registry of
/// tcpdump.org, which is what pcap and pcapng files store (not the platform-dependent DLT_ values).
/// </summary>
public enum LinkType : ushort
{
    /// <summary>BSD loopback: a 4-byte address family in the byte order of the host that captured.</summary>
    Null = 0,

    /// <summary>IEEE 802.3 Ethernet (DIX framing), possibly with 802.1Q / 802.1ad tags.</summary>
    Ethernet = 1,

    /// <summary>Raw IP: no link header; the IP version nibble says v4 or v6.</summary>
    Raw = 101,

    /// <summary>OpenBSD loopback: a 4-byte address family in network byte order.</summary>
    Loop = 108,

    /// <summary>Linux "cooked" capture, version 1 (16-byte header).</summary>
    LinuxSll = 113,

    /// <summary>Raw IPv4: no link header.</summary>
    Ipv4 = 228,

    /// <summary>Raw IPv6: no link header.</summary>
    Ipv6 = 229,

    /// <summary>Linux "cooked" capture, version 2 (20-byte header with an interface index).</summary>
    LinuxSll2 = 276,
}
