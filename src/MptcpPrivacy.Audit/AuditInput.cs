using MptcpPrivacy.Capture;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Audit;

/// <summary>
/// Reads one or more capture files as one stream of frames in time order (a k-way merge on the
/// timestamps). Each file is read in constant memory; only the next frame of each is held. A file
/// that is damaged stops contributing at the damage, the others go on.
/// </summary>
public sealed class AuditInput : IDisposable
{
    private readonly Source[] _sources;

    /// <summary>Opens the files; a file that cannot be opened throws (the caller reports it).</summary>
    public AuditInput(IReadOnlyList<string> paths)
    {
        _sources = new Source[paths.Count];
        try
        {
            for (int i = 0; i < paths.Count; i++)
            {
                _sources[i] = new Source(i + 1, paths[i], CaptureReader.Open(paths[i]));
                _sources[i].Advance();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The files, in the order given (file index = position + 1).</summary>
    public IEnumerable<(string Path, CaptureError? Error, long Frames)> Files => _sources.Select(s => (s.Path, s.Reader.Error, s.Frames));

    /// <summary>The next frame in time order across all files; false when every file is done.</summary>
    public bool TryReadNext(out InputFrame frame)
    {
        Source? next = null;
        foreach (Source source in _sources)
        {
            if (source is { HasFrame: true } && (next is null || source.TimestampNs < next.TimestampNs))
            {
                next = source;
            }
        }

        if (next is null)
        {
            frame = default;
            return false;
        }

        frame = new InputFrame(next.File, next.Number, next.ByteOffset, next.InterfaceId, next.HasInterfaces, next.LinkType, next.TimestampNs, next.Data.AsSpan(0, next.Length));
        next.Pending = true;
        return true;
    }

    /// <summary>Releases the frame returned last and reads ahead in its file.</summary>
    public void Release()
    {
        foreach (Source source in _sources)
        {
            if (source.Pending)
            {
                source.Pending = false;
                source.Advance();
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (Source? source in _sources)
        {
            source?.Reader.Dispose();
        }
    }

    private sealed class Source(int file, string path, CaptureReader reader)
    {
        public int File { get; } = file;
        public string Path { get; } = path;
        public CaptureReader Reader { get; } = reader;
        public bool HasFrame { get; private set; }
        public bool Pending { get; set; }
        public long Frames { get; private set; }
        public long Number { get; private set; }
        public long ByteOffset { get; private set; }
        public int InterfaceId { get; private set; }
        public bool HasInterfaces => Reader.Format == CaptureFormat.Pcapng;
        public LinkType LinkType { get; private set; }
        public long TimestampNs { get; private set; }
        public byte[] Data { get; private set; } = new byte[2048];
        public int Length { get; private set; }

        public void Advance()
        {
            HasFrame = Reader.TryReadNext(out CapturedFrame frame);
            if (!HasFrame)
            {
                return;
            }

            Frames++;
            Number = frame.Number;
            ByteOffset = frame.ByteOffset;
            InterfaceId = frame.InterfaceId;
            LinkType = frame.LinkType;
            TimestampNs = frame.TimestampNanoseconds;
            if (Data.Length < frame.Data.Length)
            {
                Data = new byte[Math.Max(frame.Data.Length, Data.Length * 2)];
            }

            frame.Data.CopyTo(Data);
            Length = frame.Data.Length;
        }
    }
}

/// <summary>One frame of an <see cref="AuditInput"/>: where it came from and its bytes (valid until the next read).</summary>
public readonly ref struct InputFrame(int file, long number, long byteOffset, int interfaceId, bool hasInterfaces, LinkType linkType, long timestampNs, ReadOnlySpan<byte> data)
{
    /// <summary>1-based index of the file.</summary>
    public int File { get; } = file;

    /// <summary>1-based frame number within its file.</summary>
    public long Number { get; } = number;

    /// <summary>Byte offset of the frame's record in its file.</summary>
    public long ByteOffset { get; } = byteOffset;

    /// <summary>The pcapng interface id (0 for pcap).</summary>
    public int InterfaceId { get; } = interfaceId;

    /// <summary>True when the file format has interface ids (pcapng).</summary>
    public bool HasInterfaces { get; } = hasInterfaces;

    /// <summary>The link type of the frame's interface.</summary>
    public LinkType LinkType { get; } = linkType;

    /// <summary>Capture time, Unix nanoseconds.</summary>
    public long TimestampNs { get; } = timestampNs;

    /// <summary>The frame's bytes.</summary>
    public ReadOnlySpan<byte> Data { get; } = data;
}
