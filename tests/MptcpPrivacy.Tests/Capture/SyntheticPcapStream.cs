using System.Buffers.Binary;

namespace MptcpPrivacy.Tests.Capture;

/// <summary>
/// A read-only, non-seekable stream that produces a little-endian microsecond pcap file of
/// <c>recordCount</c> equal records on the fly, so tests can read files larger than memory.
/// Record i has timestamp i seconds and data whose first and last bytes are (byte)i.
/// </summary>
internal sealed class SyntheticPcapStream : Stream
{
    public const int FileHeaderLength = 24;
    public const int RecordHeaderLength = 16;

    private readonly byte[] fileHeader = new byte[FileHeaderLength];
    private readonly byte[] payload;
    private readonly long length;
    private readonly byte[] recordHeader = new byte[RecordHeaderLength];
    private long position;

    /// <param name="recordCount">How many records the file has.</param>
    /// <param name="dataLength">The captured (and original) length of each record.</param>
    /// <param name="cutShortBy">How many bytes to drop from the end, to make a truncated file.</param>
    public SyntheticPcapStream(long recordCount, int dataLength, long cutShortBy = 0)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(fileHeader, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(fileHeader.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(fileHeader.AsSpan(6), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(fileHeader.AsSpan(16), 262144);
        BinaryPrimitives.WriteUInt32LittleEndian(fileHeader.AsSpan(20), 101);
        payload = new byte[dataLength];
        payload.AsSpan().Fill(0x5A);
        RecordLength = RecordHeaderLength + dataLength;
        length = FileHeaderLength + (recordCount * RecordLength) - cutShortBy;
    }

    public int RecordLength { get; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        var written = 0;
        while (written < buffer.Length && position < length)
        {
            ReadOnlySpan<byte> source;
            if (position < FileHeaderLength)
            {
                source = fileHeader.AsSpan((int)position);
            }
            else
            {
                var index = Math.DivRem(position - FileHeaderLength, RecordLength, out var within);
                if (within < RecordHeaderLength)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(recordHeader, (uint)index);
                    BinaryPrimitives.WriteUInt32LittleEndian(recordHeader.AsSpan(4), 0);
                    BinaryPrimitives.WriteInt32LittleEndian(recordHeader.AsSpan(8), payload.Length);
                    BinaryPrimitives.WriteInt32LittleEndian(recordHeader.AsSpan(12), payload.Length);
                    source = recordHeader.AsSpan((int)within);
                }
                else
                {
                    payload[0] = (byte)index;
                    payload[^1] = (byte)index;
                    source = payload.AsSpan((int)within - RecordHeaderLength);
                }
            }

            var count = (int)Math.Min(Math.Min(source.Length, buffer.Length - written), length - position);
            source[..count].CopyTo(buffer[written..]);
            written += count;
            position += count;
        }

        return written;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
