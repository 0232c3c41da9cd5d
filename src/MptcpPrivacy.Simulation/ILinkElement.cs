namespace MptcpPrivacy.Simulation;

/// <summary>
/// A middlebox placed on a link (NAT, option stripper): it sees every packet a node offers to the
/// link, before the MTU check, loss and the queue, and may rewrite or drop it.
/// </summary>
public interface ILinkElement
{
    /// <summary>Returns the packet to carry on (the same array rewritten in place, or a new one), or null to drop it.</summary>
    /// <param name="now">The virtual time in nanoseconds.</param>
    /// <param name="link">The link the packet is on.</param>
    /// <param name="direction">The direction it travels.</param>
    /// <param name="packet">The whole IP packet; the element may change it.</param>
    byte[]? Process(long now, Link link, LinkDirection direction, byte[] packet);
}
