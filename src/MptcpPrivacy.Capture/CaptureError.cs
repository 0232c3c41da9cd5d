namespace MptcpPrivacy.Capture;

/// <summary>
/// Says where and why a capture file stopped making sense: a fault of the file, reported as a value.
/// </summary>
/// <param name="ByteOffset">The offset in the file of the record or block (or header) that is at fault.</param>
/// <param name="FrameNumber">The number the next packet would have had: one more than the frames delivered.</param>
/// <param name="Message">What is wrong, in words.</param>
public sealed record CaptureError(long ByteOffset, long FrameNumber, string Message)
{
    /// <summary>Formats the error as "byte offset 1234 (frame 17): message".</summary>
    public override string ToString() => $"byte offset {ByteOffset} (frame {FrameNumber}): {Message}";
}
