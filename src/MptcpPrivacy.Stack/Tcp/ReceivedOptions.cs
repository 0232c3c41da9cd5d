using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>The TCP options of one arriving segment that the connection acts on; malformed ones are ignored.</summary>
internal readonly record struct ReceivedOptions(ushort? MaximumSegmentSize, int? WindowShift, TimestampsOption? Timestamps)
{
    /// <summary>Reads MSS, Window Scale and Timestamps from <paramref name="segment"/>.</summary>
    public static ReceivedOptions Read(in TcpHeader segment)
    {
        ushort? mss = null;
        int? shift = null;
        TimestampsOption? timestamps = null;
        foreach (TcpOption option in segment.ReadOptions())
        {
            switch (option.Kind)
            {
                case TcpOptionKind.MaximumSegmentSize when MaximumSegmentSizeOption.TryParse(option.Bytes, out MaximumSegmentSizeOption m, out _):
                    mss = m.MaximumSegmentSize;
                    break;
                case TcpOptionKind.WindowScale when WindowScaleOption.TryParse(option.Bytes, out WindowScaleOption w, out _):
                    // RFC 7323 §2.3: a shift above 14 is used as 14.
                    shift = w.EffectiveShift;
                    break;
                case TcpOptionKind.Timestamps when TimestampsOption.TryParse(option.Bytes, out TimestampsOption t, out _):
                    timestamps = t;
                    break;
            }
        }

        return new ReceivedOptions(mss, shift, timestamps);
    }
}
