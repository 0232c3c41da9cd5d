namespace MptcpPrivacy.Capture;

/// <summary>Says which container format a capture file uses.</summary>
public enum CaptureFormat : byte
{
    /// <summary>Not recognised: the file did not start with a pcap or pcapng magic number.</summary>
    Unknown = 0,

    /// <summary>The classic libpcap format (draft-ietf-opsawg-pcap), including the nanosecond and Kuznetsov variants.</summary>
    Pcap,

    /// <summary>PCAP Next Generation (draft-ietf-opsawg-pcapng).</summary>
    Pcapng,
}
