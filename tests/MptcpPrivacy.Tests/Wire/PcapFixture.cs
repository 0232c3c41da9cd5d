using System.Buffers.Binary;

namespace MptcpPrivacy.Tests.Wire;

/// <summary>
/// A minimal reader for the libpcap files in tests/fixtures (24-byte file header, 16-byte record
/// headers), enough to hand IP packets to the Wire tests; the real pcap reader lives in Capture.
/// </summary>
internal static class PcapFixture
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "tcpdump", name);

    /// <summary>Returns the IP packets of a capture (link layer removed), numbered as Wireshark numbers frames (from 1). Non-IP frames are skipped.</summary>
    public static IReadOnlyList<(int Frame, byte[] Packet)> ReadIpPackets(string name)
    {
        byte[] file = File.ReadAllBytes(PathOf(name));
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        bool littleEndian = magic is 0xA1B2C3D4 or 0xA1B23C4D;
        Assert.True(littleEndian || BinaryPrimitives.ReadUInt32BigEndian(file) is 0xA1B2C3D4 or 0xA1B23C4D, "not a pcap file");
        uint linkType = Read32(file.AsSpan(20), littleEndian);

        var packets = new List<(int, byte[])>();
        int offset = 24;
        for (int frame = 1; offset + 16 <= file.Length; frame++)
        {
            int captured = (int)Read32(file.AsSpan(offset + 8), littleEndian);
            ReadOnlySpan<byte> data = file.AsSpan(offset + 16, captured);
            offset += 16 + captured;

            (int linkHeader, int etherType) = linkType switch
            {
                1 => (14, BinaryPrimitives.ReadUInt16BigEndian(data[12..])),    // Ethernet II
                113 => (16, BinaryPrimitives.ReadUInt16BigEndian(data[14..])),  // Linux cooked (SLL)
                101 => (0, data[0] >> 4 == 6 ? 0x86DD : 0x0800),               // raw IP
                _ => throw new NotSupportedException($"link type {linkType}"),
            };

            if (etherType is 0x0800 or 0x86DD)
            {
                packets.Add((frame, data[linkHeader..].ToArray()));
            }
        }

        return packets;
    }

    private static uint Read32(ReadOnlySpan<byte> bytes, bool littleEndian) =>
        littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes);
}
