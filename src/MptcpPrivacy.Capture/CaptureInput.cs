namespace MptcpPrivacy.Capture;

/// <summary>
/// Feeds a capture reader from a stream through one reusable buffer, counting the bytes consumed so
/// that every record can be located by its offset in the file.
/// </summary>
/// <remarks>
/// The buffer grows only when a record needs more room, and then to exactly what that record needs
/// unless that is less than half again the current size: a stream of equal records causes one growth,
/// and a file of ever so slightly longer records still causes only logarithmically many.
/// </remarks>
internal sealed class CaptureInput : IDisposable
{
    /// <summary>The largest record or block a reader accepts; anything longer is taken as a corrupt length.</summary>
    public const int MaxRecordLength = 16 * 1024 * 1024;

    private const int InitialCapacity = 2048;

    // A pcap record header (up to 24 bytes) sits in front of up to MaxRecordLength bytes of data.
    private const int MaxHeaderSlack = 64;

    private readonly Stream stream;
    private readonly bool leaveOpen;
    private byte[] buffer = new byte[InitialCapacity];

    public CaptureInput(Stream stream, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream must be readable.", nameof(stream));
        }

        this.stream = stream;
        this.leaveOpen = leaveOpen;
    }

    /// <summary>How many bytes have been consumed from the stream: the file offset of the next byte.</summary>
    public long Position { get; private set; }

    /// <summary>The current size of the reusable buffer.</summary>
    public int Capacity => buffer.Length;

    /// <summary>The bytes read so far for the current record.</summary>
    public ReadOnlySpan<byte> Span(int start, int length) => buffer.AsSpan(start, length);

    /// <summary>
    /// Reads up to <paramref name="count"/> bytes into the buffer at <paramref name="start"/>, keeping
    /// the <paramref name="start"/> bytes before it, and returns how many arrived: fewer only at the end
    /// of the stream. An I/O error of the stream propagates.
    /// </summary>
    public int Fill(int start, int count)
    {
        if (start < 0 || count < 0 || (long)start + count > MaxRecordLength + MaxHeaderSlack)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "Readers must check record lengths before filling.");
        }

        if (count == 0)
        {
            return 0;
        }

        EnsureCapacity(start + count, keep: start);
        var got = stream.ReadAtLeast(buffer.AsSpan(start, count), count, throwOnEndOfStream: false);
        Position += got;
        return got;
    }

    public void Dispose()
    {
        if (!leaveOpen)
        {
            stream.Dispose();
        }
    }

    private void EnsureCapacity(int needed, int keep)
    {
        if (needed <= buffer.Length)
        {
            return;
        }

        var grown = new byte[Math.Max(needed, Math.Min(buffer.Length + (buffer.Length / 2), MaxRecordLength + MaxHeaderSlack))];
        buffer.AsSpan(0, keep).CopyTo(grown);
        buffer = grown;
    }
}
