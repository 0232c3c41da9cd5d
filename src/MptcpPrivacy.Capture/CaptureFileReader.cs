namespace MptcpPrivacy.Capture;

/// <summary>
/// The part of a capture reader that knows one container format; <see cref="CaptureReader"/> picks
/// one by the file's magic number and forwards to it.
/// </summary>
internal abstract class CaptureFileReader
{
    private bool finished;

    protected CaptureFileReader(CaptureInput input) => Input = input;

    public CaptureError? Error { get; private set; }

    public abstract CaptureFormat Format { get; }

    public abstract IReadOnlyList<CaptureInterface> Interfaces { get; }

    protected CaptureInput Input { get; }

    /// <summary>How many packets have been handed out; the next one gets this plus one.</summary>
    protected long FramesDelivered { get; private set; }

    /// <summary>Reads the file header (the magic number, 4 bytes, is already in the buffer).</summary>
    public abstract void Start();

    /// <summary>Reads the next packet; false at the end of the file or at the first fault.</summary>
    public bool TryReadNext(out CapturedFrame frame)
    {
        if (finished)
        {
            frame = default;
            return false;
        }

        if (ReadNext(out frame))
        {
            return true;
        }

        finished = true;
        return false;
    }

    /// <summary>The format-specific loop: a packet, or false after calling <see cref="Fail"/> or at a clean end.</summary>
    protected abstract bool ReadNext(out CapturedFrame frame);

    /// <summary>Numbers the next packet.</summary>
    protected long NextFrameNumber() => ++FramesDelivered;

    /// <summary>Records a fault of the file at <paramref name="byteOffset"/> and stops the reader; always returns false.</summary>
    protected bool Fail(long byteOffset, string message)
    {
        Error = new CaptureError(byteOffset, FramesDelivered + 1, message);
        finished = true;
        return false;
    }

    /// <summary>Clamps a 32-bit unsigned length from a file to <see cref="int"/>.</summary>
    protected static int ClampToInt(uint value) => value > int.MaxValue ? int.MaxValue : (int)value;
}
