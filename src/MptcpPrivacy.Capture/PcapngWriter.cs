using System.Buffers.Binary;
using System.Text;

using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Capture;

/// <summary>
/// Writes a pcapng file, little-endian: one section, Interface Description Blocks with nanosecond
/// timestamps (if_tsresol = 9), and Enhanced Packet Blocks; the layout is drawn on the reader
/// (PcapngFileReader). Allocation-free per packet.
/// </summary>
public sealed class PcapngWriter : IDisposable
{
    private const int SectionHeaderLength = 28;
    private const int EnhancedPacketFixedLength = 32;
    private const int InterfaceFixedLength = 20;
    private const int OptionHeaderLength = 4;

    private readonly Stream stream;
    private readonly bool leaveOpen;
    private bool disposed;
    private readonly List<int> snapLengths = [];

    /// <summary>Writes the Section Header Block (version 1.0, section length unspecified) to <paramref name="stream"/>.</summary>
    /// <param name="stream">Where the file goes; written sequentially, never sought.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves the stream open.</param>
    public PcapngWriter(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        this.stream = stream;
        this.leaveOpen = leaveOpen;

        Span<byte> block = stackalloc byte[SectionHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(block, PcapngBlockType.SectionHeader);
        BinaryPrimitives.WriteInt32LittleEndian(block[4..], SectionHeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(block[8..], PcapngBlockType.ByteOrderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(block[12..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(block[14..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(block[16..], -1);
        BinaryPrimitives.WriteInt32LittleEndian(block[24..], SectionHeaderLength);
        stream.Write(block);
    }

    /// <summary>Writes an Interface Description Block and returns the new interface's id (0, 1, ...).</summary>
    /// <param name="linkType">The link-layer header of the interface's packets.</param>
    /// <param name="snapLength">The most bytes kept per packet; longer data is cut to it. Must be positive.</param>
    /// <param name="name">The if_name option, or <see langword="null"/> for none.</param>
    public int AddInterface(LinkType linkType, int snapLength = 262144, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(snapLength, CaptureInput.MaxRecordLength);
        var nameBytes = name is null ? [] : Encoding.UTF8.GetBytes(name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nameBytes.Length, ushort.MaxValue, nameof(name));

        var nameOptionLength = name is null ? 0 : OptionHeaderLength + Padded(nameBytes.Length);
        const int resolutionOptionLength = OptionHeaderLength + 4;
        var length = InterfaceFixedLength + nameOptionLength + resolutionOptionLength + OptionHeaderLength;
        var block = new byte[length];
        var span = block.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, PcapngBlockType.InterfaceDescription);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], (ushort)linkType);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], snapLength);
        var at = 16;
        if (name is not null)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[at..], PcapngOptionCode.InterfaceName);
            BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 2)..], (ushort)nameBytes.Length);
            nameBytes.CopyTo(span[(at + OptionHeaderLength)..]);
            at += nameOptionLength;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], PcapngOptionCode.TimestampResolution);
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 2)..], 1);
        span[at + OptionHeaderLength] = 9;

        // opt_endofopt is the four zero bytes already there.
        BinaryPrimitives.WriteInt32LittleEndian(span[^4..], length);
        stream.Write(block);
        snapLengths.Add(snapLength);
        return snapLengths.Count - 1;
    }

    /// <summary>Writes one Enhanced Packet Block.</summary>
    /// <param name="interfaceId">An id returned by <see cref="AddInterface"/>.</param>
    /// <param name="timestampNs">Nanoseconds since the Unix epoch; must not be negative.</param>
    /// <param name="data">The packet, starting with its link-layer header; cut to the interface's snap length.</param>
    /// <param name="originalLength">The length on the wire; -1 means <paramref name="data"/>'s length. Must not be less than that.</param>
    public void WriteEnhancedPacket(int interfaceId, long timestampNs, ReadOnlySpan<byte> data, int originalLength = -1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(interfaceId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(interfaceId, snapLengths.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(timestampNs);
        var captured = Math.Min(data.Length, snapLengths[interfaceId]);
        var original = PacketLengths.Original(data.Length, originalLength);
        var padded = Padded(captured);
        var length = EnhancedPacketFixedLength + padded;

        Span<byte> header = stackalloc byte[EnhancedPacketFixedLength - 4];
        BinaryPrimitives.WriteUInt32LittleEndian(header, PcapngBlockType.EnhancedPacket);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], length);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], interfaceId);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)((ulong)timestampNs >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)timestampNs);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], captured);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], original);
        stream.Write(header);
        stream.Write(data[..captured]);

        // Zero padding to 32 bits, then the trailing length, in one write.
        Span<byte> trailer = stackalloc byte[8];
        trailer.Clear();
        var paddingLength = padded - captured;
        BinaryPrimitives.WriteInt32LittleEndian(trailer[paddingLength..], length);
        stream.Write(trailer[..(paddingLength + 4)]);
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

    private static int Padded(int length) => (length + 3) & ~3;
}
