namespace MptcpPrivacy.Wire.Ip;

/// <summary>
/// Formats 4-byte IPv4 and 16-byte IPv6 addresses as text without allocating: IPv4 as a dotted quad,
/// IPv6 in the canonical form of RFC 5952 §4.
/// </summary>
/// <remarks>
/// RFC 5952: hexadecimal digits in lowercase without leading zeros (§4.1, §4.3); "::" replaces the
/// longest run of two or more zero groups, the first such run on ties, and never a single zero group
/// (§4.2). Of the embedded-IPv4 forms (§5) only IPv4-mapped addresses (::ffff:0:0/96, RFC 4291
/// §2.5.5.2) are written in mixed notation, as ::ffff:a.b.c.d. This differs from
/// <c>System.Net.IPAddress.ToString()</c>, which also writes the deprecated IPv4-compatible, the
/// SIIT and the ISATAP forms in mixed notation, and writes ::ffff:0.0.x.y as ::ffff:x:y.
/// </remarks>
public static class IpAddressFormatter
{
    /// <summary>Longest IPv4 text: "255.255.255.255".</summary>
    public const int MaxIpv4Length = 15;

    /// <summary>Longest IPv6 text: eight four-digit groups and seven colons (the mixed form is at most 22).</summary>
    public const int MaxIpv6Length = 39;

    /// <summary>
    /// Writes the text of a 4- or 16-byte address into <paramref name="destination"/>. Returns false,
    /// writing nothing, when it does not fit.
    /// </summary>
    /// <exception cref="ArgumentException">The address is neither 4 nor 16 bytes long.</exception>
    public static bool TryFormat(ReadOnlySpan<byte> address, Span<char> destination, out int charsWritten)
    {
        Span<char> scratch = stackalloc char[MaxIpv6Length];
        int length = address.Length switch
        {
            4 => WriteIpv4(address, scratch),
            16 => WriteIpv6(address, scratch),
            _ => throw new ArgumentException("An IP address is 4 or 16 bytes long.", nameof(address)),
        };

        if (length > destination.Length)
        {
            charsWritten = 0;
            return false;
        }

        scratch[..length].CopyTo(destination);
        charsWritten = length;
        return true;
    }

    /// <summary>Writes the text of a 4- or 16-byte address into <paramref name="destination"/> and returns the number of characters written.</summary>
    /// <exception cref="ArgumentException">The address is neither 4 nor 16 bytes long, or the destination is too short.</exception>
    public static int Format(ReadOnlySpan<byte> address, Span<char> destination) =>
        TryFormat(address, destination, out int written)
            ? written
            : throw new ArgumentException("Destination is too short for the address text.", nameof(destination));

    private static int WriteIpv4(ReadOnlySpan<byte> address, Span<char> destination)
    {
        int position = 0;
        for (int i = 0; i < 4; i++)
        {
            if (i > 0)
            {
                destination[position++] = '.';
            }

            position += WriteDecimal(address[i], destination[position..]);
        }

        return position;
    }

    private static int WriteIpv6(ReadOnlySpan<byte> address, Span<char> destination)
    {
        Span<ushort> groups = stackalloc ushort[8];
        for (int i = 0; i < 8; i++)
        {
            groups[i] = (ushort)((address[2 * i] << 8) | address[(2 * i) + 1]);
        }

        if (groups[..5].IndexOfAnyExcept((ushort)0) < 0 && groups[5] == 0xFFFF)
        {
            // RFC 5952 §5: the IPv4-mapped prefix is well known, so the mixed form is recommended.
            "::ffff:".CopyTo(destination);
            return 7 + WriteIpv4(address[12..], destination[7..]);
        }

        // RFC 5952 §4.2.2 and §4.2.3: compress the longest run of at least two zero groups, the first on ties.
        int bestStart = -1, bestLength = 1;
        for (int i = 0; i < 8;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            int start = i;
            while (i < 8 && groups[i] == 0)
            {
                i++;
            }

            if (i - start > bestLength)
            {
                bestStart = start;
                bestLength = i - start;
            }
        }

        int position = 0;
        for (int i = 0; i < 8;)
        {
            if (i == bestStart)
            {
                destination[position++] = ':';
                destination[position++] = ':';
                i += bestLength;
                continue;
            }

            if (i > 0 && i != bestStart + bestLength)
            {
                destination[position++] = ':';
            }

            position += WriteHex(groups[i], destination[position..]);
            i++;
        }

        return position;
    }

    private static int WriteDecimal(byte value, Span<char> destination)
    {
        int digits = value >= 100 ? 3 : value >= 10 ? 2 : 1;
        for (int i = digits - 1; i >= 0; i--)
        {
            destination[i] = (char)('0' + (value % 10));
            value /= 10;
        }

        return digits;
    }

    private static int WriteHex(ushort value, Span<char> destination)
    {
        // RFC 5952 §4.1 drops leading zeros; §4.3 asks for lowercase.
        int digits = value >= 0x1000 ? 4 : value >= 0x100 ? 3 : value >= 0x10 ? 2 : 1;
        for (int i = digits - 1; i >= 0; i--)
        {
            destination[i] = "0123456789abcdef"[value & 0xF];
            value >>= 4;
        }

        return digits;
    }
}
