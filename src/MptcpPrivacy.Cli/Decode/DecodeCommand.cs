using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Packets;
using MptcpPrivacy.Wire.Tcp;
using WireLinkType = MptcpPrivacy.Wire.Link.LinkType;

namespace MptcpPrivacy.Cli.Decode;

/// <summary>
/// <c>mptcp-privacy decode FILE [--json]</c>: prints every packet that carries an MPTCP option,
/// one JSON object per line or one readable line per packet. Field names: docs/decode-json.md.
/// </summary>
internal static class DecodeCommand
{
    /// <summary>Exit code when the whole file was read.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code when the file is damaged: everything before the damage was printed.</summary>
    public const int ExitDamaged = 1;

    /// <summary>Exit code when the file could not be opened or is not a capture.</summary>
    public const int ExitCannotRead = 2;

    /// <summary>How many malformed-packet warnings are printed before they are only counted.</summary>
    private const int MaxWarnings = 20;

    /// <summary>Decodes <paramref name="path"/> to <paramref name="output"/>; warnings and errors go to <paramref name="errors"/>.</summary>
    public static int Run(string path, bool json, Stream output, TextWriter errors)
    {
        CaptureReader reader;
        try
        {
            reader = CaptureReader.Open(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"decode: cannot open {path}: {e.Message}");
            return ExitCannotRead;
        }

        using (reader)
        {
            using var buffered = new BufferedStream(output, 1 << 16);
            var printer = new PacketPrinter(buffered, json, reader.Format == CaptureFormat.Pcapng);
            long warnings = 0;
            long frames = 0;
            while (reader.TryReadNext(out CapturedFrame frame))
            {
                frames++;
                PacketDecodeResult result = TcpPacket.TryDecode((WireLinkType)frame.LinkType, frame.Data, out TcpPacket packet, out PacketLayer layer, out WireError error);
                if (result == PacketDecodeResult.Malformed)
                {
                    Warn(errors, ref warnings, $"frame {frame.Number} (byte offset {frame.ByteOffset}): {Describe(layer)} header: {error}");
                    continue;
                }

                if (result == PacketDecodeResult.Tcp && printer.Print(in frame, in packet, out WireError optionsError) && optionsError != WireError.None)
                {
                    Warn(errors, ref warnings, $"frame {frame.Number} (byte offset {frame.ByteOffset}): TCP options: {optionsError}; options after the fault were not read");
                }
            }

            printer.Flush();
            if (warnings > MaxWarnings)
            {
                errors.WriteLine($"decode: {path}: {warnings - MaxWarnings} more malformed packets not shown ({warnings} in all)");
            }

            if (reader.Error is { } damage)
            {
                bool notACapture = reader.Format == CaptureFormat.Unknown;
                errors.WriteLine($"decode: {path}: {damage}" + (notACapture ? "" : $"; the {frames} frames before it were decoded"));
                return notACapture ? ExitCannotRead : ExitDamaged;
            }

            return ExitOk;
        }
    }

    private static string Describe(PacketLayer layer) => layer switch
    {
        PacketLayer.Link => "link-layer",
        PacketLayer.Network => "IP",
        _ => "TCP",
    };

    private static void Warn(TextWriter errors, ref long warnings, string message)
    {
        if (++warnings <= MaxWarnings)
        {
            errors.WriteLine($"decode: warning: {message}");
        }
    }

    /// <summary>Formats one packet; keeps its writer and buffers across packets so printing allocates little.</summary>
    private sealed class PacketPrinter
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
        public bool Print(in CapturedFrame frame, in TcpPacket packet, out WireError optionsError)
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

            int interfaceIndex = packet.Link.InterfaceIndex >= 0 ? packet.Link.InterfaceIndex : frame.InterfaceId;
            bool hasInterface = packet.Link.InterfaceIndex >= 0 || _framesHaveInterfaces;
            if (_json)
            {
                optionsError = WriteJson(in frame, in packet, hasInterface, interfaceIndex);
            }
            else
            {
                optionsError = WriteText(in frame, in packet, hasInterface, interfaceIndex);
            }

            return true;
        }

        public void Flush()
        {
            _writer.Flush();
            _text?.Flush();
            _output.Flush();
        }

        private WireError WriteJson(in CapturedFrame frame, in TcpPacket packet, bool hasInterface, int interfaceIndex)
        {
            Utf8JsonWriter w = _writer;
            w.WriteStartObject();
            w.WriteNumber("frame", frame.Number);
            Span<char> text = stackalloc char[48];
            w.WritePropertyName("time");
            w.WriteRawValue(text[..FormatTime(frame.TimestampNanoseconds, text)], skipInputValidation: true);
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

        private WireError WriteText(in CapturedFrame frame, in TcpPacket packet, bool hasInterface, int interfaceIndex)
        {
            StringBuilder line = _line.Clear();
            Span<char> text = stackalloc char[48];
            line.Append(frame.Number).Append(' ').Append(text[..FormatTime(frame.TimestampNanoseconds, text)]).Append(' ');
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

        /// <summary>Unix time in seconds with nanoseconds, e.g. 1589400000.123456789.</summary>
        private static int FormatTime(long nanoseconds, Span<char> destination)
        {
            long seconds = Math.DivRem(nanoseconds, 1_000_000_000L, out long fraction);
            if (fraction < 0)
            {
                seconds--;
                fraction += 1_000_000_000L;
            }

            seconds.TryFormat(destination, out int n);
            destination[n++] = '.';
            fraction.TryFormat(destination[n..], out int m, "D9");
            return n + m;
        }
    }
}
