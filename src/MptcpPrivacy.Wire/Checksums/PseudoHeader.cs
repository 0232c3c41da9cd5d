namespace MptcpPrivacy.Wire.Checksums;

/// <summary>
/// Starts an upper-layer checksum with the IPv4 or IPv6 pseudo-header that TCP and UDP cover
/// (RFC 9293 §3.1 for IPv4, RFC 8200 §8.1 for IPv6).
/// </summary>
public static class PseudoHeader
{
    /// <summary>
    /// Returns an accumulator holding the pseudo-header sum for the given addresses (both 4 bytes or
    /// both 16 bytes), upper-layer protocol number and upper-layer length in bytes.
    /// </summary>
    /// <remarks>
    /// IPv4 (RFC 9293 §3.1):
    /// <code>
    /// +--------+--------+--------+--------+
    /// |           Source Address          |
    /// +--------+--------+--------+--------+
    /// |         Destination Address       |
    /// +--------+--------+--------+--------+
    /// |  zero  |  PTCL  |    TCP Length   |
    /// +--------+--------+--------+--------+
    /// </code>
    /// IPv6 (RFC 8200 §8.1): Source Address (16), Destination Address (16), Upper-Layer Packet
    /// Length (4), zero (3), Next Header (1). In both cases the sum only depends on the length value
    /// and the protocol number, so one 32-bit word carries them.
    /// </remarks>
    /// <exception cref="ArgumentException">The addresses are not both 4 or both 16 bytes, or the length does not fit the IPv4 16-bit field.</exception>
    public static InternetChecksum Start(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, byte protocol, int upperLayerLength)
    {
        if (source.Length != destination.Length || (source.Length != 4 && source.Length != 16))
        {
            throw new ArgumentException("Addresses must both be 4 (IPv4) or both 16 (IPv6) bytes.", nameof(destination));
        }

        if (upperLayerLength < 0 || (source.Length == 4 && upperLayerLength > ushort.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(upperLayerLength), upperLayerLength, "Length does not fit the pseudo-header.");
        }

        var sum = default(InternetChecksum);
        sum.Add(source);
        sum.Add(destination);
        if (source.Length == 4)
        {
            // zero(8) PTCL(8) TCP Length(16)
            sum.AddUInt32(((uint)protocol << 16) | (uint)upperLayerLength);
        }
        else
        {
            // Upper-Layer Packet Length(32) zero(24) Next Header(8)
            sum.AddUInt32((uint)upperLayerLength);
            sum.AddUInt32(protocol);
        }

        return sum;
    }
}
