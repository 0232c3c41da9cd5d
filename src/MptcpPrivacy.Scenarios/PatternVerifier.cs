namespace MptcpPrivacy.Scenarios;

/// <summary>
/// Checks a byte stream against the content a <see cref="BulkTransfer"/> writes from a seed: it
/// draws the same pattern in the same chunks as the writer (the last, short chunk's trailing partial
/// word draws a word per byte, so the chunking is part of the content) and compares bytes as they
/// arrive. A byte past the content's end is a mismatch too.
/// </summary>
internal sealed class PatternVerifier(int seed, long length, int chunkSize)
{
    private readonly ContentPattern _expected = new(seed);
    private readonly byte[] _chunk = new byte[chunkSize];
    private int _chunkOffset;
    private int _chunkLength;
    private long _drawn;
    private long _checked;

    /// <summary>Gets the offset of the first byte that differed from the content, or null while all matched.</summary>
    public long? FirstMismatchAt { get; private set; }

    /// <summary>Compares the next bytes of the stream with the content.</summary>
    public void Check(ReadOnlySpan<byte> received)
    {
        while (!received.IsEmpty && FirstMismatchAt is null)
        {
            if (_chunkOffset == _chunkLength)
            {
                if (_drawn == length)
                {
                    FirstMismatchAt = _checked;
                    return;
                }

                _chunkLength = (int)Math.Min(_chunk.Length, length - _drawn);
                _expected.Fill(_chunk.AsSpan(0, _chunkLength));
                _drawn += _chunkLength;
                _chunkOffset = 0;
            }

            int n = Math.Min(received.Length, _chunkLength - _chunkOffset);
            ReadOnlySpan<byte> expected = _chunk.AsSpan(_chunkOffset, n);
            if (!received[..n].SequenceEqual(expected))
            {
                int i = 0;
                while (received[i] == expected[i])
                {
                    i++;
                }

                FirstMismatchAt = _checked + i;
                return;
            }

            _checked += n;
            _chunkOffset += n;
            received = received[n..];
        }
    }
}
