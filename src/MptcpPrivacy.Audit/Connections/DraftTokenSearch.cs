using MptcpPrivacy.Privacy.Draft;

namespace MptcpPrivacy.Audit.Connections;

/// <summary>
/// How a tracker tries the draft's per-join tokens (draft-bagnulo-mptcp-privacy-00 §3, both
/// readings; see <see cref="DraftJoinToken"/>) on an MP_JOIN whose token is the token of no key seen:
/// with each key seen, the join SYN's source address as the observer sees it, with and without its
/// port, and each n of the configured sets.
/// </summary>
public sealed class DraftTokenSearch
{
    /// <summary>Makes a search over the given n of each reading.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An n of reading A is not a multiple of 8 in 0..256, or one of reading B is not in 1..31.</exception>
    public DraftTokenSearch(IReadOnlyList<int> readingAZeroBits, IReadOnlyList<int> readingBZeroBits)
    {
        foreach (int n in readingAZeroBits)
        {
            if (n is < 0 or > DraftJoinToken.MaxZeroBitsA || n % 8 != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(readingAZeroBits), n, "reading A: a multiple of 8 up to 256");
            }
        }

        foreach (int n in readingBZeroBits)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(readingBZeroBits));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(n, 31, nameof(readingBZeroBits));
        }

        ReadingAZeroBits = [.. readingAZeroBits];
        ReadingBZeroBits = [.. readingBZeroBits];
    }

    /// <summary>
    /// n = 8 for both readings, the stack's default (PrivacyOptions.DraftZeroBits), and n = 32 for
    /// reading A and 24 for reading B, the values the privacy benchmarks run them with
    /// (PrivacyFigures). Reading B's n is also its false-match rate per key tried, 2^-n; a match
    /// whose join HMAC then fails links nothing.
    /// </summary>
    public static DraftTokenSearch Default { get; } = new([8, 32], [8, 24]);

    /// <summary>No draft reading tried.</summary>
    public static DraftTokenSearch None { get; } = new([], []);

    /// <summary>The n tried with reading A.</summary>
    public IReadOnlyList<int> ReadingAZeroBits { get; }

    /// <summary>The n tried with reading B.</summary>
    public IReadOnlyList<int> ReadingBZeroBits { get; }

    /// <summary>True when there is nothing to try.</summary>
    public bool IsEmpty => ReadingAZeroBits.Count == 0 && ReadingBZeroBits.Count == 0;

    /// <summary>Whether <paramref name="token"/> is a draft token for <paramref name="receiverKey"/> from <paramref name="source"/>; <paramref name="how"/> names the reading.</summary>
    internal bool Matches(uint token, ulong receiverKey, Endpoint source, out string how)
    {
        foreach (ushort? port in (ReadOnlySpan<ushort?>)[null, source.Port])
        {
            string from = port is null ? $"{source.Address}" : $"{source} (address and port)";
            foreach (int n in ReadingAZeroBits)
            {
                if (DraftJoinToken.ReadingA(receiverKey, n, source.Address, port) == token)
                {
                    how = $"reading A (SHA-256 of {n} zero bits, the key, {from})";
                    return true;
                }
            }

            if (ReadingBZeroBits.Count > 0)
            {
                ulong tweak = DraftJoinToken.AddressTweak(source.Address, port);
                foreach (int n in ReadingBZeroBits)
                {
                    if (DraftJoinToken.ShowsZerosB(receiverKey, tweak, n, token))
                    {
                        how = $"reading B (Speck32 under the key tweaked by {from} shows {n} zero bits)";
                        return true;
                    }
                }
            }
        }

        how = "";
        return false;
    }
}
