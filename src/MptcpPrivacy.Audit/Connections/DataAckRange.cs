namespace MptcpPrivacy.Audit.Connections;

/// <summary>
/// The Data ACK values one direction of a subflow carried on the wire, as a wrap-aware span
/// (modulo 2^32 for 4-octet Data ACKs, 2^64 for 8-octet ones): a Data ACK that wraps past zero
/// extends the span instead of stretching it over the whole space, which would make it overlap
/// every other subflow's and link what nothing links.
/// </summary>
/// <param name="Start">The earliest value, in sequence order.</param>
/// <param name="Length">How far the latest value is past <paramref name="Start"/>.</param>
/// <param name="Is64">True for 8-octet Data ACKs.</param>
internal readonly record struct DataAckRange(ulong Start, ulong Length, bool Is64)
{
    private ulong Mask => Is64 ? ulong.MaxValue : uint.MaxValue;

    private ulong Half => Mask >> 1;

    /// <summary>The span of one value.</summary>
    public static DataAckRange Of(ulong value, bool is64) => new(is64 ? value : (uint)value, 0, is64);

    /// <summary>The span grown to cover <paramref name="value"/>, forward or backward, whichever is shorter (serial number arithmetic, RFC 1982).</summary>
    public DataAckRange Extend(ulong value)
    {
        value &= Mask;
        ulong ahead = (value - Start) & Mask;
        if (ahead <= Length)
        {
            return this;
        }

        return ahead <= Half ? this with { Length = ahead } : new DataAckRange(value, (Length + ((Start - value) & Mask)) & Mask, Is64);
    }

    /// <summary>
    /// The first value both spans hold, when they share one. Spans of different widths never do, nor
    /// does a span over half the space (garbage, not a data stream).
    /// </summary>
    public ulong? Overlap(DataAckRange other)
    {
        if (Is64 != other.Is64 || Length > Half || other.Length > Half)
        {
            return null;
        }

        if (((other.Start - Start) & Mask) <= Length)
        {
            return other.Start;
        }

        return ((Start - other.Start) & Mask) <= other.Length ? Start : null;
    }
}
