using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Stack.Tcp;

/// <summary>The TCP options of one arriving segment that the connection acts on; malformed ones are ignored.</summary>
/// <param name="MaximumSegmentSize">The MSS option (RFC 9293 §3.7.1), on a SYN.</param>
/// <param name="WindowShift">The Window Scale shift, above 14 read as 14 (RFC 7323 §2.3), on a SYN.</param>
/// <param name="Timestamps">The Timestamps option (RFC 7323 §3).</param>
/// <param name="SackPermitted">Whether SACK-Permitted was present (RFC 2018 §2), on a SYN.</param>
/// <param name="Sack">The SACK option (RFC 2018 §3).</param>
internal readonly record struct ReceivedOptions(ushort? MaximumSegmentSize, int? WindowShift, TimestampsOption? Timestamps, bool SackPermitted, SackOption? Sack)
{
    /// <summary>Reads the options of <paramref name="segment"/> in one walk.</summary>
    public static ReceivedOptions Read(in TcpHeader segment)
    {
        ushort? mss = null;
        int? shift = null;
        TimestampsOption? timestamps = null;
        bool sackPermitted = false;
        SackOption? sack = null;
        foreach (TcpOption option in segment.ReadOptions())
        {
            switch (option.Kind)
            {
                case TcpOptionKind.MaximumSegmentSize when MaximumSegmentSizeOption.TryParse(option.Bytes, out MaximumSegmentSizeOption m, out _):
                    mss = m.MaximumSegmentSize;
                    break;
                case TcpOptionKind.WindowScale when WindowScaleOption.TryParse(option.Bytes, out WindowScaleOption w, out _):
                    shift = w.EffectiveShift;
                    break;
                case TcpOptionKind.Timestamps when TimestampsOption.TryParse(option.Bytes, out TimestampsOption t, out _):
                    timestamps = t;
                    break;
                case TcpOptionKind.SackPermitted when SackPermittedOption.TryParse(option.Bytes, out _, out _):
                    sackPermitted = true;
                    break;
                case TcpOptionKind.Sack when SackOption.TryParse(option.Bytes, out SackOption s, out _):
                    sack = s;
                    break;
            }
        }

        return new ReceivedOptions(mss, shift, timestamps, sackPermitted, sack);
    }
}
