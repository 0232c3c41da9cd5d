using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>
/// The sender's scoreboard of RFC 6675 §3: which octets between SND.UNA and SND.MAX the peer has
/// SACKed, and the queries of §4 over it (IsLost, SetPipe, NextSeg rules 1, 3 and 4).
/// </summary>
/// <remarks>
/// The octets between SND.UNA and SND.MAX that are not SACKed form holes: hole k ends where SACKed
/// range k starts. IsLost is monotone (an octet below a lost one is lost too), so the lowest holes
/// are lost up to a boundary, found once per query from the top down.
/// </remarks>
internal sealed class SackScoreboard
{
    /// <summary>DupThresh of RFC 6675 §2: how many duplicate ACKs, or SACKed segments above a hole, mean loss.</summary>
    public const int DupThresh = 3;

    // A 64 KiB window of 1448-byte segments has at most 46 holes; beyond this many, new blocks are
    // ignored, which only makes the sender retransmit more than it needs to.
    private const int MaximumRanges = 64;

    private readonly SequenceRanges _sacked = new(MaximumRanges);

    /// <summary>Gets whether nothing is SACKed.</summary>
    public bool IsEmpty => _sacked.IsEmpty;

    /// <summary>Gets the SACKed ranges, in sequence order.</summary>
    public SequenceRanges Ranges => _sacked;

    /// <summary>
    /// Records the blocks of <paramref name="sack"/> (RFC 6675 §4 Update()) and returns whether any
    /// octet was newly SACKed. A block that is empty or does not lie within
    /// [<paramref name="una"/>, <paramref name="max"/>) is ignored whole: it is a D-SACK, stale, or a
    /// lie, and must not change what the sender believes (RFC 2018 §8, RFC 5961 spirit).
    /// </summary>
    public bool Update(in SackOption sack, SeqNum32 una, SeqNum32 max)
    {
        bool grew = false;
        for (int i = 0; i < sack.Count; i++)
        {
            SackBlock block = sack[i];
            SeqNum32 left = new(block.LeftEdge);
            SeqNum32 right = new(block.RightEdge);
            if (left < una || right <= left || right > max || _sacked.Covers(left, right))
            {
                continue;
            }

            grew |= _sacked.Add(left, right);
        }

        return grew;
    }

    /// <summary>Forgets everything below the new SND.UNA.</summary>
    public void OnCumulativeAck(SeqNum32 una) => _sacked.TrimBelow(una);

    /// <summary>Forgets everything (RFC 2018 §8: after a timeout the receiver may have reneged).</summary>
    public void Clear() => _sacked.Clear();

    /// <summary>
    /// Returns IsLost(<paramref name="seq"/>) of RFC 6675 §4 for an octet that is not SACKed: whether
    /// DupThresh discontiguous SACKed ranges, or more than (DupThresh - 1) × SMSS SACKed octets, lie above it.
    /// </summary>
    public bool IsLost(SeqNum32 seq, int smss)
    {
        int holeAbove = 0;
        while (holeAbove < _sacked.Count && _sacked.Left(holeAbove) <= seq)
        {
            holeAbove++;
        }

        return holeAbove < LostHoles(smss);
    }

    /// <summary>
    /// Returns pipe of RFC 6675 §4 SetPipe(): the octets in [<paramref name="una"/>,
    /// <paramref name="max"/>) not SACKed, each counted once if not lost, and once more if at or below HighRxt.
    /// </summary>
    /// <param name="una">SND.UNA (HighACK + 1 in RFC 6675's terms).</param>
    /// <param name="max">SND.MAX (HighData + 1).</param>
    /// <param name="highRxt">The octet after the highest retransmitted in this recovery (HighRxt + 1).</param>
    /// <param name="smss">The sender's segment size.</param>
    public int Pipe(SeqNum32 una, SeqNum32 max, SeqNum32 highRxt, int smss)
    {
        int lostHoles = LostHoles(smss);
        int pipe = 0;
        for (int k = 0; k <= _sacked.Count; k++)
        {
            SeqNum32 start = k == 0 ? una : _sacked.Right(k - 1);
            SeqNum32 end = k == _sacked.Count ? max : _sacked.Left(k);
            if (end <= start)
            {
                continue;
            }

            if (k >= lostHoles)
            {
                pipe += end - start;
            }

            SeqNum32 retransmittedEnd = SeqNum32.Min(end, highRxt);
            if (retransmittedEnd > start)
            {
                pipe += retransmittedEnd - start;
            }
        }

        return pipe;
    }

    /// <summary>
    /// Finds the segment NextSeg() rule 1 (<paramref name="lostOnly"/>) or rule 3 returns: up to
    /// <paramref name="smss"/> octets from the lowest octet at or after <paramref name="highRxt"/>
    /// that is not SACKed, lies below the highest SACKed octet and, for rule 1, is lost.
    /// </summary>
    public bool NextHole(SeqNum32 una, SeqNum32 highRxt, int smss, bool lostOnly, out SeqNum32 seq, out int length)
    {
        int holes = lostOnly ? LostHoles(smss) : _sacked.Count;
        for (int k = 0; k < holes; k++)
        {
            SeqNum32 start = SeqNum32.Max(k == 0 ? una : _sacked.Right(k - 1), highRxt);
            SeqNum32 end = _sacked.Left(k);
            if (end > start)
            {
                seq = start;
                length = Math.Min(smss, end - start);
                return true;
            }
        }

        seq = default;
        length = 0;
        return false;
    }

    /// <summary>
    /// Finds the segment NextSeg() rule 4 returns: up to <paramref name="smss"/> octets ending with the
    /// highest octet below <paramref name="max"/> that is not SACKed (the rescue retransmission).
    /// </summary>
    /// <remarks>
    /// Unlike the letter of rule 4, nothing is returned when that octet was already retransmitted in
    /// this recovery (it lies below <paramref name="highRxt"/>): the rescue is for a lost tail, and
    /// sending the same segment twice in one round trip would only add to the load.
    /// </remarks>
    public bool Rescue(SeqNum32 una, SeqNum32 max, SeqNum32 highRxt, int smss, out SeqNum32 seq, out int length)
    {
        for (int k = _sacked.Count; k >= 0; k--)
        {
            SeqNum32 start = k == 0 ? una : _sacked.Right(k - 1);
            SeqNum32 end = k == _sacked.Count ? max : _sacked.Left(k);
            if (end > start && end <= highRxt)
            {
                break;
            }

            if (end > start)
            {
                length = Math.Min(smss, end - start);
                seq = end - length;
                return true;
            }
        }

        seq = default;
        length = 0;
        return false;
    }

    // How many holes, from the lowest, are lost: hole k is lost when the ranges from k up hold
    // DupThresh ranges or more than (DupThresh - 1) × SMSS octets.
    private int LostHoles(int smss)
    {
        long sacked = 0;
        for (int k = _sacked.Count - 1; k >= 0; k--)
        {
            sacked += _sacked.Length(k);
            if (sacked > (long)(DupThresh - 1) * smss || _sacked.Count - k >= DupThresh)
            {
                return k + 1;
            }
        }

        return 0;
    }
}
