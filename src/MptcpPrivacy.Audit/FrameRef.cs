namespace MptcpPrivacy.Audit;

/// <summary>
/// Packs (file, frame) into one long, so the tracker's frame fields name a packet in any of several
/// capture files audited together: the file index (1-based) in the top bits, the frame number below.
/// </summary>
public static class FrameRef
{
    private const int FileShift = 40;

    /// <summary>Makes a reference to frame <paramref name="frame"/> of file <paramref name="file"/>.</summary>
    public static long Make(int file, long frame) => ((long)file << FileShift) | frame;

    /// <summary>The 1-based file index (0 for a bare frame number).</summary>
    public static int File(long reference) => (int)(reference >> FileShift);

    /// <summary>The frame number within its file.</summary>
    public static long Frame(long reference) => reference & ((1L << FileShift) - 1);
}
