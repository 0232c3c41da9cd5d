using System.Buffers.Binary;

namespace MptcpPrivacy.Capture;

/// <summary>
/// Reads packets from a pcap or pcapng capture, one at a time, in constant memory: one reusable
/// buffer as large as the largest record seen. Faults of the file end the reading and are
/// reported in <see cref="Error"/>; only I/O errors of the underlying stream throw.
/// </summary>
/// <remarks>
/// Offsets count from where the stream was when the reader was opened. The stream need not seek.
/// Records and blocks longer than 16 MiB are taken as corrupt lengths.
/// </remarks>
public sealed class CaptureReader : IDisposable
{
    private const int MagicLength = 4;

    private readonly CaptureInput input;
    private readonly CaptureFileReader? reader;
    private readonly CaptureError? openError;

    private CaptureReader(CaptureInput input)
    {
        this.input = input;
        var got = input.Fill(0, MagicLength);
        if (got < MagicLength)
        {
            openError = new CaptureError(0, 1, got == 0 ? "the file is empty" : $"the file is {got} bytes long, too short for a capture file header");
            return;
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(input.Span(0, MagicLength));
        reader = magic == PcapngBlockType.SectionHeader
            ? new PcapngFileReader(input, MagicLength)
            : PcapFileReader.TryCreate(input, magic);
        if (reader is null)
        {
            openError = new CaptureError(0, 1, $"not a pcap or pcapng file: magic number 0x{magic:X8} (read little-endian)");
            return;
        }

        reader.Start();
    }

    /// <summary>The container format, or <see cref="CaptureFormat.Unknown"/> if the magic number was not recognised.</summary>
    public CaptureFormat Format => reader?.Format ?? CaptureFormat.Unknown;

    /// <summary>
    /// The interfaces of the current section: for pcapng the Interface Description Blocks seen so
    /// far (a new section starts a new list), for pcap the single interface of the file header.
    /// </summary>
    public IReadOnlyList<CaptureInterface> Interfaces => reader?.Interfaces ?? [];

    /// <summary>Why reading stopped early, or <see langword="null"/> while reading and after a clean end of file.</summary>
    public CaptureError? Error => openError ?? reader?.Error;

    /// <summary>The size of the reusable buffer, for tests of the constant-memory promise.</summary>
    internal int BufferCapacity => input.Capacity;

    /// <summary>Opens the capture file at <paramref name="path"/> for sequential reading; throws if it cannot be opened.</summary>
    public static CaptureReader Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        try
        {
            return Open(stream, leaveOpen: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Starts reading a capture from <paramref name="stream"/> and reads its file header.</summary>
    /// <param name="stream">A readable stream positioned at the start of the capture.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves the stream open.</param>
    public static CaptureReader Open(Stream stream, bool leaveOpen = false) => new(new CaptureInput(stream, leaveOpen));

    /// <summary>
    /// Reads the next packet. Returns <see langword="false"/> at the end of the file or at the first
    /// fault of the file (then <see cref="Error"/> says where); every packet before the fault is delivered.
    /// </summary>
    /// <param name="frame">The packet; its data is valid until the next call.</param>
    public bool TryReadNext(out CapturedFrame frame)
    {
        if (reader is null)
        {
            frame = default;
            return false;
        }

        return reader.TryReadNext(out frame);
    }

    /// <summary>Closes the stream unless the reader was opened with leaveOpen.</summary>
    public void Dispose() => input.Dispose();
}
