using MptcpPrivacy.Stack.Sequencing;

namespace MptcpPrivacy.Stack.Mptcp;

/// <summary>One DSS mapping this host sent on a subflow (RFC 8684 §3.3.1).</summary>
/// <param name="Ssn">The relative subflow sequence number of its first byte (1 for the subflow's first data byte).</param>
/// <param name="Length">Its data-level length.</param>
/// <param name="Dsn">The data sequence number of its first byte.</param>
/// <param name="Checksum">Its DSS checksum, when checksums are in use.</param>
internal readonly record struct SendMapping(uint Ssn, ushort Length, DataSeqNum Dsn, ushort? Checksum)
{
    /// <summary>Gets the relative subflow sequence number just past its last byte.</summary>
    public uint SsnEnd => unchecked(Ssn + Length);

    /// <summary>Gets the data sequence number just past its last byte.</summary>
    public DataSeqNum DsnEnd => Dsn + (ulong)Length;
}

/// <summary>
/// The mappings a subflow carries, in subflow order: the sender keeps each until TCP acknowledges
/// its bytes, so a retransmitted segment carries the same mapping and, if the subflow fails, its
/// data can be reinjected on another (RFC 8684 §3.3.6). Lookup by sequence number is a binary search.
/// </summary>
internal sealed class SendMappings
{
    private SendMapping[] _items = new SendMapping[64];
    private int _head;
    private int _count;

    /// <summary>Gets how many mappings are held.</summary>
    public int Count => _count;

    /// <summary>Gets the mapping at <paramref name="index"/> (0 is the oldest).</summary>
    public SendMapping this[int index] => _items[_head + index];

    /// <summary>Appends a mapping that follows the last one.</summary>
    public void Add(SendMapping mapping)
    {
        if (_head + _count == _items.Length)
        {
            if (_head > _items.Length / 2)
            {
                Array.Copy(_items, _head, _items, 0, _count);
            }
            else
            {
                Array.Resize(ref _items, _items.Length * 2);
                Array.Copy(_items, _head, _items, 0, _count);
            }

            _head = 0;
        }

        _items[_head + _count++] = mapping;
    }

    /// <summary>Finds the mapping that holds relative sequence <paramref name="ssn"/>.</summary>
    public bool TryFind(uint ssn, out SendMapping mapping)
    {
        int lo = 0;
        int hi = _count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            SendMapping m = _items[_head + mid];
            if ((int)(ssn - m.Ssn) < 0)
            {
                hi = mid - 1;
            }
            else if ((int)(ssn - m.SsnEnd) >= 0)
            {
                lo = mid + 1;
            }
            else
            {
                mapping = m;
                return true;
            }
        }

        mapping = default;
        return false;
    }

    /// <summary>Drops the mappings whose bytes are all before relative sequence <paramref name="ssnAcked"/>.</summary>
    public void AcknowledgeTo(uint ssnAcked)
    {
        while (_count > 0 && (int)(ssnAcked - _items[_head].SsnEnd) >= 0)
        {
            _head++;
            _count--;
        }

        if (_count == 0)
        {
            _head = 0;
        }
    }

    /// <summary>Drops every mapping.</summary>
    public void Clear()
    {
        _head = 0;
        _count = 0;
    }
}
