using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Capture;

/// <summary>
/// Views one packet read from a capture file. <see cref="Data"/> borrows the reader's buffer and is
/// valid only until the next call to <see cref="CaptureReader.TryReadNext"/>.
/// </summary>
public readonly ref struct CapturedFrame
{
    internal CapturedFrame(long number, long byteOffset, int interfaceId, LinkType linkType, long timestampNanoseconds, int originalLength, ReadOnlySpan<byte> data)
    {
        Number = number;
        ByteOffset = byteOffset;
        InterfaceId = interfaceId;
        LinkType = linkType;
        TimestampNanoseconds = timestampNanoseconds;
        OriginalLength = originalLength;
        Data = data;
    }

    /// <summary>The 1-based position of this packet among all packet records of the file.</summary>
    public long Number { get; }

    /// <summary>The offset in the file of the record or block that holds this packet.</summary>
    public long ByteOffset { get; }

    /// <summary>The pcapng interface id within the current section; 0 for pcap.</summary>
    public int InterfaceId { get; }

    /// <summary>The link-layer header type of <see cref="Data"/>.</summary>
    public LinkType LinkType { get; }

    /// <summary>The capture time in nanoseconds since the Unix epoch; 0 for a pcapng Simple Packet Block, which has none.</summary>
    public long TimestampNanoseconds { get; }

    /// <summary>The length of the packet on the wire, which may exceed the captured <see cref="Data"/> (clamped to <see cref="int.MaxValue"/>).</summary>
    public int OriginalLength { get; }

    /// <summary>The captured bytes, starting with the link-layer header.</summary>
    public ReadOnlySpan<byte> Data { get; }
}
