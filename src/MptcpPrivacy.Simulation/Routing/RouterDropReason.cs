namespace MptcpPrivacy.Simulation;

/// <summary>Why a <see cref="Router"/> did not forward a packet.</summary>
public enum RouterDropReason
{
    /// <summary>Not an IPv4 or IPv6 packet whose header reads (RFC 1812 §5.2.2), or shorter than its own length field says.</summary>
    Malformed = 0,

    /// <summary>An IPv4 header whose checksum is wrong (RFC 1812 §5.2.2).</summary>
    BadHeaderChecksum = 1,

    /// <summary>No route covers the destination.</summary>
    NoRoute = 2,

    /// <summary>The IPv4 TTL or IPv6 Hop Limit would reach zero here (RFC 1812 §5.3.1, RFC 8200 §3).</summary>
    TtlExpired = 3,
}
