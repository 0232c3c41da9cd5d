using System.Text.Json;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Cli.Decode;

/// <summary>Writes option fields as JSON properties; hex values as lowercase strings, numbers as JSON numbers.</summary>
internal readonly ref struct JsonOptionSink(Utf8JsonWriter writer) : IMptcpOptionFieldSink
{
    public void Hex(string name, ulong value, int digits)
    {
        Span<char> text = stackalloc char[16];
        value.TryFormat(text, out _, digits == 16 ? "x16" : digits == 8 ? "x8" : digits == 4 ? "x4" : "x");
        writer.WriteString(name, text[..digits]);
    }

    public void Hex(string name, Hmac160 value)
    {
        Span<byte> bytes = stackalloc byte[Hmac160.Length];
        value.CopyTo(bytes);
        Span<char> text = stackalloc char[Hmac160.Length * 2];
        Convert.TryToHexStringLower(bytes, text, out _);
        writer.WriteString(name, text);
    }

    public void Number(string name, ulong value) => writer.WriteNumber(name, value);

    public void Flag(string name, bool value) => writer.WriteBoolean(name, value);

    public void Address(string name, IpAddressBytes value)
    {
        Span<byte> bytes = stackalloc byte[16];
        int length = value.CopyTo(bytes);
        Span<char> text = stackalloc char[IpAddressFormatter.MaxIpv6Length];
        writer.WriteString(name, text[..IpAddressFormatter.Format(bytes[..length], text)]);
    }

    public void Numbers(string name, scoped ReadOnlySpan<byte> values)
    {
        writer.WriteStartArray(name);
        foreach (byte value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    public void Bytes(string name, scoped ReadOnlySpan<byte> value)
    {
        Span<char> text = stackalloc char[value.Length * 2];
        Convert.TryToHexStringLower(value, text, out _);
        writer.WriteString(name, text);
    }

    public void Word(string name, string value) => writer.WriteString(name, value);
}
