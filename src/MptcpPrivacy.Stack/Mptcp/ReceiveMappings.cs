using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Wire.Crypto;

namespace MptcpPrivacy.Stack.Mptcp;

/// <summary>What became of a piece of subflow data handed to <see cref="ReceiveMappings"/>.</summary>
public enum MappingOutcome : byte
{
    /// <summary>Every byte was covered by a mapping and passed on with its data sequence number.</summary>
    Mapped,

    /// <summary>Some bytes had no mapping (yet): they were held back, not passed on.</summary>
    Unmapped,

    /// <summary>A mapping's DSS checksum did not match its data (RFC 8684 §3.3.1): its bytes were not passed on.</summary>
    ChecksumFailed,
}

/// <summary>
/// One subflow's receive-side DSS mappings (RFC 8684 §3.3.1): which subflow bytes (relative
/// subflow sequence numbers, SSN) stand for which data sequence numbers. A mapping may come with
/// its first segment or before it, cover several segments, and be repeated; with checksums
/// negotiated, a mapping's bytes are passed on only once all have arrived and the checksum matches.
/// The TCP layer hands in bytes in subflow order (after its own reassembly); this turns them into
/// (DSN, bytes) pieces for <see cref="DataReassembly"/>.
/// </summary>
public sealed class ReceiveMappings(bool checksums)
{
    /// <summary>At most this many mappings are kept waiting; a peer cannot grow the table past it.</summary>
    public const int MaxMappings = 64;

    private readonly List<Mapping> _mappings = [];

    /// <summary>Bytes received in subflow order that no mapping covered when they came.</summary>
    public long UnmappedBytes { get; private set; }

    /// <summary>Mappings whose checksum failed.</summary>
    public long ChecksumFailures { get; private set; }

    /// <summary>
    /// Registers a mapping from a DSS option: <paramref name="length"/> bytes from subflow-relative
    /// sequence <paramref name="ssn"/> carry data sequence numbers from <paramref name="dsn"/>. A
    /// repeat of a known mapping is ignored. Returns false when the table is full (the caller resets
    /// the subflow, as a peer that never sends the mapped data is misbehaving).
    /// </summary>
    public bool AddMapping(DataSeqNum dsn, uint ssn, ushort length, ushort? checksum)
    {
        foreach (Mapping m in _mappings)
        {
            if (m.Ssn == ssn && m.Dsn == dsn && m.Length == length)
            {
                return true;
            }
        }

        if (_mappings.Count >= MaxMappings)
        {
            return false;
        }

        _mappings.Add(new Mapping(dsn, ssn, length, checksum, checksums ? new byte[length] : null));
        return true;
    }

    /// <summary>
    /// Takes in-order subflow bytes starting at subflow-relative sequence <paramref name="ssn"/> and
    /// passes each mapped byte range to <paramref name="deliver"/> with its data sequence number.
    /// </summary>
    public MappingOutcome OnData(uint ssn, ReadOnlySpan<byte> data, Action<DataSeqNum, ReadOnlyMemory<byte>> deliver)
    {
        MappingOutcome outcome = MappingOutcome.Mapped;
        int position = 0;
        while (position < data.Length)
        {
            uint at = ssn + (uint)position;
            Mapping? mapping = Find(at);
            if (mapping is null)
            {
                UnmappedBytes += data.Length - position;
                return MappingOutcome.Unmapped;
            }

            int into = (int)(at - mapping.Ssn);
            int n = Math.Min(mapping.Length - into, data.Length - position);
            ReadOnlySpan<byte> piece = data.Slice(position, n);
            if (mapping.Buffer is null)
            {
                deliver(mapping.Dsn + (ulong)into, piece.ToArray());
                mapping.Received += n;
            }
            else
            {
                piece.CopyTo(mapping.Buffer.AsSpan(into));
                mapping.Received += n;
                if (mapping.Received >= mapping.Length)
                {
                    if (mapping.Checksum is { } sum && !DssChecksum.IsValid(mapping.Dsn.Value, mapping.Ssn, mapping.Length, sum, mapping.Buffer))
                    {
                        ChecksumFailures++;
                        outcome = MappingOutcome.ChecksumFailed;
                    }
                    else
                    {
                        deliver(mapping.Dsn, mapping.Buffer);
                    }
                }
            }

            if (mapping.Received >= mapping.Length)
            {
                _mappings.Remove(mapping);
            }

            position += n;
        }

        return outcome;
    }

    private Mapping? Find(uint ssn)
    {
        foreach (Mapping m in _mappings)
        {
            if (unchecked(ssn - m.Ssn) < m.Length)
            {
                return m;
            }
        }

        return null;
    }

    private sealed class Mapping(DataSeqNum dsn, uint ssn, ushort length, ushort? checksum, byte[]? buffer)
    {
        public DataSeqNum Dsn { get; } = dsn;
        public uint Ssn { get; } = ssn;
        public ushort Length { get; } = length;
        public ushort? Checksum { get; } = checksum;
        public byte[]? Buffer { get; } = buffer;
        public int Received { get; set; }
    }
}
