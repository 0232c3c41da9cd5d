using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Stack.Scripted;

/// <summary>An <see cref="ISubflowHooks"/> that records every call and plays a fixed part: one option on every segment, a payload bound, a verdict, a window cap.</summary>
internal sealed class RecordingHooks : ISubflowHooks
{
    public int DataOptionSpace { get; set; }

    public long ReceiveWindowLimit { get; set; } = long.MaxValue;

    /// <summary>The option bytes written on every segment that has room for them.</summary>
    public byte[] Option { get; set; } = [];

    /// <summary>Bounds payloads as a DSS mapping would; null leaves them alone.</summary>
    public Func<SeqNum32, int, int>? Limit { get; set; }

    /// <summary>The verdict <see cref="OnSegmentAccepted"/> returns.</summary>
    public bool Accept { get; set; } = true;

    public List<(OutgoingSegment Segment, int Room)> Written { get; } = [];

    public List<(SeqNum32 Sequence, int Available)> LimitCalls { get; } = [];

    public List<(TcpFlags Flags, uint Seq)> Accepted { get; } = [];

    public int LimitPayload(SeqNum32 sequence, int available)
    {
        LimitCalls.Add((sequence, available));
        return Limit?.Invoke(sequence, available) ?? available;
    }

    public int WriteOptions(TimeSpan now, in OutgoingSegment segment, Span<byte> destination)
    {
        Written.Add((segment, destination.Length));
        if (Option.Length > destination.Length)
        {
            return 0;
        }

        Option.CopyTo(destination);
        return Option.Length;
    }

    public bool OnSegmentAccepted(TimeSpan now, in TcpHeader segment)
    {
        Accepted.Add((segment.Flags, segment.SequenceNumber));
        return Accept;
    }

    /// <summary>An MPTCP-kind option of <paramref name="length"/> bytes (kind 30, length, then filler), as a stand-in for DSS.</summary>
    public static byte[] MptcpOption(int length)
    {
        byte[] option = new byte[length];
        option[0] = (byte)TcpOptionKind.Mptcp;
        option[1] = (byte)length;
        option.AsSpan(2).Fill(0xAB);
        return option;
    }
}
