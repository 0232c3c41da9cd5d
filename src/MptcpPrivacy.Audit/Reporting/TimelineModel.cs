namespace MptcpPrivacy.Audit.Reporting;

/// <summary>
/// What one timeline picture shows: for one connection as one observer saw it, a row per subflow
/// (or per address only announced), the time spans it was seen, and disclosure events marked on
/// the rows. Times are Unix nanoseconds; the picture shows them relative to <see cref="StartNs"/>.
/// </summary>
public sealed record TimelineModel(string Title, long StartNs, long EndNs, IReadOnlyList<TimelineRow> Rows, IReadOnlyList<TimelineEvent> Events);

/// <summary>One row: a subflow ("198.51.100.2:40000 → 192.0.2.1:10000") or an address seen only in an option.</summary>
/// <param name="Label">The row's label.</param>
/// <param name="Kind">What the row is, which sets its colour.</param>
/// <param name="Spans">When it was seen (one span per subflow; an announced address gets a span from announcement to end).</param>
public sealed record TimelineRow(string Label, TimelineRowKind Kind, IReadOnlyList<TimelineSpan> Spans);

/// <summary>A time interval, Unix nanoseconds, end inclusive (a single packet has Start == End).</summary>
public readonly record struct TimelineSpan(long StartNs, long EndNs);

/// <summary>What a timeline row stands for.</summary>
public enum TimelineRowKind
{
    /// <summary>The connection's first subflow (MP_CAPABLE).</summary>
    Initial,

    /// <summary>A subflow added with MP_JOIN.</summary>
    Join,

    /// <summary>A join that did not complete.</summary>
    FailedJoin,

    /// <summary>A subflow that fell back to plain TCP.</summary>
    Fallback,

    /// <summary>A subflow whose handshake was not captured.</summary>
    Unknown,

    /// <summary>An address only disclosed inside an option (ADD_ADDR), never seen as a subflow endpoint.</summary>
    AnnouncedAddress,
}

/// <summary>A disclosure or control event drawn as a marker on a row.</summary>
/// <param name="TimeNs">When, Unix nanoseconds.</param>
/// <param name="Row">Index into <see cref="TimelineModel.Rows"/>.</param>
/// <param name="Kind">Which event, which sets the marker's shape.</param>
/// <param name="Label">Tooltip text (for example "ADD_ADDR id 5 192.0.2.2, frame 14").</param>
public sealed record TimelineEvent(long TimeNs, int Row, TimelineEventKind Kind, string Label);

/// <summary>The events a timeline marks.</summary>
public enum TimelineEventKind
{
    /// <summary>MP_CAPABLE handshake: keys disclosed.</summary>
    MpCapable,

    /// <summary>MP_JOIN SYN: token disclosed, subflow added.</summary>
    Join,

    /// <summary>ADD_ADDR: an address disclosed.</summary>
    AddAddr,

    /// <summary>REMOVE_ADDR.</summary>
    RemoveAddr,

    /// <summary>MP_PRIO.</summary>
    MpPrio,

    /// <summary>MP_FASTCLOSE or MP_TCPRST.</summary>
    Reset,

    /// <summary>A check that failed (bad HMAC, bad checksum).</summary>
    Failure,
}
