using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MptcpPrivacy.Scenarios;

/// <summary>
/// Checks a byte stream against the content a <see cref="BulkTransfer"/> writes from a seed, as the
/// bytes arrive; a byte past the content's end is a mismatch too.
/// </summary>
/// <remarks>
/// The writer fills chunks of a multiple of eight bytes, so its content is the pattern's words back
/// to back, then, when the length is not a multiple of eight, one byte per word for the rest. The
/// words are checked without drawing the pattern again: word k is right when it is the multiplier
/// times the xorshift step of the state word k - 1 was made from. The first word is checked against
/// the seed's state, so by induction every word checked is the pattern's. Each check stands alone,
/// so they run side by side (four at a time in vectors), where drawing the pattern is one serial
/// chain of steps.
/// </remarks>
internal sealed class PatternVerifier
{
    private readonly long _length;
    private readonly long _words;
    private ulong _state;
    private long _checked;
    private ulong _partial;
    private int _partialLength;

    /// <summary>Makes a verifier for <paramref name="length"/> bytes drawn from <paramref name="seed"/>.</summary>
    public PatternVerifier(int seed, long length)
    {
        _length = length;
        _words = length / 8;
        _state = ContentPattern.InitialState(seed);
    }

    /// <summary>Gets the offset of the first byte that differed from the content, or null while all matched.</summary>
    public long? FirstMismatchAt { get; private set; }

    /// <summary>Compares the next bytes of the stream with the content.</summary>
    public void Check(ReadOnlySpan<byte> received)
    {
        while (!received.IsEmpty && FirstMismatchAt is null)
        {
            long word = _checked / 8;
            if (word >= _words)
            {
                CheckTail(ref received);
            }
            else if (_partialLength > 0 || received.Length < 8)
            {
                CheckPartialWord(ref received);
            }
            else
            {
                int count = (int)Math.Min(received.Length / 8, _words - word);
                CheckWords(MemoryMarshal.Cast<byte, ulong>(received[..(count * 8)]));
                received = received[(count * 8)..];
            }
        }
    }

    // Whole words at a word boundary: the first against the state before it, each other against the word before it.
    private void CheckWords(ReadOnlySpan<ulong> words)
    {
        ulong first = ContentPattern.Step(_state) * ContentPattern.Multiplier;
        if (words[0] != first)
        {
            Mismatch(0, words[0], first);
            return;
        }

        int i = 1;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<ulong> multiplier = Vector256.Create(ContentPattern.Multiplier);
            Vector256<ulong> inverse = Vector256.Create(ContentPattern.InverseMultiplier);
            for (; i + 4 <= words.Length; i += 4)
            {
                Vector256<ulong> state = Vector256.Create(words.Slice(i - 1, 4)) * inverse;
                state ^= Vector256.ShiftRightLogical(state, 12);
                state ^= Vector256.ShiftLeft(state, 25);
                state ^= Vector256.ShiftRightLogical(state, 27);
                if (!Vector256.EqualsAll(state * multiplier, Vector256.Create(words.Slice(i, 4))))
                {
                    break; // the scalar loop below finds the word
                }
            }
        }

        for (; i < words.Length; i++)
        {
            ulong expected = ContentPattern.Step(ContentPattern.StateOf(words[i - 1])) * ContentPattern.Multiplier;
            if (words[i] != expected)
            {
                Mismatch(i * 8L, words[i], expected);
                return;
            }
        }

        _state = ContentPattern.StateOf(words[^1]);
        _checked += words.Length * 8L;
    }

    // A word split across reads: gathered byte by byte, then checked as one.
    private void CheckPartialWord(ref ReadOnlySpan<byte> received)
    {
        int n = Math.Min(8 - _partialLength, received.Length);
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, _partial);
        received[..n].CopyTo(bytes[_partialLength..]);
        _partial = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        _partialLength += n;
        received = received[n..];
        if (_partialLength < 8)
        {
            return;
        }

        ulong word = MemoryMarshal.Read<ulong>(bytes);
        ulong expected = ContentPattern.Step(_state) * ContentPattern.Multiplier;
        _partialLength = 0;
        _partial = 0;
        if (word != expected)
        {
            Mismatch(0, word, expected);
            return;
        }

        _state = ContentPattern.StateOf(word);
        _checked += 8;
    }

    // The last bytes, one word each, and anything past the end.
    private void CheckTail(ref ReadOnlySpan<byte> received)
    {
        while (!received.IsEmpty)
        {
            if (_checked >= _length)
            {
                FirstMismatchAt = _checked;
                return;
            }

            _state = ContentPattern.Step(_state);
            if (received[0] != (byte)(_state * ContentPattern.Multiplier))
            {
                FirstMismatchAt = _checked;
                return;
            }

            _checked++;
            received = received[1..];
        }
    }

    // The word at `offset` bytes from the checked edge differs from what was expected: find its first wrong byte.
    private void Mismatch(long offset, ulong word, ulong expected)
    {
        Span<byte> got = stackalloc byte[8];
        Span<byte> want = stackalloc byte[8];
        MemoryMarshal.Write(got, in word);
        MemoryMarshal.Write(want, in expected);
        int i = 0;
        while (got[i] == want[i])
        {
            i++;
        }

        FirstMismatchAt = _checked + offset + i;
    }
}
