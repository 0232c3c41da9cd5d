using MptcpPrivacy.Capture;

namespace MptcpPrivacy.Tests.Capture;

/// <summary>Files past 4 GiB, streamed through a generator so nothing of that size exists in memory.</summary>
public class LargeCaptureTests
{
    private const int DataLength = 65536;

    // 65,600 records of 64 KiB: 4,300,211,224 bytes, past 2^32 by some 5 MB.
    private const long RecordCount = 65_600;

    [Fact]
    public void A_pcap_larger_than_4_GiB_streams_in_one_record_of_memory()
    {
        using var stream = new SyntheticPcapStream(RecordCount, DataLength);
        using var reader = CaptureReader.Open(stream);
        long frames = 0;
        long lastOffset = 0;
        long lastNumber = 0;
        long lastTimestamp = 0;
        var contentOk = true;
        while (reader.TryReadNext(out var frame))
        {
            frames++;
            lastOffset = frame.ByteOffset;
            lastNumber = frame.Number;
            lastTimestamp = frame.TimestampNanoseconds;
            var expected = (byte)(frame.Number - 1);
            contentOk &= frame.Data.Length == DataLength && frame.Data[0] == expected && frame.Data[^1] == expected;
        }

        Assert.Null(reader.Error);
        Assert.Equal(RecordCount, frames);
        Assert.Equal(RecordCount, lastNumber);
        Assert.True(contentOk, "some frame had the wrong data: the reader lost its place in the stream");
        Assert.Equal(24 + ((RecordCount - 1) * stream.RecordLength), lastOffset);
        Assert.True(lastOffset > uint.MaxValue, $"the last record starts at {lastOffset}, not past 4 GiB");
        Assert.Equal((RecordCount - 1) * 1_000_000_000, lastTimestamp);

        // One record header plus one record's data, and not a byte more.
        Assert.InRange(reader.BufferCapacity, DataLength, 16 + DataLength);
    }

    [Fact]
    public void A_cut_past_4_GiB_is_reported_with_its_64_bit_offset()
    {
        using var stream = new SyntheticPcapStream(RecordCount, DataLength, cutShortBy: 100);
        using var reader = CaptureReader.Open(stream);
        long frames = 0;
        while (reader.TryReadNext(out _))
        {
            frames++;
        }

        Assert.Equal(RecordCount - 1, frames);
        Assert.NotNull(reader.Error);
        Assert.Equal(24 + ((RecordCount - 1) * stream.RecordLength), reader.Error.ByteOffset);
        Assert.Equal(RecordCount, reader.Error.FrameNumber);
        Assert.Equal($"byte offset 4300145672 (frame 65600): file ends after 65436 of the record's 65536 captured bytes", reader.Error.ToString());
    }
}
