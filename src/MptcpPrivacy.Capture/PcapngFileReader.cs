using System.Buffers.Binary;
using System.Text;

using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Capture;

/// <summary>
/// Reads PCAP Next Generation files (draft-ietf-opsawg-pcapng): sections of blocks, each section in
/// its own byte order with its own list of interfaces.
/// </summary>
/// <remarks>
/// Every block has the same frame; the reader checks it before looking inside:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                          Block Type                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      Block Total Length                       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// /                          Block Body                           /
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      Block Total Length                       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Bodies read here (after type and length):
/// <code>
/// SHB  (0x0A0D0D0A): byte-order magic 1A2B3C4D | major 1 | minor | section length (64, may be -1) | options
/// IDB  (1):          link type (16) | reserved (16) | snap length | options (if_name, if_tsresol, if_tsoffset, if_fcslen)
/// EPB  (6):          interface id | timestamp high | timestamp low | captured len | original len | data, padded | options
/// SPB  (3):          original len | data, padded (captured = min(original, snap length, what the block holds))
/// PB   (2):          interface id (16) | drops (16) | timestamp high | timestamp low | captured len | original len | data | options
/// </code>
/// Every other block type (name resolution, statistics, decryption secrets, custom) is skipped.
/// </remarks>
internal sealed class PcapngFileReader : CaptureFileReader
{
    private const int BlockHeaderLength = 8;
    private const int SectionHeaderPrefixLength = 12;
    private const int TrailerLength = 4;

    private FileByteOrder order;
    private List<CaptureInterface> interfaces = [];
    private int pending;

    /// <summary>Creates a reader whose first <paramref name="alreadyRead"/> bytes are in the buffer.</summary>
    public PcapngFileReader(CaptureInput input, int alreadyRead)
        : base(input)
    {
        pending = alreadyRead;
    }

    private enum BlockStatus
    {
        Block,
        End,
        Failed,
    }

    public override CaptureFormat Format => CaptureFormat.Pcapng;

    public override IReadOnlyList<CaptureInterface> Interfaces => interfaces;

    public override void Start()
    {
        // The magic number that chose this reader is the type of the first section header block.
        if (ReadBlock(out var offset, out _, out var length) == BlockStatus.Block)
        {
            StartSection(offset, length);
        }
    }

    protected override bool ReadNext(out CapturedFrame frame)
    {
        frame = default;
        while (true)
        {
            var status = ReadBlock(out var offset, out var type, out var length);
            if (status != BlockStatus.Block)
            {
                return false;
            }

            switch (type)
            {
                case PcapngBlockType.SectionHeader:
                    if (!StartSection(offset, length))
                    {
                        return false;
                    }

                    break;

                case PcapngBlockType.InterfaceDescription:
                    if (!AddInterface(offset, length))
                    {
                        return false;
                    }

                    break;

                case PcapngBlockType.EnhancedPacket:
                    {
                        var body = Body(length);
                        return TryDeliver(offset, length, order.UInt32(body), body[4..12], body[12..], body[20..], out frame);
                    }

                case PcapngBlockType.ObsoletePacket:
                    {
                        var body = Body(length);
                        return TryDeliver(offset, length, order.UInt16(body), body[4..12], body[12..], body[20..], out frame);
                    }

                case PcapngBlockType.SimplePacket:
                    return TryDeliverSimple(offset, length, out frame);

                default:
                    break;
            }
        }
    }

    private ReadOnlySpan<byte> Body(int length) => Input.Span(BlockHeaderLength, length - BlockHeaderLength - TrailerLength);

    /// <summary>Reads one whole block into the buffer and checks its frame: both lengths, their bounds, the file's end.</summary>
    private BlockStatus ReadBlock(out long offset, out uint type, out int length)
    {
        offset = Input.Position - pending;
        type = 0;
        length = 0;
        var have = pending + Input.Fill(pending, BlockHeaderLength - pending);
        pending = 0;
        if (have == 0)
        {
            return BlockStatus.End;
        }

        if (have < BlockHeaderLength)
        {
            return Failed(offset, $"file ends {have} bytes into a block header");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(Input.Span(0, 4)) == PcapngBlockType.SectionHeader)
        {
            // A new section may switch byte order, and its length field is in the new order: read the magic first.
            have += Input.Fill(have, SectionHeaderPrefixLength - have);
            if (have < SectionHeaderPrefixLength)
            {
                return Failed(offset, $"file ends {have} bytes into a section header block");
            }

            var magic = BinaryPrimitives.ReadUInt32LittleEndian(Input.Span(BlockHeaderLength, 4));
            if (magic == PcapngBlockType.ByteOrderMagic)
            {
                order = new FileByteOrder(BigEndian: false);
            }
            else if (BinaryPrimitives.ReverseEndianness(magic) == PcapngBlockType.ByteOrderMagic)
            {
                order = new FileByteOrder(BigEndian: true);
            }
            else
            {
                return Failed(offset, $"section header byte-order magic 0x{magic:X8} (read little-endian) is neither 1A2B3C4D nor 4D3C2B1A");
            }
        }

        type = order.UInt32(Input.Span(0, 4));
        var declared = order.UInt32(Input.Span(4, 4));
        var minimum = PcapngBlockType.MinimumLengthOf(type);
        var name = PcapngBlockType.NameOf(type);
        if (declared < minimum)
        {
            return Failed(offset, $"block length {declared} is shorter than the {minimum} bytes the {name} needs");
        }

        if (declared % 4 != 0)
        {
            return Failed(offset, $"block length {declared} of the {name} is not a multiple of 4");
        }

        if (declared > CaptureInput.MaxRecordLength)
        {
            return Failed(offset, $"block length {declared} of the {name} is over the {CaptureInput.MaxRecordLength}-byte limit");
        }

        length = (int)declared;
        var got = Input.Fill(have, length - have);
        if (have + got < length)
        {
            return Failed(offset, $"{name} of length {length} runs past the end of the file (only {have + got} of its bytes are there)");
        }

        var trailing = order.UInt32(Input.Span(length - TrailerLength, TrailerLength));
        if (trailing != declared)
        {
            return Failed(offset, $"trailing block length {trailing} of the {name} differs from the leading {declared}");
        }

        return BlockStatus.Block;
    }

    private BlockStatus Failed(long offset, string message)
    {
        Fail(offset, message);
        return BlockStatus.Failed;
    }

    private bool StartSection(long offset, int length)
    {
        var body = Body(length);
        var major = order.UInt16(body[4..]);
        var minor = order.UInt16(body[6..]);
        if (major != 1)
        {
            return Fail(offset, $"pcapng version {major}.{minor} is not supported (only 1.x)");
        }

        // Interface ids restart in every section; a new list keeps the one a caller holds intact.
        interfaces = [];
        return true;
    }

    private bool AddInterface(long offset, int length)
    {
        var body = Body(length);
        var linkType = (LinkType)order.UInt16(body);
        var snapLength = order.UInt32(body[4..]);
        string? name = null;
        var ticksPerSecond = PcapngOptionCode.DefaultTicksPerSecond;
        long timestampOffset = 0;
        var fcsLength = -1;
        var options = new PcapngOptionReader(body[8..], order);
        while (options.TryNext(out var code, out var value))
        {
            switch (code)
            {
                case PcapngOptionCode.InterfaceName:
                    name = Encoding.UTF8.GetString(value).TrimEnd('\0');
                    break;

                case PcapngOptionCode.TimestampResolution:
                    if (value.Length != 1)
                    {
                        return Fail(offset, $"if_tsresol option has length {value.Length}, not 1");
                    }

                    if (!PcapngOptionCode.TryDecodeResolution(value[0], out ticksPerSecond))
                    {
                        return Fail(offset, $"if_tsresol 0x{value[0]:X2} asks for more ticks per second than 64 bits can count");
                    }

                    break;

                case PcapngOptionCode.TimestampOffset:
                    if (value.Length != 8)
                    {
                        return Fail(offset, $"if_tsoffset option has length {value.Length}, not 8");
                    }

                    timestampOffset = order.Int64(value);
                    break;

                case PcapngOptionCode.FcsLength:
                    if (value.Length != 1)
                    {
                        return Fail(offset, $"if_fcslen option has length {value.Length}, not 1");
                    }

                    fcsLength = value[0];
                    break;

                default:
                    break;
            }
        }

        if (options.Overran)
        {
            return Fail(offset, "an option of the interface description block runs past the end of the block");
        }

        interfaces.Add(new CaptureInterface(linkType, ClampToInt(snapLength), name, ticksPerSecond, timestampOffset, fcsLength));
        return true;
    }

    private bool TryDeliver(long offset, int length, uint interfaceId, ReadOnlySpan<byte> timestamp, ReadOnlySpan<byte> lengths, ReadOnlySpan<byte> data, out CapturedFrame frame)
    {
        frame = default;
        if (interfaceId >= interfaces.Count)
        {
            return Fail(offset, $"packet names interface {interfaceId}, but the section has described {interfaces.Count}");
        }

        var capturedLength = order.UInt32(lengths);
        var originalLength = order.UInt32(lengths[4..]);
        if (capturedLength > data.Length)
        {
            return Fail(offset, $"captured length {capturedLength} does not fit in a block of length {length}");
        }

        var captureInterface = interfaces[(int)interfaceId];
        var nanoseconds = captureInterface.ToNanoseconds(order.SplitUInt64(timestamp));
        frame = new CapturedFrame(NextFrameNumber(), offset, (int)interfaceId, captureInterface.LinkType, nanoseconds, ClampToInt(originalLength), data[..(int)capturedLength]);
        return true;
    }

    private bool TryDeliverSimple(long offset, int length, out CapturedFrame frame)
    {
        frame = default;
        if (interfaces.Count == 0)
        {
            return Fail(offset, "simple packet block before any interface description block in its section");
        }

        var body = Body(length);
        var originalLength = order.UInt32(body);
        var data = body[4..];

        // The block has no captured length: it is what the interface would have kept, within what the block holds.
        var snapLength = interfaces[0].SnapLength;
        var captured = (int)Math.Min(originalLength, (uint)data.Length);
        if (snapLength > 0)
        {
            captured = Math.Min(captured, snapLength);
        }

        frame = new CapturedFrame(NextFrameNumber(), offset, 0, interfaces[0].LinkType, 0, ClampToInt(originalLength), data[..captured]);
        return true;
    }
}
