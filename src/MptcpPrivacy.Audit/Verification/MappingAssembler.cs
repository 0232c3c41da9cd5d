using System.Collections;
using MptcpPrivacy.Wire.Crypto;

namespace MptcpPrivacy.Audit.Verification;

/// <summary>
/// Collects the data of DSS mappings that carry a checksum, for one direction of one subflow,
/// until each mapping's bytes are all there, then checks the checksum (RFC 8684 §3.3.1). A mapping
/// may cover several segments, arrive before or with its data, and see retransmissions.
/// </summary>
internal sealed class MappingAssembler
{
    /// <summary>Mappings waiting for data beyond this many are given up as unverifiable (bounded memory).</summary>
    private const int MaxPending = 64;

    private readonly List<Pending> _pending = [];

    /// <summary>
    /// Registers a mapping of <paramref name="subflowBytes"/> subflow bytes from subflow-relative
    /// sequence <paramref name="ssn"/>; a mapping with no subflow bytes (a DATA_FIN alone) is checked at once.
    /// </summary>
    public void Add(long frame, ulong dsn, uint ssn, ushort dataLevelLength, ushort checksum, int subflowBytes, CheckTally tally)
    {
        if (subflowBytes == 0)
        {
            Check(frame, dsn, ssn, dataLevelLength, checksum, [], tally);
            return;
        }

        foreach (Pending p in _pending)
        {
            if (p.Ssn == ssn && p.Dsn == dsn && p.DataLevelLength == dataLevelLength)
            {
                return;
            }
        }

        if (_pending.Count == MaxPending)
        {
            Pending oldest = _pending[0];
            _pending.RemoveAt(0);
            tally.Record(oldest.Frame, CheckKind.DssChecksum, CheckStatus.Unverifiable, $"the data of the mapping DSN {oldest.Dsn} was not all captured");
        }

        _pending.Add(new Pending(frame, dsn, ssn, dataLevelLength, checksum, subflowBytes));
    }

    /// <summary>Feeds payload that starts at subflow-relative sequence <paramref name="relativeSequence"/>.</summary>
    public void Feed(uint relativeSequence, ReadOnlySpan<byte> payload, CheckTally tally)
    {
        if (payload.IsEmpty)
        {
            return;
        }

        for (int i = 0; i < _pending.Count; i++)
        {
            Pending p = _pending[i];
            // Offsets are computed modulo 2^32: sequence space wraps.
            long start = unchecked((int)(relativeSequence - p.Ssn));
            long end = start + payload.Length;
            long from = Math.Max(start, 0);
            long to = Math.Min(end, p.Data.Length);
            if (from >= to)
            {
                continue;
            }

            for (long at = from; at < to; at++)
            {
                if (!p.Have[(int)at])
                {
                    p.Have[(int)at] = true;
                    p.Data[at] = payload[(int)(at - start)];
                    p.Missing--;
                }
            }

            if (p.Missing == 0)
            {
                Check(p.Frame, p.Dsn, p.Ssn, p.DataLevelLength, p.Checksum, p.Data, tally);
                _pending.RemoveAt(i--);
            }
        }
    }

    /// <summary>Gives up on the mappings still waiting: the capture ended before their data.</summary>
    public void Finish(CheckTally tally)
    {
        foreach (Pending p in _pending)
        {
            tally.Record(p.Frame, CheckKind.DssChecksum, CheckStatus.Unverifiable, $"the capture ends before all data of the mapping DSN {p.Dsn}");
        }

        _pending.Clear();
    }

    private static void Check(long frame, ulong dsn, uint ssn, ushort dll, ushort checksum, ReadOnlySpan<byte> data, CheckTally tally)
    {
        if (DssChecksum.IsValid(dsn, ssn, dll, checksum, data))
        {
            tally.Valid(CheckKind.DssChecksum);
        }
        else
        {
            tally.Record(frame, CheckKind.DssChecksum, CheckStatus.Invalid,
                $"checksum 0x{checksum:x4} does not match DSN {dsn} SSN {ssn} length {dll} (expected 0x{DssChecksum.Compute(dsn, ssn, dll, data):x4})");
        }
    }

    private sealed class Pending(long frame, ulong dsn, uint ssn, ushort dataLevelLength, ushort checksum, int subflowBytes)
    {
        public long Frame { get; } = frame;
        public ulong Dsn { get; } = dsn;
        public uint Ssn { get; } = ssn;
        public ushort DataLevelLength { get; } = dataLevelLength;
        public ushort Checksum { get; } = checksum;
        public byte[] Data { get; } = new byte[subflowBytes];
        public BitArray Have { get; } = new(subflowBytes);
        public int Missing { get; set; } = subflowBytes;
    }
}
