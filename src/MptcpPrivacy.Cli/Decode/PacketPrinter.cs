using System.Text;
using MptcpPrivacy.Capture;
using System.Text.Encodings.Web;
using System.Text.Json;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Packets;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Cli.Decode;

/// <summary>Formats one packet; keeps its writer and buffers across packets so printing allocates little.</summary>
internal sealed class PacketPrinter
{
    private static readonly byte[] NewLine = [(byte)'\n'];
    private readonly Stream _output;
    private readonly bool _json;
    private readonly Utf8JsonWriter _writer;
    private readonly StringBuilder _line = new();
    private readonly StreamWriter? _text;

    private readonly bool _framesHaveInterfaces;

    public PacketPrinter(Stream output, bool json, bool framesHaveInterfaces)
    {
        _framesHaveInterfaces = framesHaveInterfaces;
        _output = output;
        _json = json;
        _writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _text = json ? null : new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
    }

    /// <summary>Prints the packet if it carries an MPTCP option; says whether it did.</summary>
    public bool Print(long frameNumber, long timestampNs, int captureInterfaceId, in TcpPacket packet, out WireError optionsError)
    {
        optionsError = WireError.None;
        TcpOptionReader options = packet.Tcp.ReadOptions();
        bool any = false;
        foreach (TcpOption option in options)
        {
            if (option.Kind == TcpOptionKind.Mptcp)
            {
                any = true;
                break;
            }
        }

        if (!any)
        {
            return false;
        }

        int interfaceIndex = FrameInterface.Of(packet.Link.InterfaceIndex, _framesHaveInterfaces, captureInterfaceId);
        bool hasInterface = interfaceIndex >= 0;
        if (_json)
        {
            optionsError = WriteJson(frameNumber, timestampNs, in packet, hasInterface, interfaceIndex);
        }
        else
        {
            optionsError = WriteText(frameNumber, timestampNs, in packet, hasInterface, interfaceIndex);
        }

        return true;
    }

    public void Flush()
    {
        _writer.Flush();
        _text?.Flush();
        _output.Flush();
    }

    private WireError WriteJson(long frameNumber, long timestampNs, in TcpPacket packet, bool hasInterface, int interfaceIndex)
    {
        Utf8JsonWriter w = _writer;
        w.WriteStartObject();
        w.WriteNumber("frame", frameNumber);
        Span<char> text = stackalloc char[48];
        w.WritePropertyName("time");
        w.WriteRawValue(text[..UnixTime.Format(timestampNs, text)], skipInputValidation: true);
        if (hasInterface)
        {
            w.WriteNumber("interface", interfaceIndex);
        }

        IpPacket ip = packet.Ip;
        w.WriteString("src", text[..IpAddressFormatter.Format(ip.Source, text)]);
        w.WriteString("dst", text[..IpAddressFormatter.Format(ip.Destination, text)]);
        TcpHeader tcp = packet.Tcp;
        w.WriteNumber("sport", tcp.SourcePort);
        w.WriteNumber("dport", tcp.DestinationPort);
        w.WriteString("tcpFlags", text[..TcpFlagText.Format(tcp.Flags, text)]);
        w.WriteNumber("seq", tcp.SequenceNumber);
        w.WriteNumber("ack", tcp.AcknowledgmentNumber);
        w.WriteNumber("payloadLength", tcp.Payload.Length);
        w.WriteStartArray("options");
        TcpOptionReader options = tcp.ReadOptions();
        foreach (TcpOption option in options)
        {
            if (option.Kind != TcpOptionKind.Mptcp)
            {
                continue;
            }

            w.WriteStartObject();
            if (MptcpOption.TryParse(option.Bytes, out MptcpOption parsed, out WireError error))
            {
                w.WriteString("subtype", parsed.Subtype.Name());
                var sink = new JsonOptionSink(w);
                MptcpOptionFields.Visit(in parsed, ref sink);
            }
            else
            {
                WriteUnparsed(w, option.Bytes, error);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (options.Error != WireError.None)
        {
            w.WriteString("optionsError", options.Error.ToString());
        }

        w.WriteEndObject();
        w.Flush();
        w.Reset();
        _output.Write(NewLine);
        return options.Error;
    }

    private static void WriteUnparsed(Utf8JsonWriter w, ReadOnlySpan<byte> bytes, WireError error)
    {
        string name = bytes.Length >= 3 ? ((MptcpSubtype)(bytes[2] >> 4)).Name() : "UNKNOWN";
        w.WriteString("subtype", name);
        if (bytes.Length >= 3)
        {
            w.WriteNumber("subtypeValue", bytes[2] >> 4);
        }

        w.WriteString("error", error.ToString());
        Span<char> hex = stackalloc char[bytes.Length * 2];
        Convert.TryToHexStringLower(bytes, hex, out _);
        w.WriteString("raw", hex);
    }

    private WireError WriteText(long frameNumber, long timestampNs, in TcpPacket packet, bool hasInterface, int interfaceIndex)
    {
        StringBuilder line = _line.Clear();
        Span<char> text = stackalloc char[48];
        line.Append(frameNumber).Append(' ').Append(text[..UnixTime.Format(timestampNs, text)]).Append(' ');
        IpPacket ip = packet.Ip;
        TcpHeader tcp = packet.Tcp;
        line.Append(text[..IpAddressFormatter.Format(ip.Source, text)]).Append('.').Append(tcp.SourcePort).Append(" > ");
        line.Append(text[..IpAddressFormatter.Format(ip.Destination, text)]).Append('.').Append(tcp.DestinationPort);
        line.Append(": Flags [").Append(text[..TcpFlagText.Format(tcp.Flags, text)]).Append("], seq ").Append(tcp.SequenceNumber);
        line.Append(", ack ").Append(tcp.AcknowledgmentNumber).Append(", length ").Append(tcp.Payload.Length);
        if (hasInterface)
        {
            line.Append(", if ").Append(interfaceIndex);
        }

        line.Append(':');
        TcpOptionReader options = tcp.ReadOptions();
        bool first = true;
        foreach (TcpOption option in options)
        {
            if (option.Kind != TcpOptionKind.Mptcp)
            {
                continue;
            }

            line.Append(first ? " " : "; ");
            first = false;
            if (MptcpOption.TryParse(option.Bytes, out MptcpOption parsed, out WireError error))
            {
                line.Append(parsed.Subtype.Name());
                var sink = new TextOptionSink(line);
                MptcpOptionFields.Visit(in parsed, ref sink);
            }
            else
            {
                line.Append("malformed MPTCP option (").Append(error).Append(") ").Append(Convert.ToHexStringLower(option.Bytes));
            }
        }

        if (options.Error != WireError.None)
        {
            line.Append("; options area damaged (").Append(options.Error).Append(')');
        }

        _text!.WriteLine(line);
        return options.Error;
    }
}
