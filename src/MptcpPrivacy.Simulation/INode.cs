namespace MptcpPrivacy.Simulation;

/// <summary>
/// A host or middlebox on the simulated network, driven sans-I/O like a smoltcp device: the
/// simulator hands it packets and the time, polls it for packets to send, and asks when it next
/// wants to be polled. A node never reads a clock or starts a thread.
/// </summary>
/// <remarks>
/// After every delivery and every wake-up the simulator calls <see cref="PollTransmit"/> until it
/// returns false, then <see cref="NextDeadline"/>. A node with something to send that did not arrive
/// with a packet (an application write, say) asks for a poll with <see cref="Simulator.Wake"/>.
/// </remarks>
public interface INode
{
    /// <summary>Gets a name for statistics and capture interface names.</summary>
    string Name { get; }

    /// <summary>Takes one IP packet (IPv4 or IPv6, no link header) that arrived on interface <paramref name="interfaceIndex"/>.</summary>
    /// <param name="now">The virtual time in nanoseconds.</param>
    /// <param name="interfaceIndex">The node's own interface number the link is attached to.</param>
    /// <param name="ipPacket">The packet; borrowed for the call only.</param>
    void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket);

    /// <summary>Returns the next IP packet the node wants to send now, and the interface to send it on; false when it has none.</summary>
    /// <param name="now">The virtual time in nanoseconds; timers due at or before it fire here.</param>
    /// <param name="packet">The packet to send; the simulator owns it afterwards.</param>
    bool PollTransmit(long now, out OutgoingPacket packet);

    /// <summary>Returns the earliest time the node wants to be polled again, or <see cref="long.MaxValue"/> for never.</summary>
    long NextDeadline(long now);
}

/// <summary>One packet a node hands to the simulator: the interface to send it on and its IP bytes.</summary>
/// <param name="InterfaceIndex">The sending node's interface number.</param>
/// <param name="Data">The whole IP packet.</param>
public readonly record struct OutgoingPacket(int InterfaceIndex, byte[] Data)
{
    /// <summary>
    /// Gets whether <see cref="Data"/> came from the simulator's <see cref="PacketPool"/>, so that the
    /// simulator may reuse the array once the packet is delivered or dropped.
    /// </summary>
    internal bool Pooled { get; init; }
}
