using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Stack.Scripted;

/// <summary>
/// A TCP segment as a test writes it: to send, null fields mean zero or absent; to match, null
/// fields mean "don't care".
/// </summary>
internal sealed record Seg
{
    public TcpFlags? Flags { get; init; }
    public uint? Seq { get; init; }
    public uint? Ack { get; init; }
    public ushort? Window { get; init; }
    public byte[]? Payload { get; init; }
    public int? PayloadLength { get; init; }
    public ushort? Mss { get; init; }
    public int? WindowShift { get; init; }
    public bool? HasTimestamps { get; init; }
    public uint? TsVal { get; init; }
    public uint? TsEcr { get; init; }
    public ushort? SourcePort { get; init; }
    public ushort? DestinationPort { get; init; }
    public bool? SackPermitted { get; init; }

    /// <summary>SACK blocks (RFC 2018 §3) in wire order; to match, the exact blocks, and an empty array means no SACK option.</summary>
    public SackBlock[]? Sack { get; init; }

    /// <summary>To match only: the kinds of the options area in order, NOPs included.</summary>
    public TcpOptionKind[]? OptionKinds { get; init; }

    /// <summary>Decodes every field of an emitted segment.</summary>
    public static Seg Decode(in TcpHeader h)
    {
        ushort? mss = null;
        int? shift = null;
        TimestampsOption? ts = null;
        bool sackPermitted = false;
        var sack = new List<SackBlock>();
        var kinds = new List<TcpOptionKind>();
        foreach (TcpOption o in h.ReadOptions())
        {
            kinds.Add(o.Kind);
            if (MaximumSegmentSizeOption.TryParse(o.Bytes, out var m, out _)) { mss = m.MaximumSegmentSize; }
            if (WindowScaleOption.TryParse(o.Bytes, out var w, out _)) { shift = w.ShiftCount; }
            if (TimestampsOption.TryParse(o.Bytes, out var t, out _)) { ts = t; }
            if (SackPermittedOption.TryParse(o.Bytes, out _, out _)) { sackPermitted = true; }
            if (SackOption.TryParse(o.Bytes, out var b, out _)) { for (int i = 0; i < b.Count; i++) { sack.Add(b[i]); } }
        }

        return new Seg
        {
            Flags = h.Flags, Seq = h.SequenceNumber, Ack = h.AcknowledgmentNumber, Window = h.Window,
            Payload = h.Payload.ToArray(), PayloadLength = h.Payload.Length, Mss = mss, WindowShift = shift,
            HasTimestamps = ts is not null, TsVal = ts?.Value, TsEcr = ts?.EchoReply,
            SourcePort = h.SourcePort, DestinationPort = h.DestinationPort,
            SackPermitted = sackPermitted, Sack = sack.ToArray(), OptionKinds = kinds.ToArray(),
        };
    }

    /// <summary>Encodes the segment for sending.</summary>
    public byte[] Encode(ushort defaultSource, ushort defaultDestination)
    {
        Span<byte> options = stackalloc byte[40];
        TcpOptionWriter writer = new(options);
        if (Mss is { } mss) { writer.Add(new MaximumSegmentSizeOption(mss)); }
        if (TsVal is { } val) { writer.AddAligned(new TimestampsOption(val, TsEcr ?? 0)); }
        if (WindowShift is { } shift) { writer.AddAligned(new WindowScaleOption((byte)shift)); }
        if (SackPermitted == true) { writer.AddAligned(new SackPermittedOption()); }
        if (Sack is { Length: > 0 } blocks) { writer.AddAligned(new SackOption(blocks)); }
        byte[] payload = Payload ?? new byte[PayloadLength ?? 0];
        byte[] bytes = new byte[TcpHeaderFields.HeaderLength(writer.Length) + payload.Length];
        int n = new TcpHeaderFields
        {
            SourcePort = SourcePort ?? defaultSource,
            DestinationPort = DestinationPort ?? defaultDestination,
            SequenceNumber = Seq ?? 0,
            AcknowledgmentNumber = Ack ?? 0,
            Flags = Flags ?? TcpFlags.None,
            Window = Window ?? 65535,
        }.Encode(bytes, writer.Written);
        payload.CopyTo(bytes, n);
        return bytes;
    }

    /// <summary>Returns the names of the set fields of <paramref name="matcher"/> that differ in this segment.</summary>
    public IEnumerable<string> Mismatches(Seg matcher)
    {
        if (matcher.Flags is { } f && f != Flags) { yield return $"Flags {Flags} != {f}"; }
        if (matcher.Seq is { } s && s != Seq) { yield return $"Seq {Seq} != {s}"; }
        if (matcher.Ack is { } a && a != Ack) { yield return $"Ack {Ack} != {a}"; }
        if (matcher.Window is { } w && w != Window) { yield return $"Window {Window} != {w}"; }
        if (matcher.Payload is { } p && !p.AsSpan().SequenceEqual(Payload)) { yield return "Payload differs"; }
        if (matcher.PayloadLength is { } l && l != PayloadLength) { yield return $"PayloadLength {PayloadLength} != {l}"; }
        if (matcher.Mss is { } m && m != Mss) { yield return $"Mss {Mss} != {m}"; }
        if (matcher.WindowShift is { } ws && ws != WindowShift) { yield return $"WindowShift {WindowShift} != {ws}"; }
        if (matcher.HasTimestamps is { } t && t != HasTimestamps) { yield return $"HasTimestamps {HasTimestamps} != {t}"; }
        if (matcher.TsVal is { } tv && tv != TsVal) { yield return $"TsVal {TsVal} != {tv}"; }
        if (matcher.TsEcr is { } te && te != TsEcr) { yield return $"TsEcr {TsEcr} != {te}"; }
        if (matcher.SourcePort is { } sp && sp != SourcePort) { yield return $"SourcePort {SourcePort} != {sp}"; }
        if (matcher.DestinationPort is { } dp && dp != DestinationPort) { yield return $"DestinationPort {DestinationPort} != {dp}"; }
        if (matcher.SackPermitted is { } sp2 && sp2 != SackPermitted) { yield return $"SackPermitted {SackPermitted} != {sp2}"; }
        if (matcher.Sack is { } sb && !sb.AsSpan().SequenceEqual(Sack)) { yield return $"Sack [{Blocks(Sack)}] != [{Blocks(sb)}]"; }
        if (matcher.OptionKinds is { } ok && !ok.AsSpan().SequenceEqual(OptionKinds)) { yield return $"OptionKinds [{string.Join(",", OptionKinds ?? [])}] != [{string.Join(",", ok)}]"; }
    }

    private static string Blocks(SackBlock[]? blocks) => string.Join(", ", (blocks ?? []).Select(b => $"{b.LeftEdge}-{b.RightEdge}"));

    /// <summary>A compact form for failure messages.</summary>
    public override string ToString()
    {
        return $"{Flags} seq={Seq} ack={Ack} win={Window} len={PayloadLength} ts={TsVal}/{TsEcr} sack=[{Blocks(Sack)}] options=[{string.Join(",", OptionKinds ?? [])}]";
    }
}
