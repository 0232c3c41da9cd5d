namespace MptcpPrivacy.Simulation;

/// <summary>Counters of one direction of a link. Every packet offered ends in exactly one of delivered or a drop counter, or is still in flight.</summary>
public sealed class LinkStatistics
{
    /// <summary>Gets the packets the sending node offered.</summary>
    public long Offered { get; internal set; }

    /// <summary>Gets the packets handed to the receiving node, duplicates included.</summary>
    public long Delivered { get; internal set; }

    /// <summary>Gets the bytes handed to the receiving node, duplicates included.</summary>
    public long DeliveredBytes { get; internal set; }

    /// <summary>Gets the packets dropped because the queue was full (tail drop).</summary>
    public long DroppedQueueFull { get; internal set; }

    /// <summary>Gets the packets dropped by the loss process.</summary>
    public long DroppedLoss { get; internal set; }

    /// <summary>Gets the packets dropped because they were larger than the MTU.</summary>
    public long DroppedOverMtu { get; internal set; }

    /// <summary>Gets the packets dropped because the link was down when they were offered, or were queued when it went down.</summary>
    public long DroppedLinkDown { get; internal set; }

    /// <summary>Gets the packets a link element (NAT, stripper) dropped.</summary>
    public long DroppedByElement { get; internal set; }

    /// <summary>Gets the extra copies made by duplication.</summary>
    public long Duplicated { get; internal set; }

    /// <summary>Gets the packets held back so that later ones overtake them.</summary>
    public long Reordered { get; internal set; }

    /// <summary>Gets the packets delivered before a packet that was sent earlier (observed reordering, jitter included).</summary>
    public long ArrivedOutOfOrder { get; internal set; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"offered {Offered}, delivered {Delivered} ({DeliveredBytes} B), queue drops {DroppedQueueFull}, loss {DroppedLoss}, " +
        $"over MTU {DroppedOverMtu}, down {DroppedLinkDown}, element drops {DroppedByElement}, duplicated {Duplicated}, " +
        $"reordered {Reordered}, out of order {ArrivedOutOfOrder}";
}
