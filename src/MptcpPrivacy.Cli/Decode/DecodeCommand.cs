using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Wire;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Packets;
using MptcpPrivacy.Wire.Tcp;
using MptcpPrivacy.Wire.Link;

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
                PacketDecodeResult result = TcpPacket.TryDecode(frame.LinkType, frame.Data, out TcpPacket packet, out PacketLayer layer, out WireError error);
                if (result == PacketDecodeResult.Malformed)
                {
                    Warn(errors, ref warnings, $"frame {frame.Number} (byte offset {frame.ByteOffset}): {Describe(layer)} header: {error}");
                    continue;
                }

                if (result == PacketDecodeResult.Tcp && printer.Print(frame.Number, frame.TimestampNanoseconds, frame.InterfaceId, in packet, out WireError optionsError) && optionsError != WireError.None)
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
}
