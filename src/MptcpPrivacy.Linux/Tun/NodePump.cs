using MptcpPrivacy.Simulation;

namespace MptcpPrivacy.Linux.Tun;

/// <summary>
/// What one round of a <see cref="TunNodeHost"/> does to its <see cref="INode"/>, without the device:
/// hand it the packets read (on interface 0, the device), poll it for what it sends, and turn its
/// next deadline into a poll timeout. Sans-I/O: the caller passes the time and moves the bytes, so
/// tests drive it with a manual clock.
/// </summary>
internal sealed class NodePump(INode node)
{
    /// <summary>The interface index the device has for the node: its only one.</summary>
    public const int DeviceInterface = 0;

    /// <summary>Gets the node.</summary>
    public INode Node { get; } = node;

    /// <summary>Gets the packets handed to the node.</summary>
    public long PacketsDelivered { get; private set; }

    /// <summary>Gets the packets the node sent on an interface other than the device's (dropped: it has no other).</summary>
    public long WrongInterface { get; private set; }

    /// <summary>Hands one packet read from the device to the node at <paramref name="now"/> ns.</summary>
    public void Deliver(long now, ReadOnlySpan<byte> packet)
    {
        PacketsDelivered++;
        Node.OnPacket(now, DeviceInterface, packet);
    }

    /// <summary>
    /// Polls the node at <paramref name="now"/> ns for at most <paramref name="limit"/> packets to the
    /// device, appended to <paramref name="packets"/>; returns whether it stopped at the limit (the
    /// node may have more, so the next round should come at once).
    /// </summary>
    public bool Collect(long now, int limit, List<byte[]> packets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        int taken = 0;
        while (taken < limit)
        {
            if (!Node.PollTransmit(now, out OutgoingPacket packet))
            {
                return false;
            }

            if (packet.InterfaceIndex != DeviceInterface)
            {
                WrongInterface++;
                continue;
            }

            packets.Add(packet.Data);
            taken++;
        }

        return true;
    }

    /// <summary>
    /// Returns how long the host may sleep after a round at <paramref name="now"/> ns, in
    /// milliseconds: 0 when <paramref name="more"/> (a batch filled up), else until the node's next
    /// deadline, bounded by <see cref="TunPollLoop.IdlePollMilliseconds"/>.
    /// </summary>
    public int Timeout(long now, bool more)
    {
        if (more)
        {
            return 0;
        }

        long deadline = Node.NextDeadline(now);
        return deadline == long.MaxValue ? TunPollLoop.IdlePollMilliseconds : TunPollLoop.TimeoutMilliseconds(deadline - now);
    }
}
