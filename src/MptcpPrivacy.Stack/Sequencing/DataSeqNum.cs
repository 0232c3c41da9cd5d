namespace MptcpPrivacy.Stack.Sequencing;

/// <summary>
/// A 64-bit Multipath TCP data sequence number (RFC 8684 §3.3), compared modulo 2^64 the way
/// <see cref="SeqNum32"/> compares subflow numbers.
/// </summary>
/// <remarks>
/// A DSS option may carry only the low 32 bits of a data sequence number or Data ACK
/// (RFC 8684 §3.3.1); <see cref="Expand"/> recovers the full number next to a known one.
/// </remarks>
public readonly record struct DataSeqNum(ulong Value)
{
    /// <summary>Returns the number <paramref name="n"/> octets after <paramref name="a"/>, modulo 2^64.</summary>
    public static DataSeqNum operator +(DataSeqNum a, long n) => new(unchecked(a.Value + (ulong)n));

    /// <summary>Returns the number <paramref name="n"/> octets after <paramref name="a"/>, modulo 2^64.</summary>
    public static DataSeqNum operator +(DataSeqNum a, ulong n) => new(unchecked(a.Value + n));

    /// <summary>Returns the number <paramref name="n"/> octets before <paramref name="a"/>, modulo 2^64.</summary>
    public static DataSeqNum operator -(DataSeqNum a, long n) => new(unchecked(a.Value - (ulong)n));

    /// <summary>Returns the signed distance from <paramref name="b"/> to <paramref name="a"/> (positive when a is after b).</summary>
    public static long operator -(DataSeqNum a, DataSeqNum b) => unchecked((long)(a.Value - b.Value));

    /// <summary>Returns whether <paramref name="a"/> is before <paramref name="b"/> modulo 2^64.</summary>
    public static bool operator <(DataSeqNum a, DataSeqNum b) => (a - b) < 0;

    /// <summary>Returns whether <paramref name="a"/> is after <paramref name="b"/> modulo 2^64.</summary>
    public static bool operator >(DataSeqNum a, DataSeqNum b) => (a - b) > 0;

    /// <summary>Returns whether <paramref name="a"/> is before or equal to <paramref name="b"/>.</summary>
    public static bool operator <=(DataSeqNum a, DataSeqNum b) => (a - b) <= 0;

    /// <summary>Returns whether <paramref name="a"/> is after or equal to <paramref name="b"/>.</summary>
    public static bool operator >=(DataSeqNum a, DataSeqNum b) => (a - b) >= 0;

    /// <summary>Gets the low 32 bits, as a 4-octet DSN or Data ACK carries them (RFC 8684 §3.3.1).</summary>
    public uint Lower32 => unchecked((uint)Value);

    /// <summary>Returns the number of octets from this number forward to <paramref name="later"/>, modulo 2^64.</summary>
    public ulong DistanceTo(DataSeqNum later) => unchecked(later.Value - Value);

    /// <summary>
    /// Returns the 64-bit number whose low 32 bits are <paramref name="lower32"/> and which lies
    /// nearest to <paramref name="reference"/> (within 2^31 on either side), as a receiver infers a
    /// truncated DSN from the data it already holds (RFC 8684 §3.3.1).
    /// </summary>
    public static DataSeqNum Expand(uint lower32, DataSeqNum reference)
    {
        int delta = unchecked((int)(lower32 - reference.Lower32));
        return reference + (long)delta;
    }

    /// <summary>Returns the later of two numbers.</summary>
    public static DataSeqNum Max(DataSeqNum a, DataSeqNum b) => a > b ? a : b;

    /// <summary>Returns the earlier of two numbers.</summary>
    public static DataSeqNum Min(DataSeqNum a, DataSeqNum b) => a < b ? a : b;

    /// <summary>Returns the value in decimal.</summary>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
