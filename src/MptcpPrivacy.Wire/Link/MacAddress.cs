using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Link;

/// <summary>
/// Holds a 48-bit IEEE 802 MAC address as a value, in the low 48 bits of a <see cref="ulong"/>,
/// first octet on the wire in the most significant of those bits.
/// </summary>
public readonly record struct MacAddress
{
    /// <summary>The length of a MAC address on the wire.</summary>
    public const int Length = 6;

    private const ulong Mask = 0xFFFF_FFFF_FFFFUL;

    /// <summary>Creates an address from its 48-bit value; bits above 48 are an error of ours.</summary>
    public MacAddress(ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Mask);
        Value = value;
    }

    /// <summary>The 48-bit value, first wire octet most significant.</summary>
    public ulong Value { get; }

    /// <summary>Reads the address from the first 6 bytes of <paramref name="source"/>; throws if fewer.</summary>
    public static MacAddress Read(ReadOnlySpan<byte> source) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(source) << 32) | BinaryPrimitives.ReadUInt32BigEndian(source[2..]));

    /// <summary>Writes the address into the first 6 bytes of <paramref name="destination"/>; throws if fewer.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)Value);
    }

    /// <summary>Formats the address as six colon-separated lower-case hex octets.</summary>
    public override string ToString()
    {
        return string.Create(17, Value, static (chars, value) =>
        {
            for (var i = 0; i < Length; i++)
            {
                var octet = (byte)(value >> (40 - (8 * i)));
                chars[3 * i] = "0123456789abcdef"[octet >> 4];
                chars[(3 * i) + 1] = "0123456789abcdef"[octet & 0xF];
                if (i < Length - 1)
                {
                    chars[(3 * i) + 2] = ':';
                }
            }
        });
    }
}
