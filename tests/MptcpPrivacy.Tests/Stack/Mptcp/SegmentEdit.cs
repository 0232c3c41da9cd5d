using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Stack.Mptcp;

/// <summary>Test helpers to read and change the MPTCP options of raw TCP segments.</summary>
internal static class SegmentEdit
{
    /// <summary>Returns a copy of <paramref name="segment"/> with every MPTCP option that matches <paramref name="strip"/> overwritten by NOPs.</summary>
    public static byte[] StripMptcp(byte[] segment, Func<MptcpOption, bool> strip)
    {
        byte[] copy = (byte[])segment.Clone();
        Assert.True(TcpHeader.TryParse(copy, out TcpHeader tcp, out _));
        int offset = TcpHeader.MinimumLength;
        foreach (TcpOption option in tcp.ReadOptions())
        {
            int length = option.Bytes.Length;
            if (option.Kind == TcpOptionKind.Mptcp && MptcpOption.TryParse(option.Bytes, out MptcpOption parsed, out _) && strip(parsed))
            {
                int at = IndexOf(copy, option.Bytes, offset);
                copy.AsSpan(at, length).Fill(1);
            }
        }

        return copy;
    }

    /// <summary>Returns a copy of <paramref name="segment"/> whose DSS options are replaced by what <paramref name="change"/> makes of them (of the same length).</summary>
    public static byte[] RewriteDss(byte[] segment, Func<DssOption, DssOption> change)
    {
        byte[] copy = (byte[])segment.Clone();
        Assert.True(TcpHeader.TryParse(copy, out TcpHeader tcp, out _));
        int offset = TcpHeader.MinimumLength;
        foreach (TcpOption option in tcp.ReadOptions())
        {
            if (option.Kind == TcpOptionKind.Mptcp && MptcpOption.TryParse(option.Bytes, out MptcpOption parsed, out _) && parsed.Subtype == MptcpSubtype.Dss)
            {
                DssOption changed = change(parsed.Dss);
                Assert.Equal(option.Bytes.Length, changed.EncodedLength);
                int at = IndexOf(copy, option.Bytes, offset);
                changed.Encode(copy.AsSpan(at, option.Bytes.Length));
            }
        }

        return copy;
    }

    /// <summary>Returns the MPTCP options of a segment.</summary>
    public static List<MptcpOption> Options(byte[] segment)
    {
        var list = new List<MptcpOption>();
        Assert.True(TcpHeader.TryParse(segment, out TcpHeader tcp, out _));
        foreach (TcpOption option in tcp.ReadOptions())
        {
            if (option.Kind == TcpOptionKind.Mptcp && MptcpOption.TryParse(option.Bytes, out MptcpOption parsed, out _))
            {
                list.Add(parsed);
            }
        }

        return list;
    }

    public static TcpFlags Flags(byte[] segment)
    {
        Assert.True(TcpHeader.TryParse(segment, out TcpHeader tcp, out _));
        return tcp.Flags;
    }

    public static int PayloadLength(byte[] segment)
    {
        Assert.True(TcpHeader.TryParse(segment, out TcpHeader tcp, out _));
        return tcp.Payload.Length;
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle, int from)
    {
        int at = haystack.AsSpan(from).IndexOf(needle);
        Assert.True(at >= 0);
        return from + at;
    }
}
