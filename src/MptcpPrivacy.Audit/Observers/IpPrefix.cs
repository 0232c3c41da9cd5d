using System.Net;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Audit.Observers;

/// <summary>An IPv4 or IPv6 prefix such as 203.0.113.0/24 or 2001:db8::/32.</summary>
public readonly record struct IpPrefix(IpAddressBytes Network, int Length)
{
    /// <summary>Parses "ADDRESS/LENGTH" (or a bare address, a host prefix); false with a reason on bad text.</summary>
    public static bool TryParse(string text, out IpPrefix prefix, out string error)
    {
        prefix = default;
        string[] parts = text.Split('/');
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out IPAddress? address))
        {
            error = $"'{text}' is not an address prefix (expected e.g. 203.0.113.0/24 or 2001:db8::/32)";
            return false;
        }

        IpAddressBytes network = IpAddressBytes.FromIPAddress(address);
        int max = network.Length * 8;
        int length = max;
        if (parts.Length == 2 && (!int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length) || length > max))
        {
            error = $"'{text}': the prefix length must be 0 to {max}";
            return false;
        }

        prefix = new IpPrefix(Mask(network, length), length);
        error = "";
        return true;
    }

    /// <summary>True when <paramref name="address"/> is inside the prefix (and of its family).</summary>
    public bool Contains(IpAddressBytes address) => address.Family == Network.Family && Mask(address, Length) == Network;

    private static IpAddressBytes Mask(IpAddressBytes address, int length)
    {
        Span<byte> bytes = stackalloc byte[16];
        int n = address.CopyTo(bytes);
        for (int bit = length; bit < n * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return IpAddressBytes.FromSpan(bytes[..n]);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Network}/{Length}";
}
