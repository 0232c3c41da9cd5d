using System.Buffers.Binary;

using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Capture;

/// <summary>
/// Writes a classic pcap file, little-endian, in microsecond or nanosecond resolution; the layout
/// is drawn on the reader (PcapFileReader). Allocation-free per packet.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    private const int RecordHeaderLength = 16;
    private const long NanosecondsPerSecond = 1_000_000_000;

    private readonly Stream stream;
    private readonly bool leaveOpen;
    private bool disposed;
    private readonly int snapLength;
    private readonly bool nanosecond;

    /// <summary>Writes the pcap file header to <paramref name="stream"/>.</summary>
    /// <param name="stream">Where the file goes; written sequentially, never sought.</param>
    /// <param name="linkType">The link-layer header every packet starts with.</param>
    /// <param name="snapLength">The most bytes kept per packet; longer data is cut to it. Must be positive.</param>
    /// <param name="nanosecond">Nanosecond timestamps (magic A1B23C4D) rather than microseconds (A1B2C3D4).</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves the stream open.</param>
    public PcapWriter(Stream stream, LinkType linkType, int snapLength = 262144, bool nanosecond = true, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(snapLength, CaptureInput.MaxRecordLength);
        this.stream = stream;
        this.leaveOpen = leaveOpen;
        this.snapLength = snapLength;
        this.nanosecond = nanosecond;

        Span<byte> header = stackalloc byte[PcapFileReader.FileHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, nanosecond ? PcapFileReader.NanosecondMagic : PcapFileReader.MicrosecondMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (ushort)linkType);
        stream.Write(header);
    }

    /// <summary>Writes one packet record.</summary>
    /// <param name="timestampNs">Nanoseconds since the Unix epoch; must fit the format's unsigned 32-bit seconds (1970 to 2106).</param>
    /// <param name="data">The packet, starting with its link-layer header; cut to the snap length.</param>
    /// <param name="originalLength">The length on the wire; -1 means <paramref name="data"/>'s length. Must not be less than that.</param>
    public void Write(long timestampNs, ReadOnlySpan<byte> data, int originalLength = -1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestampNs);
        var seconds = timestampNs / NanosecondsPerSecond;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seconds, uint.MaxValue, nameof(timestampNs));
        var fraction = timestampNs % NanosecondsPerSecond;
        var captured = Math.Min(data.Length, snapLength);
        var original = PacketLengths.Original(data.Length, originalLength);

        Span<byte> header = stackalloc byte[RecordHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(nanosecond ? fraction : fraction / 1000));
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], captured);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], original);
        stream.Write(header);
        stream.Write(data[..captured]);
    }

    /// <summary>Flushes the stream.</summary>
    public void Flush() => stream.Flush();

    /// <summary>Flushes, then closes the stream unless the writer was created with leaveOpen.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        stream.Flush();
        if (!leaveOpen)
        {
            stream.Dispose();
        }
    }
}
