using MptcpPrivacy.Privacy.Profile;
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
public sealed class ReceiveMappings
{
    /// <summary>The default for how many mappings may wait; a peer cannot grow the table past the capacity.</summary>
    public const int MaxMappings = 64;

    // Sorted by subflow sequence number, so lookups are binary searches; mappings mostly arrive in
    // order and leave from the front.
    private readonly List<Mapping> _mappings = [];
    private readonly bool _checksums;

    // Mappings leave mostly from the front: they stay in the list behind _head until half of it is dead.
    private int _head;

    /// <summary>Makes an empty table; with <paramref name="checksums"/>, mappings are passed on only whole and verified.</summary>
    public ReceiveMappings(bool checksums, int capacity = MaxMappings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _checksums = checksums;
        Capacity = capacity;
    }

    /// <summary>Handles bytes of one mapping: their data sequence number and the bytes, borrowed for the call.</summary>
    public delegate void Deliver(DataSeqNum dsn, ReadOnlySpan<byte> data);

    /// <summary>Gets how many mappings may wait at most.</summary>
    public int Capacity { get; }

    /// <summary>Bytes received in subflow order that no mapping covered when they came.</summary>
    public long UnmappedBytes { get; private set; }

    /// <summary>Gets or sets what the subflow adds to data sequence numbers on the wire (the privacy profile's offset): checksums cover the wire value.</summary>
    public ulong ChecksumDsnOffset { get; set; }

    /// <summary>Mappings whose checksum failed.</summary>
    public long ChecksumFailures { get; private set; }

    /// <summary>
    /// Registers a mapping from a DSS option: <paramref name="length"/> bytes from subflow-relative
    /// sequence <paramref name="ssn"/> carry data sequence numbers from <paramref name="dsn"/>. A
    /// repeat of a known mapping is ignored. Returns false when the table is full (the caller resets
    /// the subflow, as a peer that never sends the mapped data is misbehaving). <paramref name="dataFin"/>
    /// says the option's Data-Level Length was one more, for a DATA_FIN it carried: the checksum's
    /// pseudo-header holds the option's value (RFC 8684 §3.3.1, as Linux sends it).
    /// </summary>
    public bool AddMapping(DataSeqNum dsn, uint ssn, ushort length, ushort? checksum, bool dataFin = false)
    {
        int index = LowerBound(ssn);
        if (index < _mappings.Count && _mappings[index].Ssn == ssn)
        {
            // A repeat (a retransmitted segment) or a conflicting one: the first mapping stands.
            return true;
        }

        if (_mappings.Count - _head >= Capacity)
        {
            return false;
        }

        _mappings.Insert(index, new Mapping(dsn, ssn, length, checksum, _checksums ? new byte[length] : null, dataFin));
        return true;
    }

    /// <summary>
    /// Takes in-order subflow bytes starting at subflow-relative sequence <paramref name="ssn"/> and
    /// passes each mapped byte range to <paramref name="deliver"/> with its data sequence number.
    /// </summary>
    public MappingOutcome OnData(uint ssn, ReadOnlySpan<byte> data, Deliver deliver)
    {
        MappingOutcome outcome = MappingOutcome.Mapped;
        int position = 0;
        while (position < data.Length)
        {
            uint at = ssn + (uint)position;
            if (!TryFind(at, out int index))
            {
                UnmappedBytes += data.Length - position;
                return MappingOutcome.Unmapped;
            }

            ref Mapping mapping = ref System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_mappings)[index];
            int into = (int)(at - mapping.Ssn);
            int n = Math.Min(mapping.Length - into, data.Length - position);
            ReadOnlySpan<byte> piece = data.Slice(position, n);
            mapping.Received += n;
            bool complete = mapping.Received >= mapping.Length;
            if (mapping.Buffer is null)
            {
                deliver(mapping.Dsn + (ulong)into, piece);
            }
            else
            {
                piece.CopyTo(mapping.Buffer.AsSpan(into));
                if (complete)
                {
                    if (mapping.Checksum is { } sum && !DssChecksum.IsValid(SubflowOffsets.ToWire(mapping.Dsn.Value, ChecksumDsnOffset), mapping.Ssn, (ushort)(mapping.Length + (mapping.DataFin ? 1 : 0)), sum, mapping.Buffer))
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

            if (complete)
            {
                Remove(index);
            }

            position += n;
        }

        // Mappings wholly behind the data just handed over can no longer be used.
        uint next = ssn + (uint)data.Length;
        while (_head < _mappings.Count && (int)(next - (_mappings[_head].Ssn + _mappings[_head].Length)) >= 0)
        {
            Remove(_head);
        }

        return outcome;
    }

    // Sequence numbers compare wrap-aware (RFC 9293 §3.4): the mappings in the table span far less than 2^31.
    private void Remove(int index)
    {
        if (index != _head)
        {
            _mappings.RemoveAt(index);
            return;
        }

        _mappings[_head++] = default;
        if (_head == _mappings.Count)
        {
            _mappings.Clear();
            _head = 0;
        }
        else if (_head > 64 && _head > _mappings.Count / 2)
        {
            _mappings.RemoveRange(0, _head);
            _head = 0;
        }
    }

    private int LowerBound(uint ssn)
    {
        int lo = _head;
        int hi = _mappings.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if ((int)(_mappings[mid].Ssn - ssn) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private bool TryFind(uint ssn, out int index)
    {
        // The mapping holding ssn is the last one that starts at or before it.
        index = LowerBound(ssn);
        if (index < _mappings.Count && _mappings[index].Ssn == ssn)
        {
            return true;
        }

        index--;
        return index >= _head && unchecked(ssn - _mappings[index].Ssn) < _mappings[index].Length;
    }

    // A struct kept in the list, so registering a mapping (one per segment) allocates nothing.
    private struct Mapping(DataSeqNum dsn, uint ssn, ushort length, ushort? checksum, byte[]? buffer, bool dataFin)
    {
        public readonly DataSeqNum Dsn = dsn;

        public readonly uint Ssn = ssn;

        public readonly ushort Length = length;

        public readonly ushort? Checksum = checksum;

        public readonly byte[]? Buffer = buffer;

        public readonly bool DataFin = dataFin;

        public int Received;
    }
}
