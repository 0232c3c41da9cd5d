namespace MptcpPrivacy.Capture;

/// <summary>The pcapng block types this library reads or writes (draft-ietf-opsawg-pcapng §10.1).</summary>
internal static class PcapngBlockType
{
    /// <summary>Section Header Block; the value reads the same in either byte order.</summary>
    public const uint SectionHeader = 0x0A0D0D0A;

    /// <summary>Interface Description Block.</summary>
    public const uint InterfaceDescription = 0x00000001;

    /// <summary>Packet Block, obsoleted by the Enhanced Packet Block but still found in old files.</summary>
    public const uint ObsoletePacket = 0x00000002;

    /// <summary>Simple Packet Block: no interface id, no timestamp.</summary>
    public const uint SimplePacket = 0x00000003;

    /// <summary>Enhanced Packet Block.</summary>
    public const uint EnhancedPacket = 0x00000006;

    /// <summary>The byte-order magic of a Section Header Block, as its writer stored it.</summary>
    public const uint ByteOrderMagic = 0x1A2B3C4D;

    /// <summary>The fixed part of every block: type, leading length, trailing length.</summary>
    public const int MinimumLength = 12;

    /// <summary>Returns the length below which a block of <paramref name="type"/> cannot hold its fixed fields.</summary>
    public static int MinimumLengthOf(uint type) => type switch
    {
        SectionHeader => 28,
        InterfaceDescription => 20,
        ObsoletePacket => 32,
        SimplePacket => 16,
        EnhancedPacket => 32,
        _ => MinimumLength,
    };

    /// <summary>Names a block type for error messages.</summary>
    public static string NameOf(uint type) => type switch
    {
        SectionHeader => "section header block",
        InterfaceDescription => "interface description block",
        ObsoletePacket => "packet block",
        SimplePacket => "simple packet block",
        EnhancedPacket => "enhanced packet block",
        _ => $"block of type 0x{type:X8}",
    };
}
