using MptcpPrivacy.Wire.Checksums;

namespace MptcpPrivacy.Wire.Crypto;

/// <summary>
/// Computes and checks the DSS checksum (RFC 8684 §3.3.1; RFC 6824 §3.3 for v0): the Internet
/// checksum over a pseudo-header and the data the mapping covers.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +--------------------------------------------------------------+
/// |                                                              |
/// |                Data Sequence Number (8 octets)               |
/// |                                                              |
/// +--------------------------------------------------------------+
/// |              Subflow Sequence Number (4 octets)              |
/// +-------------------------------+------------------------------+
/// |  Data-Level Length (2 octets) |        Zeros (2 octets)      |
/// +-------------------------------+------------------------------+
/// </code>
/// The DSN is always the full 64 bits, even when the option carries only the low 32; the SSN is
/// relative to the subflow's initial sequence number. A DATA_FIN-only mapping (SSN 0, DLL 1) sums the
/// pseudo-header alone. Linux's struct is <c>csum_pseudo_header</c>.
/// </remarks>
public static class DssChecksum
{
    /// <summary>
    /// Returns an accumulator holding the pseudo-header sum, for a mapping whose data arrives in several
    /// pieces: add each piece, then <see cref="InternetChecksum.Finish"/> gives the checksum.
    /// </summary>
    public static InternetChecksum Start(ulong dataSequenceNumber, uint subflowSequenceNumber, ushort dataLevelLength)
    {
        var sum = default(InternetChecksum);
        sum.AddUInt64(dataSequenceNumber);
        sum.AddUInt32(subflowSequenceNumber);
        sum.AddUInt32((uint)dataLevelLength << 16);
        return sum;
    }

    /// <summary>Returns the checksum to put in a DSS option for this mapping and the data it covers.</summary>
    public static ushort Compute(ulong dataSequenceNumber, uint subflowSequenceNumber, ushort dataLevelLength, ReadOnlySpan<byte> payload)
    {
        InternetChecksum sum = Start(dataSequenceNumber, subflowSequenceNumber, dataLevelLength);
        sum.Add(payload);
        return sum.Finish();
    }

    /// <summary>Returns whether the checksum carried in a DSS option is right for this mapping and the data it covers.</summary>
    public static bool IsValid(ulong dataSequenceNumber, uint subflowSequenceNumber, ushort dataLevelLength, ushort checksum, ReadOnlySpan<byte> payload)
    {
        // The carried value goes where the pseudo-header has zeros (an even offset, before any odd-length
        // data, so adding it now is the same): a right checksum makes the sum complement to 0, whichever
        // of the two one's-complement zeros the sender wrote.
        InternetChecksum sum = Start(dataSequenceNumber, subflowSequenceNumber, dataLevelLength);
        sum.AddUInt16(checksum);
        sum.Add(payload);
        return sum.Finish() == 0;
    }
}
