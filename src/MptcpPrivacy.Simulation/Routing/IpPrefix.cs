using System.Buffers.Binary;
using System.Net.Sockets;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Simulation;

/// <summary>
/// An IPv4 or IPv6 prefix (an address and how many leading bits of it count), held by value;
/// the bits past the length are always zero, so two prefixes that cover the same addresses are equal.
/// </summary>
public readonly record struct IpPrefix
{
    /// <summary>Makes the prefix of the first <paramref name="length"/> bits of <paramref name="address"/>; the other bits are cleared.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative or longer than the address.</exception>
    public IpPrefix(IpAddressBytes address, int length)
    {
        if (address.Length == 0)
        {
            throw new ArgumentException("A prefix needs an IPv4 or IPv6 address.", nameof(address));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, address.Length * 8);
        Network = Masked(address, length);
        Length = length;
    }

    /// <summary>Gets the first address of the prefix (the host bits zero).</summary>
    public IpAddressBytes Network { get; }

    /// <summary>Gets the number of leading bits that count: 0 to 32 for IPv4, 0 to 128 for IPv6.</summary>
    public int Length { get; }

    /// <summary>Gets the address family.</summary>
    public AddressFamily Family => Network.Family;

    /// <summary>Reads "address/length", such as 198.51.100.0/24 or 2001:db8:1::/64.</summary>
    /// <exception cref="FormatException">The text is not a prefix; the message says why.</exception>
    public static IpPrefix Parse(string text) =>
        TryParse(text, out IpPrefix prefix, out string error) ? prefix : throw new FormatException(error);

    /// <summary>Reads "address/length"; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string text, out IpPrefix prefix, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!AddressText.TryParseWithLength(text, lengthRequired: true, out IpAddressBytes address, out int length, out error))
        {
            prefix = default;
            return false;
        }

        prefix = new IpPrefix(address, length);
        return true;
    }

    /// <summary>Returns whether <paramref name="address"/> is of the same family and starts with the prefix's bits.</summary>
    public bool Contains(IpAddressBytes address) =>
        address.Family == Network.Family && Length <= address.Length * 8 && Masked(address, Length) == Network;

    /// <inheritdoc/>
    public override string ToString() => $"{Network}/{Length}";

    /// <summary>Returns <paramref name="address"/> with every bit after the first <paramref name="length"/> cleared.</summary>
    internal static IpAddressBytes Masked(IpAddressBytes address, int length)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.IsV4)
        {
            uint mask = length == 0 ? 0u : uint.MaxValue << (32 - length);
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)address.Low & mask);
            return IpAddressBytes.FromSpan(bytes[..4]);
        }

        // C# shifts a ulong by the count mod 64, so the whole-word cases are spelled out.
        ulong highMask = length >= 64 ? ulong.MaxValue : length == 0 ? 0 : ulong.MaxValue << (64 - length);
        ulong lowMask = length <= 64 ? 0 : length == 128 ? ulong.MaxValue : ulong.MaxValue << (128 - length);
        BinaryPrimitives.WriteUInt64BigEndian(bytes, address.High & highMask);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], address.Low & lowMask);
        return IpAddressBytes.FromSpan(bytes);
    }
}
