namespace MptcpPrivacy.Simulation;

/// <summary>
/// A node that takes arriving packets over, array and all, and sends them on changed in place (a
/// router); the simulator then neither copies nor reuses the array, the node does.
/// </summary>
internal interface IForwardingNode
{
    /// <summary>Takes one IP packet that arrived on <paramref name="interfaceIndex"/>; the node owns <paramref name="packet"/> from now on.</summary>
    /// <param name="now">The virtual time in nanoseconds.</param>
    /// <param name="interfaceIndex">The node's own interface number the link is attached to.</param>
    /// <param name="packet">The whole IP packet.</param>
    /// <param name="pooled">Whether the array belongs to the simulator's pool: the node sends it on marked so, or gives it back when it drops it.</param>
    /// <param name="pool">The simulator's pool, for the arrays the node drops.</param>
    void OnPacket(long now, int interfaceIndex, byte[] packet, bool pooled, PacketPool pool);
}
