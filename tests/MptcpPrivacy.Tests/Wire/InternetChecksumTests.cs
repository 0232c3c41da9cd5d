using FsCheck.Fluent;
using MptcpPrivacy.Wire.Checksums;

namespace MptcpPrivacy.Tests.Wire;

public class InternetChecksumTests
{
    // The oracle: RFC 1071 §4.1 word by word, no tricks.
    private static ushort Reference(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i < data.Length; i += 2)
        {
            sum += (uint)(data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0u);
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    [Fact]
    public void Rfc1071_3_NumericalExample()
    {
        // RFC 1071 §3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2, so the checksum is its complement.
        byte[] data = Hex.Bytes("0001f203f4f5f6f7");
        Assert.Equal(0x220D, InternetChecksum.Compute(data));
    }

    [Fact]
    public void Rfc1071_3_ExampleFedInOddPieces()
    {
        byte[] data = Hex.Bytes("0001f203f4f5f6f7");
        var sum = default(InternetChecksum);
        sum.Add(data.AsSpan(0, 1));
        sum.Add(data.AsSpan(1, 3));
        sum.Add(data.AsSpan(4, 3));
        sum.Add(data.AsSpan(7));
        Assert.Equal(0x220D, sum.Finish());
    }

    [Fact]
    public void EmptyInput_IsComplementOfZero() => Assert.Equal(0xFFFF, InternetChecksum.Compute([]));

    [Fact]
    public void EveryLengthUpTo100_MatchesReference()
    {
        // Crosses the 32-byte unrolled loop, the 8-byte loop and every tail length.
        var random = new Random(1071);
        for (int length = 0; length <= 100; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(Reference(data), InternetChecksum.Compute(data));
        }
    }

    [Fact]
    public void AllOnes_LongBuffer_CarriesFoldCorrectly()
    {
        // Every 64-bit addition carries; a lost end-around carry would show here.
        byte[] data = new byte[65_537];
        data.AsSpan().Fill(0xFF);
        Assert.Equal(Reference(data), InternetChecksum.Compute(data));
    }

    [Fact]
    public void Property_LongBuffersAtAnyAlignment_MatchReference()
    {
        // Lengths and start offsets that cross the vector loop (64 bytes a step), its tails and the
        // scalar loops, starting anywhere inside a larger buffer so loads are misaligned.
        var gen = Gen.Choose(0, 9000).SelectMany(length => Gen.Choose(0, 63).Select(offset => (length, offset)));
        var random = new Random(1071);
        PropertyCheck.ForAll(gen, input =>
        {
            byte[] buffer = new byte[input.length + input.offset];
            random.NextBytes(buffer);
            ReadOnlySpan<byte> data = buffer.AsSpan(input.offset);
            Assert.Equal(Reference(data), InternetChecksum.Compute(data));
        });
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0xFF)]
    [InlineData(0x80)]
    public void UniformLongBuffers_MatchReference(byte value)
    {
        // All zeros must give 0xFFFF (never 0), all ones the folded maximum: the edges of one's complement.
        for (int length = 60; length <= 200_000; length = (length * 3) + 1)
        {
            byte[] data = new byte[length];
            data.AsSpan().Fill(value);
            Assert.Equal(Reference(data), InternetChecksum.Compute(data));
        }
    }

    [Fact]
    public void DataCarryingItsOwnChecksum_FinishesToZero()
    {
        byte[] data = Hex.Bytes("4500004832e940004006 0000 0a0201020a010102");
        ushort checksum = InternetChecksum.Compute(data);
        data[10] = (byte)(checksum >> 8);
        data[11] = (byte)checksum;
        var sum = default(InternetChecksum);
        sum.Add(data);
        Assert.Equal(0, sum.Finish());
    }

    [Fact]
    public void Property_ComputeMatchesReference() =>
        PropertyCheck.ForAll(PropertyCheck.Bytes(300), data => Assert.Equal(Reference(data), InternetChecksum.Compute(data)));

    [Fact]
    public void Property_AnySplitIntoPieces_MatchesWhole()
    {
        var gen = PropertyCheck.Bytes(200).SelectMany(data =>
            Gen.ArrayOf(Gen.Choose(0, data.Length), 4).Select(cuts => (data, cuts)));
        PropertyCheck.ForAll(gen, input =>
        {
            int[] cuts = [0, .. input.cuts.Order(), input.data.Length];
            var sum = default(InternetChecksum);
            for (int i = 0; i + 1 < cuts.Length; i++)
            {
                sum.Add(input.data.AsSpan(cuts[i], cuts[i + 1] - cuts[i]));
            }

            Assert.Equal(Reference(input.data), sum.Finish());
        });
    }

    [Fact]
    public void Property_AddIntegers_SameAsTheirBigEndianBytes_AtOddOrEvenPosition()
    {
        var gen = PropertyCheck.Bytes(9).SelectMany(prefix =>
            PropertyCheck.Bytes(8).Where(b => b.Length == 8).Select(value => (prefix, value)));
        PropertyCheck.ForAll(gen, input =>
        {
            byte[] all = [.. input.prefix, .. input.value, .. input.value.AsSpan(0, 4), .. input.value.AsSpan(0, 2)];
            var sum = default(InternetChecksum);
            sum.Add(input.prefix);
            sum.AddUInt64(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(input.value));
            sum.AddUInt32(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(input.value));
            sum.AddUInt16(System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(input.value));
            Assert.Equal(Reference(all), sum.Finish());
        });
    }
}
