using System.Buffers.Binary;
using MptcpPrivacy.Capture;

using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Tests.Capture;

/// <summary>A packet copied out of a reader, so tests can look at it after the next read.</summary>
internal sealed record ReadFrame(long Number, long ByteOffset, int InterfaceId, LinkType LinkType, long TimestampNanoseconds, int OriginalLength, byte[] Data);

/// <summary>Everything a reader produced from one file.</summary>
internal sealed record ReadResult(CaptureFormat Format, IReadOnlyList<ReadFrame> Frames, CaptureError? Error, IReadOnlyList<CaptureInterface> Interfaces);

/// <summary>Helpers that read whole captures and build hand-made ones in either byte order.</summary>
internal static class CaptureTestFiles
{
    public static string Fixture(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "fixtures", .. parts]);

    public static ReadResult ReadAll(byte[] file) => ReadAll(new MemoryStream(file, writable: false));

    public static ReadResult ReadAll(Stream stream)
    {
        using var reader = CaptureReader.Open(stream);
        var frames = new List<ReadFrame>();
        while (reader.TryReadNext(out var frame))
        {
            frames.Add(new ReadFrame(frame.Number, frame.ByteOffset, frame.InterfaceId, frame.LinkType, frame.TimestampNanoseconds, frame.OriginalLength, frame.Data.ToArray()));
        }

        // Reading past the end must keep saying "no more", without changing the verdict.
        var error = reader.Error;
        Assert.False(reader.TryReadNext(out _));
        Assert.Same(error, reader.Error);
        return new ReadResult(reader.Format, frames, error, reader.Interfaces);
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty).Replace("\n", string.Empty).Replace("\r", string.Empty));
}

/// <summary>Writes capture structures field by field in a chosen byte order, for files our writers cannot make.</summary>
internal sealed class ByteWriter(bool bigEndian)
{
    private readonly MemoryStream bytes = new();

    public bool BigEndian => bigEndian;

    public long Length => bytes.Length;

    public ByteWriter U8(byte value)
    {
        bytes.WriteByte(value);
        return this;
    }

    public ByteWriter U16(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        }

        bytes.Write(b);
        return this;
    }

    public ByteWriter U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        }

        bytes.Write(b);
        return this;
    }

    public ByteWriter U64(ulong value) => bigEndian
        ? U32((uint)(value >> 32)).U32((uint)value)
        : U32((uint)value).U32((uint)(value >> 32));

    public ByteWriter Raw(ReadOnlySpan<byte> value)
    {
        bytes.Write(value);
        return this;
    }

    public ByteWriter Pad()
    {
        while (bytes.Length % 4 != 0)
        {
            bytes.WriteByte(0);
        }

        return this;
    }

    public byte[] ToArray() => bytes.ToArray();
}

/// <summary>Builds a pcapng file block by block; every block gets its two length fields right unless told otherwise.</summary>
internal sealed class PcapngBuilder
{
    private readonly MemoryStream file = new();

    public long Length => file.Length;

    public PcapngBuilder Section(bool bigEndian, ushort major = 1, ushort minor = 0, Action<ByteWriter>? options = null, ulong sectionLength = ulong.MaxValue)
    {
        var body = new ByteWriter(bigEndian).U32(0x1A2B3C4D).U16(major).U16(minor).U64(sectionLength);
        options?.Invoke(body);
        return Block(bigEndian, 0x0A0D0D0A, body.ToArray());
    }

    public PcapngBuilder Interface(bool bigEndian, ushort linkType, uint snapLength, Action<ByteWriter>? options = null)
    {
        var body = new ByteWriter(bigEndian).U16(linkType).U16(0).U32(snapLength);
        options?.Invoke(body);
        return Block(bigEndian, 1, body.ToArray());
    }

    public PcapngBuilder Enhanced(bool bigEndian, uint interfaceId, ulong timestamp, byte[] data, uint? originalLength = null)
    {
        var body = new ByteWriter(bigEndian).U32(interfaceId).U32((uint)(timestamp >> 32)).U32((uint)timestamp)
            .U32((uint)data.Length).U32(originalLength ?? (uint)data.Length).Raw(data).Pad();
        return Block(bigEndian, 6, body.ToArray());
    }

    public PcapngBuilder Simple(bool bigEndian, uint originalLength, byte[] data)
    {
        var body = new ByteWriter(bigEndian).U32(originalLength).Raw(data).Pad();
        return Block(bigEndian, 3, body.ToArray());
    }

    public PcapngBuilder Obsolete(bool bigEndian, ushort interfaceId, ulong timestamp, byte[] data)
    {
        var body = new ByteWriter(bigEndian).U16(interfaceId).U16(0).U32((uint)(timestamp >> 32)).U32((uint)timestamp)
            .U32((uint)data.Length).U32((uint)data.Length).Raw(data).Pad();
        return Block(bigEndian, 2, body.ToArray());
    }

    public PcapngBuilder Block(bool bigEndian, uint type, byte[] body, uint? leading = null, uint? trailing = null)
    {
        var length = (uint)(12 + body.Length);
        var block = new ByteWriter(bigEndian).U32(type).U32(leading ?? length).Raw(body).U32(trailing ?? length).ToArray();
        file.Write(block);
        return this;
    }

    public PcapngBuilder Raw(byte[] bytes)
    {
        file.Write(bytes);
        return this;
    }

    public byte[] ToArray() => file.ToArray();
}
