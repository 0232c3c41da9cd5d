using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Simulation;

/// <summary>An address configured on an interface together with the length of its on-link prefix, such as 198.51.100.2/24.</summary>
public readonly record struct InterfaceAddress
{
    /// <summary>Makes an interface address.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The prefix length is negative or longer than the address.</exception>
    public InterfaceAddress(IpAddressBytes address, int prefixLength)
    {
        // IpPrefix checks the family and the length.
        _ = new IpPrefix(address, prefixLength);
        Address = address;
        PrefixLength = prefixLength;
    }

    /// <summary>Gets the address.</summary>
    public IpAddressBytes Address { get; }

    /// <summary>Gets the length of the prefix the address is on.</summary>
    public int PrefixLength { get; }

    /// <summary>Gets the prefix the address is on (198.51.100.0/24 for 198.51.100.2/24).</summary>
    public IpPrefix Prefix => new(Address, PrefixLength);

    /// <summary>Makes a host address: the prefix is the whole address (/32 or /128).</summary>
    public static InterfaceAddress Host(IpAddressBytes address) => new(address, address.Length * 8);

    /// <summary>Reads "address/length", or a bare address as a host address (/32 or /128).</summary>
    /// <exception cref="FormatException">The text is not an address; the message says why.</exception>
    public static InterfaceAddress Parse(string text) =>
        TryParse(text, out InterfaceAddress value, out string error) ? value : throw new FormatException(error);

    /// <summary>Reads "address/length" or a bare address; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string text, out InterfaceAddress value, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!AddressText.TryParseWithLength(text, lengthRequired: false, out IpAddressBytes address, out int length, out error))
        {
            value = default;
            return false;
        }

        value = new InterfaceAddress(address, length);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Address}/{PrefixLength}";
}
