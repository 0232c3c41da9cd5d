namespace MptcpPrivacy.Simulation;

/// <summary>
/// Packet arrays for reuse, by exact length: a simulator takes back the arrays its hosts built once
/// the packet has been delivered, and hosts build the next packets in them. A scenario's data
/// segments all have one or two lengths, so nearly every packet after the first window is reused.
/// </summary>
/// <remarks>
/// Only arrays marked <see cref="OutgoingPacket.Pooled"/> come back here, and only from the
/// simulator once nothing holds them (delivered, dropped, or handed back by a node that owned them);
/// an array a node made itself is never reused, since it may still hold it.
/// </remarks>
internal sealed class PacketPool
{
    /// <summary>The most arrays kept for one length; a run never has more of one length in flight in practice, and this bounds what a strange one keeps.</summary>
    private const int MaximumPerLength = 4096;

    private readonly Dictionary<int, Stack<byte[]>> _free = [];

    /// <summary>Gets how many arrays were handed out again instead of allocated.</summary>
    public long Reused { get; private set; }

    /// <summary>Returns an array of exactly <paramref name="length"/> bytes with any content; the caller writes every byte.</summary>
    public byte[] Rent(int length)
    {
        if (_free.TryGetValue(length, out Stack<byte[]>? free) && free.TryPop(out byte[]? packet))
        {
            Reused++;
            return packet;
        }

        return new byte[length];
    }

    /// <summary>Takes back an array nothing refers to any more.</summary>
    public void Return(byte[] packet)
    {
        if (!_free.TryGetValue(packet.Length, out Stack<byte[]>? free))
        {
            free = new Stack<byte[]>();
            _free.Add(packet.Length, free);
        }

        if (free.Count < MaximumPerLength)
        {
            free.Push(packet);
        }
    }
}
