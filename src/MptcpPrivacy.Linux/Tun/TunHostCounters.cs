namespace MptcpPrivacy.Linux.Tun;

/// <summary>What a <see cref="TunStackHost"/> did with the packets it read and wrote; read them under the host's gate.</summary>
public sealed class TunHostCounters
{
    /// <summary>Gets the packets read from the device.</summary>
    public long PacketsReceived { get; internal set; }

    /// <summary>Gets the TCP segments handed to the stack.</summary>
    public long SegmentsDelivered { get; internal set; }

    /// <summary>Gets the packets written to the device.</summary>
    public long PacketsSent { get; internal set; }

    /// <summary>Gets the packets dropped because their destination is no address of the host.</summary>
    public long NotForUs { get; internal set; }

    /// <summary>Gets the packets dropped because they were not TCP (neighbour discovery, UDP, fragments, ...).</summary>
    public long NotTcp { get; internal set; }

    /// <summary>Gets the TCP segments dropped for a wrong checksum.</summary>
    public long BadChecksum { get; internal set; }

    /// <summary>Gets the packets dropped because their IP or TCP header could not be read.</summary>
    public long Malformed { get; internal set; }

    /// <summary>Gets the packets the kernel had no room for when written (dropped).</summary>
    public long SendDropped { get; internal set; }

    /// <summary>Gets the segments the stack sent from an address the host does not own (dropped, as a kernel would not route them back).</summary>
    public long SourceNotOwned { get; internal set; }
}
