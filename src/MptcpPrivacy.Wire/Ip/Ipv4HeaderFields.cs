using System.Buffers.Binary;
using MptcpPrivacy.Wire.Checksums;

namespace MptcpPrivacy.Wire.Ip;

/// <summary>
/// The fields of an IPv4 header (RFC 791 §3.1), to be written with <see cref="Encode(Span{byte}, ReadOnlySpan{byte})"/>,
/// which also fills in the Header Checksum. Version and IHL follow from the options given.
/// </summary>
public readonly record struct Ipv4HeaderFields
{
    /// <summary>Gets the Differentiated Services Code Point (0 to 63, RFC 2474).</summary>
    public byte Dscp { get; init; }

    /// <summary>Gets the ECN codepoint (0 to 3, RFC 3168).</summary>
    public byte Ecn { get; init; }

    /// <summary>Gets the Total Length: header plus payload in bytes. Written as given.</summary>
    public ushort TotalLength { get; init; }

    /// <summary>Gets the Identification field.</summary>
    public ushort Identification { get; init; }

    /// <summary>Gets the reserved flag bit; false for anything this stack sends.</summary>
    public bool ReservedFlag { get; init; }

    /// <summary>Gets the "Don't Fragment" flag.</summary>
    public bool DontFragment { get; init; }

    /// <summary>Gets the "More Fragments" flag.</summary>
    public bool MoreFragments { get; init; }

    /// <summary>Gets the Fragment Offset in units of 8 bytes (0 to 8191).</summary>
    public ushort FragmentOffset { get; init; }

    /// <summary>Gets the Time to Live.</summary>
    public byte Ttl { get; init; }

    /// <summary>Gets the Protocol of the payload.</summary>
    public IpProtocol Protocol { get; init; }

    /// <summary>Gets the Source Address as a number whose big-endian bytes are the address (10.2.1.2 is 0x0A020102).</summary>
    public uint Source { get; init; }

    /// <summary>Gets the Destination Address as a number whose big-endian bytes are the address.</summary>
    public uint Destination { get; init; }

    /// <summary>Gets the length of a header without options; with options add their length.</summary>
    public int EncodedLength => Ipv4Header.MinimumLength;

    /// <summary>Writes a 20-byte header without options and returns 20.</summary>
    /// <exception cref="ArgumentException">The destination is too short or a field is out of range.</exception>
    public int Encode(Span<byte> destination) => Encode(destination, ReadOnlySpan<byte>.Empty);

    /// <summary>
    /// Writes the header followed by <paramref name="options"/> (already padded to a multiple of 4
    /// bytes, at most 40), computes the Header Checksum over both, and returns the header length.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is too short, the options are misaligned or too long, or a field is out of range.</exception>
    public int Encode(Span<byte> destination, ReadOnlySpan<byte> options)
    {
        if (options.Length % 4 != 0 || options.Length > Ipv4Header.MaximumLength - Ipv4Header.MinimumLength)
        {
            throw new ArgumentException("IPv4 options must be padded to 4 bytes and at most 40 bytes long.", nameof(options));
        }

        if (Dscp > 63 || Ecn > 3 || FragmentOffset > 0x1FFF)
        {
            throw new ArgumentException("DSCP, ECN or Fragment Offset is out of range.");
        }

        int headerLength = Ipv4Header.MinimumLength + options.Length;
        if (destination.Length < headerLength)
        {
            throw new ArgumentException("Destination is too short for the header.", nameof(destination));
        }

        Span<byte> header = destination[..headerLength];
        header[0] = (byte)(0x40 | (headerLength / 4));
        header[1] = (byte)((Dscp << 2) | Ecn);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], TotalLength);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], Identification);
        int flagsAndOffset = (ReservedFlag ? 0x8000 : 0) | (DontFragment ? 0x4000 : 0) | (MoreFragments ? 0x2000 : 0) | FragmentOffset;
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], (ushort)flagsAndOffset);
        header[8] = Ttl;
        header[9] = (byte)Protocol;
        header[10] = 0;
        header[11] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(header[12..], Source);
        BinaryPrimitives.WriteUInt32BigEndian(header[16..], Destination);
        options.CopyTo(header[Ipv4Header.MinimumLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], InternetChecksum.Compute(header));
        return headerLength;
    }
}
