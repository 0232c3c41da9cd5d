using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Ip;

/// <summary>The fields of the IPv6 fixed header (RFC 8200 §3), to be written with <see cref="Encode(Span{byte})"/>.</summary>
public readonly record struct Ipv6HeaderFields
{
    /// <summary>Gets the Traffic Class byte (DSCP in the upper six bits, ECN in the lower two).</summary>
    public byte TrafficClass { get; init; }

    /// <summary>Gets the 20-bit Flow Label (0 to 0xFFFFF).</summary>
    public uint FlowLabel { get; init; }

    /// <summary>Gets the Payload Length: bytes after the fixed header, extension headers included.</summary>
    public ushort PayloadLength { get; init; }

    /// <summary>Gets the Next Header: the first extension header or the upper-layer protocol.</summary>
    public IpProtocol NextHeader { get; init; }

    /// <summary>Gets the Hop Limit.</summary>
    public byte HopLimit { get; init; }

    /// <summary>Gets the Source Address as a number whose big-endian bytes are the address (::1 is 1).</summary>
    public UInt128 Source { get; init; }

    /// <summary>Gets the Destination Address as a number whose big-endian bytes are the address.</summary>
    public UInt128 Destination { get; init; }

    /// <summary>Gets the length written: always the 40-byte fixed header.</summary>
    public int EncodedLength => Ipv6Header.FixedLength;

    /// <summary>Writes the 40-byte fixed header and returns 40.</summary>
    /// <exception cref="ArgumentException">The destination is too short or the flow label exceeds 20 bits.</exception>
    public int Encode(Span<byte> destination)
    {
        if (FlowLabel > 0x000F_FFFF)
        {
            throw new ArgumentException("The flow label has 20 bits.", nameof(destination));
        }

        if (destination.Length < Ipv6Header.FixedLength)
        {
            throw new ArgumentException("Destination is too short for the header.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, (6u << 28) | ((uint)TrafficClass << 20) | FlowLabel);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], PayloadLength);
        destination[6] = (byte)NextHeader;
        destination[7] = HopLimit;
        BinaryPrimitives.WriteUInt128BigEndian(destination[8..], Source);
        BinaryPrimitives.WriteUInt128BigEndian(destination[24..], Destination);
        return Ipv6Header.FixedLength;
    }
}
