namespace MptcpPrivacy.Linux.Tun;

/// <summary>Which way a packet crossed the TUN device, seen from the stack.</summary>
public enum TapDirection : byte
{
    /// <summary>Read from the device: the kernel sent it to the stack.</summary>
    Received,

    /// <summary>Written to the device: the stack sent it.</summary>
    Sent,
}

/// <summary>
/// Sees every packet a <see cref="TunStackHost"/> reads from or writes to its device, on the host's
/// thread and before the packet is checked (a capture writer, a counter). It must not keep the span.
/// </summary>
public interface IPacketTap
{
    /// <summary>Records one whole IP packet that crossed the device in <paramref name="direction"/>.</summary>
    void Record(TapDirection direction, ReadOnlySpan<byte> packet);
}
