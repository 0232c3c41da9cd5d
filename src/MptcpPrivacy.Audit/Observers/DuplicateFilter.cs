using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using MptcpPrivacy.Wire.Packets;

namespace MptcpPrivacy.Audit.Observers;

/// <summary>
/// Recognises the same packet captured twice (at two points of its path, or on two interfaces of
/// one host) within a short time, so merged captures are not double-counted. The signature covers
/// addresses, ports, sequence and acknowledgment numbers, flags, window, options and the start of
/// the payload, which distinct packets essentially never share; TTL and checksums are left out as
/// routers change them. Memory is bounded by the packets of the last <see cref="Window"/>.
/// </summary>
internal sealed class DuplicateFilter
{
    /// <summary>How far apart two sightings of one packet may be.</summary>
    public const long Window = 2_000_000_000;

    private readonly Dictionary<ulong, Entry> _recent = [];
    private readonly Queue<(long TimeNs, ulong Signature)> _order = new();

    /// <summary>
    /// Finds or makes the record of this packet; <paramref name="seenBefore"/> says whether it was
    /// seen within the window. The record holds a bit per observer (at most 64) already given it.
    /// </summary>
    public ref Entry Sighting(scoped in TcpPacket packet, long timeNs, out bool seenBefore)
    {
        while (_order.Count > 0 && _order.Peek().TimeNs < timeNs - Window)
        {
            (long oldTime, ulong oldSignature) = _order.Dequeue();
            if (_recent.TryGetValue(oldSignature, out Entry old) && old.TimeNs == oldTime)
            {
                _recent.Remove(oldSignature);
            }
        }

        ulong signature = Signature(in packet);
        ref Entry entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_recent, signature, out seenBefore);
        if (seenBefore && Math.Abs(timeNs - entry.TimeNs) > Window)
        {
            // The same bytes long before or after (time running backwards in a merged file, a replay):
            // another packet, not a second sighting.
            seenBefore = false;
        }

        if (!seenBefore)
        {
            entry = new Entry(timeNs, 0);
            _order.Enqueue((timeNs, signature));
        }

        return ref entry;
    }

    private static ulong Signature(in TcpPacket packet)
    {
        ReadOnlySpan<byte> tcp = packet.Tcp.Header;
        ReadOnlySpan<byte> payload = packet.Tcp.Payload;
        ulong h = Mix(0x9E3779B97F4A7C15UL, packet.Ip.Source);
        h = Mix(h, packet.Ip.Destination);
        // Ports, sequence, acknowledgment, offset and flags, window (bytes 0-15); options (20-).
        h = Mix(h, tcp[..16]);
        h = Mix(h, tcp[20..]);
        h = Mix(h, payload[..Math.Min(payload.Length, 32)]);
        return Step(h, (ulong)payload.Length);
    }

    /// <summary>Folds bytes into the hash eight at a time (a multiply-rotate mix; not cryptographic, need not be).</summary>
    private static ulong Mix(ulong h, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length >= 8)
        {
            h = Step(h, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            bytes = bytes[8..];
        }

        ulong tail = (ulong)bytes.Length << 56;
        for (int i = 0; i < bytes.Length; i++)
        {
            tail |= (ulong)bytes[i] << (8 * i);
        }

        return Step(h, tail);
    }

    private static ulong Step(ulong h, ulong value) => BitOperations.RotateLeft((h ^ value) * 0xFF51AFD7ED558CCDUL, 31) * 0xC4CEB9FE1A85EC53UL;

    /// <summary>When a packet was first seen, and which observers (a bit each) already took it.</summary>
    internal record struct Entry(long TimeNs, ulong FedObservers);
}
