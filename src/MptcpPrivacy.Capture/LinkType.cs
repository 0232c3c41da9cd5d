namespace MptcpPrivacy.Capture;

/// <summary>
/// Names the link-layer header of the packets in a capture (the LINKTYPE_ registry of tcpdump.org).
/// </summary>
/// <remarks>
/// A twin of <c>MptcpPrivacy.Wire.Link.LinkType</c>, kept here because this assembly does not yet
/// reference MptcpPrivacy.Wire; the values are the same (a test pins that), so a cast converts.
/// Delete this copy once the project reference exists. Any value from a file may appear, not only
/// the named ones.
/// </remarks>
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
