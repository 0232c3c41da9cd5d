namespace MptcpPrivacy.Capture;

/// <summary>The pcapng Interface Description Block options this library reads or writes (draft-ietf-opsawg-pcapng §4.2).</summary>
internal static class PcapngOptionCode
{
    /// <summary>if_name: the interface name, UTF-8.</summary>
    public const ushort InterfaceName = 2;

    /// <summary>if_tsresol: one byte, 10^-n seconds, or 2^-n when the top bit is set.</summary>
    public const ushort TimestampResolution = 9;

    /// <summary>if_fcslen: one byte, the length of the frame check sequence in bytes.</summary>
    public const ushort FcsLength = 13;

    /// <summary>if_tsoffset: signed 64-bit seconds to add to every timestamp.</summary>
    public const ushort TimestampOffset = 14;

    /// <summary>The resolution a pcapng interface has without if_tsresol: microseconds.</summary>
    public const ulong DefaultTicksPerSecond = 1_000_000;

    /// <summary>Decodes an if_tsresol byte; false if the rate does not fit in 64 bits.</summary>
    public static bool TryDecodeResolution(byte value, out ulong ticksPerSecond)
    {
        ticksPerSecond = 0;
        var exponent = value & 0x7F;
        if ((value & 0x80) != 0)
        {
            if (exponent > 63)
            {
                return false;
            }

            ticksPerSecond = 1UL << exponent;
            return true;
        }

        if (exponent > 19)
        {
            return false;
        }

        ticksPerSecond = 1;
        for (var i = 0; i < exponent; i++)
        {
            ticksPerSecond *= 10;
        }

        return true;
    }
}
