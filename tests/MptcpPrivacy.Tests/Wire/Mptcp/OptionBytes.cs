using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Tests.Wire.Mptcp;

/// <summary>The checks every option's byte literal goes through (STYLE.md, "Tests").</summary>
internal static class OptionBytes
{
    private const byte Marker = 0xa5;

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>Parses through the union, checks the subtype, and returns the option.</summary>
    public static MptcpOption Parse(string hex, MptcpSubtype expected)
    {
        byte[] bytes = Hex(hex);
        Assert.True(MptcpOption.TryParse(bytes, out MptcpOption option, out WireError error), $"did not parse: {error}");
        Assert.Equal(WireError.None, error);
        Assert.Equal(expected, option.Subtype);
        return option;
    }

    /// <summary>
    /// Encodes into a buffer pre-filled with a marker and compares with the literal; checks that no
    /// byte past the option was touched; then checks every truncation is refused without throwing.
    /// </summary>
    public static void AssertWritesBackAndRefusesTruncation(string hex)
    {
        byte[] bytes = Hex(hex);
        Assert.True(MptcpOption.TryParse(bytes, out MptcpOption option, out _));
        Assert.Equal(bytes.Length, option.EncodedLength);

        byte[] buffer = new byte[bytes.Length + 8];
        Array.Fill(buffer, Marker);
        int written = option.Encode(buffer);
        Assert.Equal(bytes.Length, written);
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(buffer, 0, written));
        Assert.All(buffer[written..], b => Assert.Equal(Marker, b));

        for (int cut = 0; cut < bytes.Length; cut++)
        {
            Assert.False(MptcpOption.TryParse(bytes.AsSpan(0, cut), out _, out WireError error), $"parsed when cut to {cut} bytes");
            Assert.Equal(WireError.Truncated, error);
        }
    }

    /// <summary>Rewrites the length byte to every other value and checks the parser refuses or re-reads consistently.</summary>
    public static void AssertOtherLengthsRefused(string hex, params int[] alsoValid)
    {
        byte[] original = Hex(hex);
        for (int length = 0; length <= 40; length++)
        {
            if (length == original.Length || Array.IndexOf(alsoValid, length) >= 0)
            {
                continue;
            }

            byte[] bytes = new byte[Math.Max(length, original.Length)];
            original.CopyTo(bytes, 0);
            bytes[1] = (byte)length;
            bool ok = MptcpOption.TryParse(bytes, out _, out WireError error);
            Assert.False(ok, $"length {length} accepted");
            Assert.True(error is WireError.BadLength, $"length {length}: {error}");
        }
    }
}
