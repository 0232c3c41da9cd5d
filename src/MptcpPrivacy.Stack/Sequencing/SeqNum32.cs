namespace MptcpPrivacy.Stack.Sequencing;

/// <summary>
/// A 32-bit TCP subflow sequence number compared modulo 2^32 (RFC 9293 §3.4): a is before b when the
/// signed 32-bit difference b - a is positive.
/// </summary>
/// <remarks>
/// The order is not transitive over the whole space (a &lt; b &lt; c does not imply a &lt; c when the
/// three span more than 2^31), so the type deliberately does not implement <see cref="IComparable{T}"/>;
/// compare only numbers known to lie within half the space of each other, as TCP windows do.
/// </remarks>
public readonly record struct SeqNum32(uint Value)
{
    /// <summary>Returns the sequence number <paramref name="n"/> octets after <paramref name="a"/>, modulo 2^32.</summary>
    public static SeqNum32 operator +(SeqNum32 a, int n) => new(unchecked(a.Value + (uint)n));

    /// <summary>Returns the sequence number <paramref name="n"/> octets after <paramref name="a"/>, modulo 2^32.</summary>
    public static SeqNum32 operator +(SeqNum32 a, uint n) => new(unchecked(a.Value + n));

    /// <summary>Returns the sequence number <paramref name="n"/> octets before <paramref name="a"/>, modulo 2^32.</summary>
    public static SeqNum32 operator -(SeqNum32 a, int n) => new(unchecked(a.Value - (uint)n));

    /// <summary>Returns the sequence number <paramref name="n"/> octets before <paramref name="a"/>, modulo 2^32.</summary>
    public static SeqNum32 operator -(SeqNum32 a, uint n) => new(unchecked(a.Value - n));

    /// <summary>Returns the signed distance from <paramref name="b"/> to <paramref name="a"/> (positive when a is after b).</summary>
    public static int operator -(SeqNum32 a, SeqNum32 b) => unchecked((int)(a.Value - b.Value));

    /// <summary>Returns whether <paramref name="a"/> is before <paramref name="b"/> (RFC 9293 §3.4 "&lt;").</summary>
    public static bool operator <(SeqNum32 a, SeqNum32 b) => (a - b) < 0;

    /// <summary>Returns whether <paramref name="a"/> is after <paramref name="b"/>.</summary>
    public static bool operator >(SeqNum32 a, SeqNum32 b) => (a - b) > 0;

    /// <summary>Returns whether <paramref name="a"/> is before or equal to <paramref name="b"/>.</summary>
    public static bool operator <=(SeqNum32 a, SeqNum32 b) => (a - b) <= 0;

    /// <summary>Returns whether <paramref name="a"/> is after or equal to <paramref name="b"/>.</summary>
    public static bool operator >=(SeqNum32 a, SeqNum32 b) => (a - b) >= 0;

    /// <summary>Returns the number of octets from this number forward to <paramref name="later"/>, modulo 2^32.</summary>
    public uint DistanceTo(SeqNum32 later) => unchecked(later.Value - Value);

    /// <summary>Returns whether this number lies in the half-open window [<paramref name="start"/>, <paramref name="start"/> + <paramref name="size"/>).</summary>
    public bool IsInWindow(SeqNum32 start, uint size) => start.DistanceTo(this) < size;

    /// <summary>Returns the later of two numbers.</summary>
    public static SeqNum32 Max(SeqNum32 a, SeqNum32 b) => a > b ? a : b;

    /// <summary>Returns the earlier of two numbers.</summary>
    public static SeqNum32 Min(SeqNum32 a, SeqNum32 b) => a < b ? a : b;

    /// <summary>Returns the value in decimal.</summary>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
