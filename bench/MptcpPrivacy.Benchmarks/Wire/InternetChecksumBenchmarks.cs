using BenchmarkDotNet.Attributes;
using MptcpPrivacy.Wire.Checksums;

namespace MptcpPrivacy.Benchmarks.Wire;

/// <summary>The RFC 1071 sum over segment-sized buffers: the 8-byte loop against a 16-bit word loop.</summary>
[MemoryDiagnoser]
public class InternetChecksumBenchmarks
{
    private byte[] _data = [];

    [Params(64, 1500, 9000)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Length];
        new Random(1071).NextBytes(_data);
    }

    [Benchmark]
    public ushort EightBytesAtATime() => InternetChecksum.Compute(_data);

    [Benchmark(Baseline = true)]
    public ushort WordAtATime()
    {
        uint sum = 0;
        byte[] data = _data;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += (uint)((data[i] << 8) | data[i + 1]);
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
