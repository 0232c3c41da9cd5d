namespace MptcpPrivacy.Simulation;

/// <summary>Watches the packets a link delivers (a capture tap, a test probe); it cannot change them.</summary>
public interface ILinkObserver
{
    /// <summary>Sees one packet at the moment it reaches the far end of the link.</summary>
    /// <param name="now">The arrival time in nanoseconds.</param>
    /// <param name="link">The link.</param>
    /// <param name="direction">The direction it travelled.</param>
    /// <param name="packet">The IP packet; borrowed for the call only.</param>
    void OnDelivered(long now, Link link, LinkDirection direction, ReadOnlySpan<byte> packet);
}
