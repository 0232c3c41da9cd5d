namespace MptcpPrivacy.Wire.Link;

/// <summary>The IEEE 802 EtherType values the link layer looks at.</summary>
internal static class EtherTypes
{
    /// <summary>IPv4.</summary>
    public const ushort Ipv4 = 0x0800;

    /// <summary>IPv6.</summary>
    public const ushort Ipv6 = 0x86DD;

    /// <summary>IEEE 802.1Q customer VLAN tag.</summary>
    public const ushort Vlan = 0x8100;

    /// <summary>IEEE 802.1ad service VLAN tag (Q-in-Q).</summary>
    public const ushort ServiceVlan = 0x88A8;

    /// <summary>The pre-standard Q-in-Q tag some switches still emit.</summary>
    public const ushort LegacyQinQ = 0x9100;

    /// <summary>Values up to this one are an 802.3 length, not a type (IEEE 802.3 §3.2.6).</summary>
    public const ushort MaxLength = 0x05DC;

    /// <summary>Says whether <paramref name="etherType"/> announces a VLAN tag.</summary>
    public static bool IsVlanTag(ushort etherType) =>
        etherType is Vlan or ServiceVlan or LegacyQinQ;

    /// <summary>Maps an EtherType to the network protocol it announces.</summary>
    public static NetworkProtocol ToProtocol(ushort etherType) => etherType switch
    {
        Ipv4 => NetworkProtocol.Ipv4,
        Ipv6 => NetworkProtocol.Ipv6,
        _ => NetworkProtocol.Other,
    };

    /// <summary>Maps a network protocol to the EtherType that announces it; throws for <see cref="NetworkProtocol.Other"/>.</summary>
    public static ushort FromProtocol(NetworkProtocol protocol) => protocol switch
    {
        NetworkProtocol.Ipv4 => Ipv4,
        NetworkProtocol.Ipv6 => Ipv6,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Only IPv4 and IPv6 have an EtherType here."),
    };
}
