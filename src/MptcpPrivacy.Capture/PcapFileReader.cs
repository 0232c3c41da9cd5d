using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Capture;

/// <summary>
/// Reads the classic libpcap format (draft-ietf-opsawg-pcap): one file header, then packet records.
/// </summary>
/// <remarks>
/// File header, in the byte order the magic number reveals:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   Magic number: A1B2C3D4 (us), A1B23C4D (ns), A1B2CD34 (Kuz.) |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |       Major version (2)       |       Minor version (4)       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 Reserved1 (was thiszone; ignored)             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 Reserved2 (was sigfigs; ignored)              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                            SnapLen                            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | FCS len |R|P|     Reserved3     |          LinkType           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Packet record (the Kuznetsov "modified" variant appends 8 bytes: ifindex, protocol, packet type, pad):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      Timestamp (seconds)                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Timestamp (microseconds or nanoseconds)             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Captured packet length                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Original packet length                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// /                          Packet data                          /
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
internal sealed class PcapFileReader : CaptureFileReader
{
    /// <summary>The length of the file header.</summary>
    public const int FileHeaderLength = 24;

    /// <summary>The microsecond magic number, as the writer's own byte order stores it.</summary>
    public const uint MicrosecondMagic = 0xA1B2C3D4;

    /// <summary>The nanosecond magic number.</summary>
    public const uint NanosecondMagic = 0xA1B23C4D;

    /// <summary>The magic number of Alexey Kuznetsov's patched libpcap, whose records are 8 bytes longer.</summary>
    public const uint KuznetsovMagic = 0xA1B2CD34;

    /// <summary>
    /// The largest captured length accepted when the snap length is smaller: libpcap's own ceiling.
    /// Writers do exceed their snap length a little (one of the tcpdump test files does, by a byte),
    /// so only a captured length above both this and the snap length counts as corrupt.
    /// </summary>
    public const int TolerantSnapLength = 262144;

    private const int RecordHeaderLength = 16;
    private const int KuznetsovRecordHeaderLength = 24;
    private const uint FcsPresentBit = 0x0400_0000;

    private readonly FileByteOrder order;
    private readonly bool nanosecond;
    private readonly int recordHeaderLength;
    private CaptureInterface[] interfaces = [];
    private LinkType linkType;
    private long maxCapturedLength;

    private PcapFileReader(CaptureInput input, FileByteOrder order, bool nanosecond, bool kuznetsov)
        : base(input)
    {
        this.order = order;
        this.nanosecond = nanosecond;
        recordHeaderLength = kuznetsov ? KuznetsovRecordHeaderLength : RecordHeaderLength;
    }

    public override CaptureFormat Format => CaptureFormat.Pcap;

    public override IReadOnlyList<CaptureInterface> Interfaces => interfaces;

    /// <summary>Returns a reader if <paramref name="magicLittleEndian"/> (the first 4 bytes read little-endian) is a pcap magic number.</summary>
    public static PcapFileReader? TryCreate(CaptureInput input, uint magicLittleEndian)
    {
        if (TryClassify(magicLittleEndian, out var nano, out var kuznetsov))
        {
            return new PcapFileReader(input, new FileByteOrder(BigEndian: false), nano, kuznetsov);
        }

        if (TryClassify(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(magicLittleEndian), out nano, out kuznetsov))
        {
            return new PcapFileReader(input, new FileByteOrder(BigEndian: true), nano, kuznetsov);
        }

        return null;
    }

    private static bool TryClassify(uint magic, out bool nanosecond, out bool kuznetsov)
    {
        nanosecond = magic == NanosecondMagic;
        kuznetsov = magic == KuznetsovMagic;
        return magic is MicrosecondMagic or NanosecondMagic or KuznetsovMagic;
    }

    public override void Start()
    {
        const int magicLength = 4;
        var got = magicLength + Input.Fill(magicLength, FileHeaderLength - magicLength);
        if (got < FileHeaderLength)
        {
            Fail(0, $"pcap file header cut short: the file has {got} of its {FileHeaderLength} bytes");
            return;
        }

        var header = Input.Span(0, FileHeaderLength);
        var major = order.UInt16(header[4..]);
        var minor = order.UInt16(header[6..]);
        if (major != 2)
        {
            Fail(0, $"pcap version {major}.{minor} is not supported (only 2.x)");
            return;
        }

        var snapLength = order.UInt32(header[16..]);
        var linkField = order.UInt32(header[20..]);

        // The upper 16 bits carry the FCS length (in 16-bit words) when the P bit says it is known.
        linkType = (LinkType)(ushort)linkField;
        var fcsLength = (linkField & FcsPresentBit) != 0 ? (int)(linkField >> 28) * 2 : -1;
        maxCapturedLength = Math.Min(CaptureInput.MaxRecordLength, Math.Max(snapLength, TolerantSnapLength));
        interfaces = [new CaptureInterface(linkType, ClampToInt(snapLength), null, nanosecond ? 1_000_000_000UL : 1_000_000UL, 0, fcsLength)];
    }

    protected override bool ReadNext(out CapturedFrame frame)
    {
        frame = default;
        var offset = Input.Position;
        var got = Input.Fill(0, recordHeaderLength);
        if (got == 0)
        {
            return false;
        }

        if (got < recordHeaderLength)
        {
            return Fail(offset, $"file ends {got} bytes into a {recordHeaderLength}-byte record header");
        }

        var header = Input.Span(0, recordHeaderLength);
        var seconds = order.UInt32(header);
        var fraction = order.UInt32(header[4..]);
        var capturedLength = order.UInt32(header[8..]);
        var originalLength = order.UInt32(header[12..]);
        if (capturedLength > maxCapturedLength)
        {
            return Fail(offset, $"captured length {capturedLength} is larger than the snap length {interfaces[0].SnapLength} allows (at most {maxCapturedLength})");
        }

        var length = (int)capturedLength;
        got = Input.Fill(recordHeaderLength, length);
        if (got < length)
        {
            return Fail(offset, $"file ends after {got} of the record's {length} captured bytes");
        }

        // Seconds are unsigned 32-bit, so this stays far inside a long even with a fraction over one second.
        var timestamp = ((long)seconds * 1_000_000_000) + ((long)fraction * (nanosecond ? 1 : 1000));
        frame = new CapturedFrame(NextFrameNumber(), offset, 0, linkType, timestamp, ClampToInt(originalLength), Input.Span(recordHeaderLength, length));
        return true;
    }
}
