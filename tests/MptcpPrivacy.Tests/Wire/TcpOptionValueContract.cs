using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>The checks every TCP option value gets, in the STYLE.md order, shared so that each option's tests only list its bytes.</summary>
internal static class TcpOptionValueContract
{
    public delegate bool Parser<T>(ReadOnlySpan<byte> option, out T value, out WireError error);

    public static T Parse<T>(Parser<T> parse, byte[] bytes)
    {
        Assert.True(parse(bytes, out T value, out WireError error), $"{Hex.Of(bytes)}: {error}");
        Assert.Equal(WireError.None, error);
        return value;
    }

    /// <summary>Encodes into a buffer of marker bytes and checks the option's bytes are written and nothing else.</summary>
    public static void AssertEncodes<T>(T value, byte[] expected)
        where T : ITcpOptionValue
    {
        byte[] buffer = new byte[expected.Length + 3];
        buffer.AsSpan().Fill(0xCC);
        Assert.Equal(expected.Length, value.EncodedLength);
        Assert.Equal(expected.Length, value.Encode(buffer));
        Assert.Equal(Hex.Of(expected), Hex.Of(buffer.AsSpan(0, expected.Length)));
        Assert.Equal("cccccc", Hex.Of(buffer.AsSpan(expected.Length)));
        Assert.Throws<ArgumentException>(() => value.Encode(new byte[expected.Length - 1]));
    }

    public static void AssertEveryTruncationFails<T>(Parser<T> parse, byte[] bytes)
    {
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.False(parse(bytes.AsSpan(0, length), out _, out WireError error));
            Assert.Equal(WireError.Truncated, error);
        }
    }

    /// <summary>Every length field but the valid ones is BadLength, whatever the bytes after it.</summary>
    public static void AssertOtherLengthsAreBad<T>(Parser<T> parse, byte[] bytes, params int[] validLengths)
    {
        for (int length = 0; length < 256; length++)
        {
            if (validLengths.Contains(length))
            {
                continue;
            }

            byte[] copy = new byte[Math.Max(bytes.Length, length)];
            bytes.CopyTo(copy, 0);
            copy[1] = (byte)length;
            Assert.False(parse(copy, out _, out WireError error));
            Assert.Equal(WireError.BadLength, error);
        }
    }

    public static void AssertOtherKindsAreBadValue<T>(Parser<T> parse, byte[] bytes)
    {
        for (int kind = 0; kind < 256; kind++)
        {
            if (kind == bytes[0])
            {
                continue;
            }

            byte[] copy = (byte[])bytes.Clone();
            copy[0] = (byte)kind;
            Assert.False(parse(copy, out _, out WireError error));
            Assert.Equal(WireError.BadValue, error);
        }
    }

    public static void AssertRoundTrip<T>(Parser<T> parse, byte[] bytes)
        where T : ITcpOptionValue
    {
        T value = Parse(parse, bytes);
        byte[] encoded = new byte[value.EncodedLength];
        value.Encode(encoded);
        Assert.Equal(Hex.Of(bytes), Hex.Of(encoded));
    }

    /// <summary>FsCheck: no input throws, and what parses encodes back to its own bytes.</summary>
    public static void AssertPropertiesHold<T>(Parser<T> parse, TcpOptionKind kind)
        where T : ITcpOptionValue =>
        PropertyCheck.ForAll(PropertyCheck.BytesStartingWith(40, (byte)kind, (byte)kind, (byte)kind, 0, 1), bytes =>
        {
            if (bytes.Length > 1 && bytes[0] == (byte)kind && bytes[^1] % 2 == 0)
            {
                bytes[1] = (byte)Math.Min(bytes.Length, bytes[1] % 40);
            }

            if (parse(bytes, out T value, out WireError error))
            {
                byte[] encoded = new byte[value.EncodedLength];
                value.Encode(encoded);
                Assert.Equal(Hex.Of(bytes.AsSpan(0, bytes[1])), Hex.Of(encoded));
            }
            else
            {
                Assert.NotEqual(WireError.None, error);
            }
        }, maxTest: 3000);
}
