using System.Text;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;

namespace MptcpPrivacy.Cli.Decode;

/// <summary>Writes option fields as "name value" pairs for the readable, tcpdump-like output.</summary>
internal readonly ref struct TextOptionSink(StringBuilder line) : IMptcpOptionFieldSink
{
    public void Hex(string name, ulong value, int digits) =>
        line.Append(' ').Append(name).Append(' ').Append(value.ToString(digits switch { 16 => "x16", 8 => "x8", 4 => "x4", _ => "x" }));

    public void Hex(string name, Hmac160 value) => line.Append(' ').Append(name).Append(' ').Append(value.ToString());

    public void Number(string name, ulong value) => line.Append(' ').Append(name).Append(' ').Append(value);

    public void Flag(string name, bool value)
    {
        // Only set flags are worth a word in a one-line summary.
        if (value)
        {
            line.Append(' ').Append(name);
        }
    }

    public void Address(string name, IpAddressBytes value) => line.Append(' ').Append(name).Append(' ').Append(value.ToString());

    public void Numbers(string name, scoped ReadOnlySpan<byte> values)
    {
        line.Append(' ').Append(name).Append(' ');
        for (int i = 0; i < values.Length; i++)
        {
            line.Append(i == 0 ? "" : ",").Append(values[i]);
        }
    }

    public void Bytes(string name, scoped ReadOnlySpan<byte> value) => line.Append(' ').Append(name).Append(' ').Append(Convert.ToHexStringLower(value));

    public void Word(string name, string value) => line.Append(' ').Append(name).Append(' ').Append(value);
}
