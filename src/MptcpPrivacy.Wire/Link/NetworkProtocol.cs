namespace MptcpPrivacy.Wire.Link;

/// <summary>Says which network layer a link frame carries.</summary>
public enum NetworkProtocol : byte
{
    /// <summary>Something this stack does not decode (ARP, LLC, an unknown address family, ...).</summary>
    Other = 0,

    /// <summary>IPv4 (RFC 791).</summary>
    Ipv4,

    /// <summary>IPv6 (RFC 8200).</summary>
    Ipv6,
}
