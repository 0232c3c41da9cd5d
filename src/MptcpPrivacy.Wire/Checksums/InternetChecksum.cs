using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MptcpPrivacy.Wire.Checksums;

/// <summary>
/// Accumulates the Internet checksum (RFC 1071): the 16-bit one's-complement of the one's-complement
/// sum of 16-bit big-endian words. Feed it any number of spans and integers, then call <see cref="Finish"/>.
/// </summary>
/// <remarks>
/// Spans may have odd lengths: the next byte fed continues at the odd position, as if all the pieces
/// were one contiguous buffer (RFC 1071 §2(A) "byte order independence" makes this cheap: a piece that
/// starts at an odd offset contributes its own sum byte-swapped).
/// The accumulator is a mutable struct: keep it in a local and pass it by <c>ref</c>.
/// </remarks>
public struct InternetChecksum
{
    // One's-complement sum kept in 64 bits with end-around carry. Because 2^16 - 1 divides 2^64 - 1,
    // folding this to 16 bits at the end gives the same result as summing 16-bit words (RFC 1071 §2(C)).
    // Its value is in network order: word 0x1234 adds 0x1234.
    private ulong _sum;

    // True after an odd number of bytes: the next byte is the low-order byte of a word.
    private bool _odd;

    /// <summary>Adds bytes as if they followed the bytes already added.</summary>
    public void Add(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        ulong partial = SumFolded(data);
        if (_odd)
        {
            // Every byte of this piece lands one position later than SumFolded assumed, so each
            // contributes to the other half of its word: the piece's sum swaps its bytes.
            partial = BinaryPrimitives.ReverseEndianness((ushort)partial);
        }

        AddWithCarry(partial);
        _odd ^= (data.Length & 1) != 0;
    }

    /// <summary>Adds a 16-bit value as its two big-endian bytes.</summary>
    public void AddUInt16(ushort value) =>
        AddWithCarry(_odd ? BinaryPrimitives.ReverseEndianness(value) : value);

    /// <summary>Adds a 32-bit value as its four big-endian bytes.</summary>
    public void AddUInt32(uint value) =>
        AddWithCarry(_odd ? BinaryPrimitives.ReverseEndianness(value) : value);

    /// <summary>Adds a 64-bit value as its eight big-endian bytes.</summary>
    public void AddUInt64(ulong value) =>
        AddWithCarry(_odd ? BinaryPrimitives.ReverseEndianness(value) : value);

    /// <summary>
    /// Returns the checksum of everything added: the one's complement of the folded sum, ready to be
    /// written big-endian into a checksum field. Over data that already contains a correct checksum
    /// field it returns 0.
    /// </summary>
    public readonly ushort Finish() => (ushort)~Fold(_sum);

    /// <summary>Returns the checksum of one buffer (RFC 1071).</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => (ushort)~SumFolded(data);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddWithCarry(ulong value)
    {
        ulong sum = _sum + value;
        _sum = sum + (sum < value ? 1UL : 0UL);
    }

    private static ushort Fold(ulong sum)
    {
        // Each step adds the high half to the low half with end-around carry; the carry out of the
        // last addition is itself added back by the next step.
        ulong s = (sum & 0xFFFF_FFFF) + (sum >> 32);
        s = (s & 0xFFFF) + (s >> 16);
        s = (s & 0xFFFF) + (s >> 16);
        s = (s & 0xFFFF) + (s >> 16);
        return (ushort)s;
    }

    /// <summary>Sums <paramref name="data"/> as if it started at an even offset; returns the folded 16-bit sum in network order.</summary>
    private static ulong SumFolded(ReadOnlySpan<byte> data)
    {
        // The loop reads machine-order words. The one's-complement sum commutes with byte swapping
        // (RFC 1071 §2(B)), so summing in machine order and swapping the folded result once at the
        // end equals summing big-endian words, without a swap per load.
        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;
        ulong s0 = 0, s1 = 0, s2 = 0, s3 = 0;

        if (Vector256.IsHardwareAccelerated && length >= 64)
        {
            // Each 64-bit lane adds the two 32-bit halves of its words separately, so it never
            // carries out (2^32 sums of values below 2^32 fit in 64 bits): no end-around carry per
            // load. Summing 32-bit words folds to the same 16-bit sum as summing 16-bit words, since
            // 2^16 - 1 divides 2^32 - 1.
            Vector256<ulong> low0 = Vector256<ulong>.Zero, high0 = Vector256<ulong>.Zero;
            Vector256<ulong> low1 = Vector256<ulong>.Zero, high1 = Vector256<ulong>.Zero;
            Vector256<ulong> mask = Vector256.Create(0xFFFF_FFFFUL);
            for (; i + 64 <= length; i += 64)
            {
                Vector256<ulong> v0 = Vector256.LoadUnsafe(ref Unsafe.As<byte, ulong>(ref Unsafe.Add(ref start, i)));
                Vector256<ulong> v1 = Vector256.LoadUnsafe(ref Unsafe.As<byte, ulong>(ref Unsafe.Add(ref start, i + 32)));
                low0 += v0 & mask;
                high0 += Vector256.ShiftRightLogical(v0, 32);
                low1 += v1 & mask;
                high1 += Vector256.ShiftRightLogical(v1, 32);
            }

            Vector256<ulong> lanes = low0 + high0 + low1 + high1;
            s0 = lanes.GetElement(0);
            s1 = lanes.GetElement(1);
            s2 = lanes.GetElement(2);
            s3 = lanes.GetElement(3);
        }

        // Four independent accumulators so the carry chains of consecutive loads do not serialise.
        for (; i + 32 <= length; i += 32)
        {
            ulong v0 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            ulong v1 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + 8));
            ulong v2 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + 16));
            ulong v3 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + 24));
            s0 += v0; s0 += s0 < v0 ? 1UL : 0UL;
            s1 += v1; s1 += s1 < v1 ? 1UL : 0UL;
            s2 += v2; s2 += s2 < v2 ? 1UL : 0UL;
            s3 += v3; s3 += s3 < v3 ? 1UL : 0UL;
        }

        for (; i + 8 <= length; i += 8)
        {
            ulong v = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            s0 += v; s0 += s0 < v ? 1UL : 0UL;
        }

        // The tail (at most 7 bytes) is assembled into one machine-order word: the bytes keep the
        // positions they would have had in a full 8-byte load, zero-padded (RFC 1071 §4.1 pads an odd
        // final byte with zero).
        ulong tail = 0;
        for (int k = 0; i < length; i++, k++)
        {
            int shift = BitConverter.IsLittleEndian ? 8 * k : 56 - (8 * k);
            tail |= (ulong)Unsafe.Add(ref start, i) << shift;
        }

        ulong total = 0;
        Accumulate(ref total, s0);
        Accumulate(ref total, s1);
        Accumulate(ref total, s2);
        Accumulate(ref total, s3);
        Accumulate(ref total, tail);

        ushort folded = Fold(total);
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(folded) : folded;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(ref ulong total, ulong value)
    {
        total += value;
        total += total < value ? 1UL : 0UL;
    }
}
