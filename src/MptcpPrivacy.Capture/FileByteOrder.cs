using System.Buffers.Binary;

namespace MptcpPrivacy.Capture;

/// <summary>Reads integers in the byte order a capture file (or pcapng section) declared for itself.</summary>
/// <param name="BigEndian">Whether the file was written most significant byte first.</param>
internal readonly record struct FileByteOrder(bool BigEndian)
{
    public ushort UInt16(ReadOnlySpan<byte> source) =>
        BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(source) : BinaryPrimitives.ReadUInt16LittleEndian(source);

    public uint UInt32(ReadOnlySpan<byte> source) =>
        BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(source) : BinaryPrimitives.ReadUInt32LittleEndian(source);

    public long Int64(ReadOnlySpan<byte> source) =>
        BigEndian ? BinaryPrimitives.ReadInt64BigEndian(source) : BinaryPrimitives.ReadInt64LittleEndian(source);

    /// <summary>Reads a 64-bit value stored as two 32-bit halves, high half first (the pcapng timestamp layout).</summary>
    public ulong SplitUInt64(ReadOnlySpan<byte> source) => ((ulong)UInt32(source) << 32) | UInt32(source[4..]);

    public override string ToString() => BigEndian ? "big-endian" : "little-endian";
}
