using MptcpPrivacy.Capture;
using MptcpPrivacy.Linux.Tun;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Cli.Connect;

/// <summary>
/// Writes every packet a <see cref="TunStackHost"/> reads or writes to a pcapng file with one
/// raw-IP interface named after the device, so the audit and tshark read what the stack exchanged.
/// </summary>
internal sealed class PcapngPacketTap : IPacketTap, IDisposable
{
    private readonly PcapngWriter _writer;
    private readonly int _interface;
    private readonly Lock _lock = new();

    /// <summary>Creates <paramref name="path"/> (replacing it) for a capture of <paramref name="deviceName"/>.</summary>
    public PcapngPacketTap(string path, string deviceName)
    {
        _writer = new PcapngWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16));
        _interface = _writer.AddInterface(LinkType.Raw, name: deviceName);
    }

    /// <summary>Gets the packets written.</summary>
    public long Packets { get; private set; }

    /// <inheritdoc/>
    public void Record(TapDirection direction, ReadOnlySpan<byte> packet)
    {
        long nanoseconds = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        lock (_lock)
        {
            _writer.WriteEnhancedPacket(_interface, nanoseconds, packet);
            Packets++;
        }
    }

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
        }
    }
}
