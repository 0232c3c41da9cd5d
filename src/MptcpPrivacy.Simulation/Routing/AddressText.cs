using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Simulation;

/// <summary>Reads addresses and prefixes from text a person wrote, with an error that says what is wrong.</summary>
/// <remarks>
/// <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> alone is too kind for scenario files: it
/// reads "1" as a whole IPv4 address and accepts scope ids. An IPv4 address must be four dotted decimals here.
/// </remarks>
internal static class AddressText
{
    /// <summary>Reads an IPv4 dotted quad or an IPv6 address (RFC 4291 §2.2 text, no scope id).</summary>
    public static bool TryParseAddress(string text, out IpAddressBytes address, out string error)
    {
        address = default;
        bool looksV6 = text.Contains(':', StringComparison.Ordinal);
        if (text.Length == 0 || text.Contains('%', StringComparison.Ordinal)
            || (!looksV6 && !IsDottedQuad(text))
            || !IPAddress.TryParse(text, out IPAddress? parsed)
            || (parsed.AddressFamily == AddressFamily.InterNetworkV6) != looksV6)
        {
            error = $"\"{text}\" is not an IPv4 address (four dotted decimals) or an IPv6 address";
            return false;
        }

        address = IpAddressBytes.FromIPAddress(parsed);
        error = "";
        return true;
    }

    /// <summary>Reads "address/length", or a bare address as a host (/32 or /128) when <paramref name="lengthRequired"/> is false.</summary>
    public static bool TryParseWithLength(string text, bool lengthRequired, out IpAddressBytes address, out int length, out string error)
    {
        length = 0;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressPart = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressPart, out address, out error))
        {
            return false;
        }

        int maximum = address.Length * 8;
        if (slash < 0)
        {
            if (lengthRequired)
            {
                error = $"\"{text}\" has no prefix length (write it as {addressPart}/{maximum} or shorter)";
                return false;
            }

            length = maximum;
            return true;
        }

        string lengthPart = text[(slash + 1)..];
        if (!int.TryParse(lengthPart, NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > maximum)
        {
            error = $"\"{text}\" has a bad prefix length \"{lengthPart}\" (0 to {maximum} for {(address.IsV4 ? "IPv4" : "IPv6")})";
            return false;
        }

        return true;
    }

    /// <summary>Returns whether <paramref name="text"/> is four decimals 0 to 255 with dots and no leading zeros (which some readers take as octal).</summary>
    private static bool IsDottedQuad(string text)
    {
        string[] parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (string part in parts)
        {
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0')
                || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value > 255)
            {
                return false;
            }
        }

        return true;
    }
}
