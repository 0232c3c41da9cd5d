namespace MptcpPrivacy.Wire.Ip;

/// <summary>
/// IANA "Assigned Internet Protocol Numbers": the IPv4 Protocol field and the IPv6 Next Header field
/// (RFC 791 §3.1, RFC 8200 §3). Values not named here are still carried as they are.
/// </summary>
public enum IpProtocol : byte
{
    /// <summary>IPv6 Hop-by-Hop Options header (RFC 8200 §4.3).</summary>
    HopByHopOptions = 0,

    /// <summary>ICMP for IPv4 (RFC 792).</summary>
    Icmp = 1,

    /// <summary>TCP (RFC 9293).</summary>
    Tcp = 6,

    /// <summary>UDP (RFC 768).</summary>
    Udp = 17,

    /// <summary>IPv6 Routing header (RFC 8200 §4.4).</summary>
    Routing = 43,

    /// <summary>IPv6 Fragment header (RFC 8200 §4.5).</summary>
    Fragment = 44,

    /// <summary>Encapsulating Security Payload (RFC 4303); what follows it is encrypted.</summary>
    EncapsulatingSecurityPayload = 50,

    /// <summary>Authentication Header (RFC 4302).</summary>
    AuthenticationHeader = 51,

    /// <summary>ICMP for IPv6 (RFC 4443).</summary>
    Icmpv6 = 58,

    /// <summary>No Next Header for IPv6 (RFC 8200 §4.7).</summary>
    NoNextHeader = 59,

    /// <summary>IPv6 Destination Options header (RFC 8200 §4.6).</summary>
    DestinationOptions = 60,
}
