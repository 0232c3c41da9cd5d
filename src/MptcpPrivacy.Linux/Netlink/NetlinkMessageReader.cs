using System.Runtime.InteropServices;

namespace MptcpPrivacy.Linux.Netlink;

/// <summary>
/// Walks the netlink messages of one datagram. Never throws and never loops forever: a header cut
/// short, a length below the header or past the end stops the walk with <see cref="Error"/> set,
/// naming the byte offset. <c>while (reader.MoveNext(out var m)) ...</c>
/// </summary>
public ref struct NetlinkMessageReader
{
    private readonly ReadOnlySpan<byte> _datagram;
    private int _position;

    /// <summary>Reads the messages of <paramref name="datagram"/>.</summary>
    public NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        _datagram = datagram;
        _position = 0;
        Error = null;
    }

    /// <summary>Gets why the walk stopped early, or null when it reached the end (or has not yet).</summary>
    public NetlinkError? Error { get; private set; }

    /// <summary>Moves to the next message; false at the end or on a malformed one (then <see cref="Error"/> says which).</summary>
    public bool MoveNext(out NetlinkMessage message)
    {
        message = default;
        int left = _datagram.Length - _position;
        if (left <= 0 || Error is not null)
        {
            return false;
        }

        if (left < Netlink.MessageHeaderLength)
        {
            Error = new NetlinkError(_position, $"truncated message header ({left} of {Netlink.MessageHeaderLength} bytes)");
            return false;
        }

        ReadOnlySpan<byte> header = _datagram.Slice(_position, Netlink.MessageHeaderLength);
        uint length = MemoryMarshal.Read<uint>(header);
        if (length < Netlink.MessageHeaderLength)
        {
            Error = new NetlinkError(_position, $"message length {length} is below its {Netlink.MessageHeaderLength}-byte header");
            return false;
        }

        if (length > left)
        {
            Error = new NetlinkError(_position, $"message length {length} runs past the end ({left} bytes left)");
            return false;
        }

        message = new NetlinkMessage(
            MemoryMarshal.Read<ushort>(header[4..]),
            MemoryMarshal.Read<ushort>(header[6..]),
            MemoryMarshal.Read<uint>(header[8..]),
            MemoryMarshal.Read<uint>(header[12..]),
            _datagram.Slice(_position + Netlink.MessageHeaderLength, (int)length - Netlink.MessageHeaderLength),
            _position);
        _position = (int)Math.Min(_position + (long)Netlink.Align((int)length), _datagram.Length);
        return true;
    }
}
