using MptcpPrivacy.Capture;
using MptcpPrivacy.Wire.Link;

namespace MptcpPrivacy.Simulation;

/// <summary>
/// An observer that writes every packet delivered on the links it is attached to into one pcapng
/// file: one interface per link (raw IP link type, named after the link), both directions on it,
/// timestamped with the virtual time in nanoseconds (so a run starts at the Unix epoch).
/// </summary>
public sealed class PcapngTap : ILinkObserver, IDisposable
{
    private readonly PcapngWriter _writer;
    private readonly Dictionary<Link, int> _interfaces = new(ReferenceEqualityComparer.Instance);

    /// <summary>Starts a pcapng file on <paramref name="stream"/>.</summary>
    /// <param name="stream">Where the file goes.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves the stream open.</param>
    public PcapngTap(Stream stream, bool leaveOpen = false)
    {
        _writer = new PcapngWriter(stream, leaveOpen);
    }

    /// <summary>Gets how many packets were written.</summary>
    public long PacketsWritten { get; private set; }

    /// <summary>Adds an interface for <paramref name="link"/> and records what it delivers from now on.</summary>
    /// <exception cref="InvalidOperationException">The link is already tapped.</exception>
    public void Attach(Link link)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (_interfaces.ContainsKey(link))
        {
            throw new InvalidOperationException($"Link {link.Name} is already tapped.");
        }

        _interfaces[link] = _writer.AddInterface(LinkType.Raw, name: link.Name);
        link.AddObserver(this);
    }

    /// <inheritdoc/>
    public void OnDelivered(long now, Link link, LinkDirection direction, ReadOnlySpan<byte> packet)
    {
        _writer.WriteEnhancedPacket(_interfaces[link], now, packet);
        PacketsWritten++;
    }

    /// <summary>Writes buffered blocks to the stream.</summary>
    public void Flush() => _writer.Flush();

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose() => _writer.Dispose();
}
