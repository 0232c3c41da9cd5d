using System.Buffers.Binary;

namespace MptcpPrivacy.Wire.Link;

/// <summary>
/// Holds the 4-byte BSD loopback header: the sender's address family, in the capturing host's byte
/// order for LINKTYPE_NULL and in network byte order for LINKTYPE_LOOP.
/// </summary>
/// <param name="AddressFamily">The AF_ value: 2 for IPv4; 24, 28 or 30 for IPv6 depending on the BSD.</param>
/// <param name="BigEndian">Whether the family is stored most significant byte first.</param>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |            Address family (either byte order)                 |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly record struct LoopbackHeader(uint AddressFamily, bool BigEndian)
{
    /// <summary>The length of the header on the wire.</summary>
    public const int Length = 4;

    /// <summary>AF_INET on every BSD.</summary>
    public const uint InetFamily = 2;

    /// <summary>AF_INET6 on NetBSD and OpenBSD, the value this stack writes.</summary>
    public const uint Inet6FamilyOpenBsd = 24;

    /// <summary>AF_INET6 on FreeBSD and DragonFly.</summary>
    public const uint Inet6FamilyFreeBsd = 28;

    /// <summary>AF_INET6 on macOS.</summary>
    public const uint Inet6FamilyDarwin = 30;

    /// <summary>The number of bytes <see cref="Encode"/> writes: always <see cref="Length"/>.</summary>
    public int EncodedLength => Length;

    /// <summary>The network protocol the address family names.</summary>
    public NetworkProtocol NetworkProtocol => AddressFamily switch
    {
        InetFamily => NetworkProtocol.Ipv4,
        Inet6FamilyOpenBsd or Inet6FamilyFreeBsd or Inet6FamilyDarwin => NetworkProtocol.Ipv6,
        _ => NetworkProtocol.Other,
    };

    /// <summary>
    /// Reads the header from the start of <paramref name="source"/>; with <paramref name="networkOrder"/>
    /// false (LINKTYPE_NULL) it guesses the byte order, since every family fits in the low 16 bits.
    /// </summary>
    /// <returns><see langword="false"/> with <see cref="WireError.Truncated"/> if fewer than 4 bytes.</returns>
    public static bool TryParse(ReadOnlySpan<byte> source, bool networkOrder, out LoopbackHeader header, out WireError error)
    {
        if (source.Length < Length)
        {
            header = default;
            error = WireError.Truncated;
            return false;
        }

        var bigEndian = BinaryPrimitives.ReadUInt32BigEndian(source);
        if (networkOrder)
        {
            header = new LoopbackHeader(bigEndian, BigEndian: true);
        }
        else
        {
            // A family is a small number: whichever reading leaves the high half empty is the host's order.
            // If both do (0x0000_0000) the orders agree; if neither does, little-endian is as good a guess as any.
            var littleEndian = BinaryPrimitives.ReadUInt32LittleEndian(source);
            header = (littleEndian & 0xFFFF_0000) == 0 || (bigEndian & 0xFFFF_0000) != 0
                ? new LoopbackHeader(littleEndian, BigEndian: false)
                : new LoopbackHeader(bigEndian, BigEndian: true);
        }

        error = WireError.None;
        return true;
    }

    /// <summary>Writes the header to the start of <paramref name="destination"/> and returns its length; throws if it does not fit.</summary>
    public int Encode(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        if (BigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, AddressFamily);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination, AddressFamily);
        }

        return Length;
    }

    /// <summary>Returns the AF_ value this stack writes for <paramref name="protocol"/>; throws for <see cref="NetworkProtocol.Other"/>.</summary>
    public static uint FamilyOf(NetworkProtocol protocol) => protocol switch
    {
        NetworkProtocol.Ipv4 => InetFamily,
        NetworkProtocol.Ipv6 => Inet6FamilyOpenBsd,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Only IPv4 and IPv6 have an address family here."),
    };
}
