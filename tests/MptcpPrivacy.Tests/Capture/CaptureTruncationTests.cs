using System.Buffers.Binary;
using MptcpPrivacy.Capture;
using static MptcpPrivacy.Tests.Capture.CaptureTestFiles;

namespace MptcpPrivacy.Tests.Capture;

/// <summary>Cuts capture files at every byte and checks what the reader makes of the rest.</summary>
public class CaptureTruncationTests
{
    public static TheoryData<string, string> SmallFiles => new()
    {
        { "tcpdump", "mptcp-tcprst.pcap" },
        { "tcpdump", "mptcp-aa-echo.pcap" },
        { "tcpdump", "mptcp-dss-oobr.pcap" },
        { "capture", "tcprst-modified.pcap" },
        { "capture", "dumpcap-lo-udp.pcapng" },
        { "capture", "merged-raw-sll.pcapng" },
        { "capture", "tcprst-nsec.pcapng" },
    };

    [Theory]
    [MemberData(nameof(SmallFiles))]
    public void Every_cut_of_a_fixture_delivers_the_complete_frames_and_no_more(string folder, string file)
    {
        AssertEveryCut(File.ReadAllBytes(Fixture(folder, file)));
    }

    [Fact]
    public void Every_cut_of_a_big_endian_pcapng_with_every_block_kind()
    {
        var file = new PcapngBuilder()
            .Section(bigEndian: true, options: o => o.U16(4).U16(3).Raw("abc"u8).Pad().U16(0).U16(0))
            .Interface(true, 1, 65535, o => o.U16(2).U16(2).Raw("lo"u8).Pad().U16(0).U16(0))
            .Block(true, 4, Hex("0000 0000"))
            .Enhanced(true, 0, 1, Hex("0102030405"))
            .Simple(true, 3, Hex("060708"))
            .Obsolete(true, 0, 2, Hex("09"))
            .Section(bigEndian: false)
            .Interface(false, 101, 65535)
            .Enhanced(false, 0, 3, Hex("0a0b0c0d"))
            .Block(false, 5, new byte[16])
            .ToArray();
        Assert.Equal(4, ReadAll(file).Frames.Count);
        AssertEveryCut(file);
    }

    [Fact]
    public void Every_cut_of_a_big_endian_pcap()
    {
        var file = new ByteWriter(bigEndian: true)
            .U32(0xA1B23C4D).U16(2).U16(4).U32(0).U32(0).U32(65535).U32(1)
            .U32(1).U32(2).U32(3).U32(3).Raw(Hex("010203"))
            .U32(4).U32(5).U32(0).U32(9)
            .U32(6).U32(7).U32(1).U32(1).Raw(Hex("04"))
            .ToArray();
        Assert.Equal(3, ReadAll(file).Frames.Count);
        AssertEveryCut(file);
    }

    private static void AssertEveryCut(byte[] file)
    {
        var full = ReadAll(file);
        Assert.Null(full.Error);
        var (boundaries, firstClean) = RecordBoundaries(file);

        for (var cut = 0; cut <= file.Length; cut++)
        {
            ReadResult result;
            try
            {
                result = ReadAll(file[..cut]);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"cut at {cut} of {file.Length} threw {e}");
            }

            // Exactly the frames whose record ends at or before the cut, with the same bytes.
            var complete = full.Frames.Where(f => RecordEnd(boundaries, f.ByteOffset) <= cut).ToList();
            Assert.Equal(complete.Select(f => (f.Number, f.ByteOffset, Convert.ToHexString(f.Data))), result.Frames.Select(f => (f.Number, f.ByteOffset, Convert.ToHexString(f.Data))));

            if (cut >= firstClean && boundaries.Contains(cut))
            {
                Assert.True(result.Error is null, $"cut at {cut} (a record boundary) gave {result.Error}");
                continue;
            }

            Assert.True(result.Error is not null, $"cut at {cut} of {file.Length} gave no error");
            var expectedOffset = cut < firstClean ? 0 : boundaries.Last(b => b < cut);
            Assert.Equal(expectedOffset, result.Error.ByteOffset);
            Assert.Equal(complete.Count + 1, result.Error.FrameNumber);
            Assert.StartsWith($"byte offset {expectedOffset} (frame {complete.Count + 1}): ", result.Error.ToString());
        }
    }

    private static long RecordEnd(List<long> boundaries, long offset) => boundaries[boundaries.IndexOf(offset) + 1];

    /// <summary>
    /// The offsets where the file header, each record and each block start, plus the file length;
    /// and the shortest cut that is a clean end: after the pcap file header, or after the first
    /// pcapng section header block (a cut inside it is a damaged header, reported at offset 0).
    /// </summary>
    private static (List<long> Boundaries, long FirstClean) RecordBoundaries(byte[] file)
    {
        var boundaries = new List<long> { 0 };
        if (BinaryPrimitives.ReadUInt32LittleEndian(file) == 0x0A0D0D0A)
        {
            var bigEndian = false;
            var offset = 0;
            while (offset < file.Length)
            {
                if (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset)) == 0x0A0D0D0A)
                {
                    bigEndian = file[offset + 8] == 0x1A;
                }

                var lengthField = file.AsSpan(offset + 4);
                offset += bigEndian ? BinaryPrimitives.ReadInt32BigEndian(lengthField) : BinaryPrimitives.ReadInt32LittleEndian(lengthField);
                boundaries.Add(offset);
            }

            return (boundaries, boundaries[1]);
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        var big = magic is 0xD4C3B2A1 or 0x4D3CB2A1 or 0x34CDB2A1;
        var recordHeader = magic is 0xA1B2CD34 or 0x34CDB2A1 ? 24 : 16;
        long at = 24;
        boundaries.Add(at);
        while (at < file.Length)
        {
            var capturedLength = file.AsSpan((int)at + 8);
            at += recordHeader + (big ? BinaryPrimitives.ReadInt32BigEndian(capturedLength) : BinaryPrimitives.ReadInt32LittleEndian(capturedLength));
            boundaries.Add(at);
        }

        return (boundaries, 24);
    }
}
