using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MptcpPrivacy.Wire.Ip;

/// <summary>
/// An IPv4 or IPv6 address held by value (no heap object), so options and packets that carry
/// addresses stay allocation-free. IPv4 addresses keep their four bytes in <see cref="Low"/>.
/// </summary>
public readonly record struct IpAddressBytes : IComparable<IpAddressBytes>
{
    private IpAddressBytes(ulong high, ulong low, AddressFamily family)
    {
        High = high;
        Low = low;
        Family = family;
    }

    /// <summary>The first eight bytes of an IPv6 address (big-endian); zero for IPv4.</summary>
    public ulong High { get; }

    /// <summary>The last eight bytes of an IPv6 address, or the IPv4 address in the low 32 bits (big-endian).</summary>
    public ulong Low { get; }

    /// <summary>Which family the address belongs to.</summary>
    public AddressFamily Family { get; }

    /// <summary>True for an IPv4 address.</summary>
    public bool IsV4 => Family == AddressFamily.InterNetwork;

    /// <summary>Length in bytes on the wire: 4 or 16 (0 for the default value).</summary>
    public int Length => Family switch
    {
        AddressFamily.InterNetwork => 4,
        AddressFamily.InterNetworkV6 => 16,
        _ => 0,
    };

    /// <summary>Reads a 4- or 16-byte address in network order; any other length is our bug.</summary>
    public static IpAddressBytes FromSpan(ReadOnlySpan<byte> address) => address.Length switch
    {
        4 => new IpAddressBytes(0, BinaryPrimitives.ReadUInt32BigEndian(address), AddressFamily.InterNetwork),
        16 => new IpAddressBytes(
            BinaryPrimitives.ReadUInt64BigEndian(address),
            BinaryPrimitives.ReadUInt64BigEndian(address[8..]),
            AddressFamily.InterNetworkV6),
        _ => throw new ArgumentException($"an IP address is 4 or 16 bytes, not {address.Length}", nameof(address)),
    };

    /// <summary>Builds the value from a <see cref="IPAddress"/>.</summary>
    public static IpAddressBytes FromIPAddress(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
        {
            throw new ArgumentException("address does not fit 16 bytes", nameof(address));
        }

        return FromSpan(bytes[..written]);
    }

    /// <summary>Parses dotted-quad or RFC 4291 text; throws on bad text (callers validate user input first).</summary>
    public static IpAddressBytes Parse(string text) => FromIPAddress(IPAddress.Parse(text));

    /// <summary>Writes the address in network order and returns the bytes written (4 or 16).</summary>
    public int CopyTo(Span<byte> destination)
    {
        if (IsV4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)Low);
            return 4;
        }

        if (Family != AddressFamily.InterNetworkV6)
        {
            throw new InvalidOperationException("default IpAddressBytes has no bytes");
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
        return 16;
    }

    /// <summary>Converts to a <see cref="IPAddress"/> (allocates; not for hot paths).</summary>
    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        int n = CopyTo(bytes);
        return new IPAddress(bytes[..n]);
    }

    /// <summary>Orders by family, then by value (IPv4 before IPv6).</summary>
    public int CompareTo(IpAddressBytes other)
    {
        int c = Family.CompareTo(other.Family);
        if (c == 0) c = High.CompareTo(other.High);
        return c != 0 ? c : Low.CompareTo(other.Low);
    }

    /// <inheritdoc/>
    public override string ToString() => Length == 0 ? "(none)" : ToIPAddress().ToString();
}
