using System.Buffers.Binary;
using System.Net;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Link;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Support;

/// <summary>
/// Builds a capture of MPTCP traffic packet by packet, with the crypto right: tokens, IDSNs, join
/// HMACs, ADD_ADDR HMACs and DSS checksums come from the keys given (unless a fault is asked for),
/// TCP sequence numbers and checksums are consistent, and every packet is 1 ms after the one before.
/// Frames are numbered from 1 in the order they are made; the file is written by <see cref="Write"/>.
/// </summary>
/// <example>
/// <code>
/// var c = new SyntheticCapture(LinkType.LinuxSll2);
/// SyntheticConnection conn = c.Connection("198.51.100.2", "192.0.2.1", 0x1111, 0x2222, checksums: true);
/// conn.Handshake();
/// conn.Data(fromClient: true, "hello"u8);
/// conn.Join(from: "203.0.113.2", interfaceIndex: 3);
/// c.Write(path);
/// </code>
/// </example>
internal sealed class SyntheticCapture
{
    /// <summary>The time of the first packet: 2023-11-14T22:13:20Z, in Unix nanoseconds.</summary>
    public const long StartNs = 1_700_000_000_000_000_000;

    private readonly List<SyntheticPacket> _packets = [];
    private readonly Random _random;
    private long _nextTimeNs = StartNs;
    private ushort _nextPort = 40_000;
    private ushort _nextIpId = 1;

    /// <summary>Starts an empty capture whose frames carry <paramref name="linkType"/> headers; <paramref name="seed"/> picks ISNs and nonces.</summary>
    public SyntheticCapture(LinkType linkType = LinkType.Raw, int seed = 8684)
    {
        _ = LinkFrame.EncodedHeaderLength(linkType);
        LinkType = linkType;
        _random = new Random(seed);
    }

    /// <summary>The link-layer header of every frame (SLL2 frames carry each subflow's interface index).</summary>
    public LinkType LinkType { get; }

    /// <summary>How far apart consecutive packets are, in nanoseconds.</summary>
    public long StepNs { get; set; } = 1_000_000;

    /// <summary>The packets made so far, frame 1 first.</summary>
    public IReadOnlyList<SyntheticPacket> Packets => _packets;

    /// <summary>The packet of frame <paramref name="frame"/> (1-based), to damage it before writing.</summary>
    public SyntheticPacket this[int frame] => _packets[frame - 1];

    /// <summary>The number the next packet will get.</summary>
    public int NextFrame => _packets.Count + 1;

    /// <summary>
    /// Describes a connection from <paramref name="client"/> to <paramref name="server"/>; nothing is
    /// sent until <see cref="SyntheticConnection.Handshake"/>. <paramref name="checksums"/> sets the
    /// MP_CAPABLE A flag, and with it a checksum on every DSS mapping.
    /// </summary>
    public SyntheticConnection Connection(string client, string server, ulong clientKey, ulong serverKey, int version = 1,
        bool checksums = false, ushort serverPort = 443, int interfaceIndex = 2) =>
        new(this, IPAddress.Parse(client), IPAddress.Parse(server), serverPort, clientKey, serverKey, version, checksums, interfaceIndex);

    /// <summary>Writes the capture to <paramref name="path"/> and returns its bytes with the offset of every record.</summary>
    public SyntheticFile Write(string path, CaptureFormat format = CaptureFormat.Pcap)
    {
        SyntheticFile file = Build(format);
        File.WriteAllBytes(path, file.Bytes);
        return file;
    }

    /// <summary>Encodes the capture as pcap (nanosecond) or pcapng (one interface); packets cut by <see cref="SyntheticPacket.CapturedLength"/> keep their original length.</summary>
    public SyntheticFile Build(CaptureFormat format = CaptureFormat.Pcap)
    {
        using var stream = new MemoryStream();
        var offsets = new long[_packets.Count];
        if (format == CaptureFormat.Pcap)
        {
            using var writer = new PcapWriter(stream, LinkType, leaveOpen: true);
            for (int i = 0; i < _packets.Count; i++)
            {
                offsets[i] = stream.Position;
                SyntheticPacket p = _packets[i];
                writer.Write(p.TimestampNs, p.Data.AsSpan(0, p.CapturedLength), p.Data.Length);
            }
        }
        else if (format == CaptureFormat.Pcapng)
        {
            using var writer = new PcapngWriter(stream, leaveOpen: true);
            int id = writer.AddInterface(LinkType);
            for (int i = 0; i < _packets.Count; i++)
            {
                offsets[i] = stream.Position;
                SyntheticPacket p = _packets[i];
                writer.WriteEnhancedPacket(id, p.TimestampNs, p.Data.AsSpan(0, p.CapturedLength), p.Data.Length);
            }
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "pcap or pcapng");
        }

        return new SyntheticFile(stream.ToArray(), offsets);
    }

    /// <summary>A fresh ephemeral port for a subflow's initiator.</summary>
    internal ushort NextPort() => _nextPort++;

    /// <summary>A random 32-bit value (ISNs, join nonces) from the capture's seeded generator.</summary>
    internal uint NextRandom() => (uint)_random.NextInt64(1, 1L << 32);

    /// <summary>Makes one TCP segment of <paramref name="subflow"/> into a frame and returns its frame number.</summary>
    internal int Emit(SyntheticSubflow subflow, bool fromInitiator, uint sequence, uint acknowledgment, TcpFlags flags, ReadOnlySpan<byte> options, ReadOnlySpan<byte> payload)
    {
        byte[] source = (fromInitiator ? subflow.InitiatorAddress : subflow.ResponderAddress).GetAddressBytes();
        byte[] destination = (fromInitiator ? subflow.ResponderAddress : subflow.InitiatorAddress).GetAddressBytes();
        bool v4 = source.Length == 4;
        int linkLength = LinkFrame.EncodedHeaderLength(LinkType);
        int ipLength = v4 ? Ipv4Header.MinimumLength : Ipv6Header.FixedLength;
        int tcpLength = TcpHeaderFields.HeaderLength(options.Length);
        var frame = new byte[linkLength + ipLength + tcpLength + payload.Length];

        LinkFrame.EncodeHeader(LinkType, v4 ? NetworkProtocol.Ipv4 : NetworkProtocol.Ipv6, frame, subflow.InterfaceIndex);
        Span<byte> ip = frame.AsSpan(linkLength);
        if (v4)
        {
            new Ipv4HeaderFields
            {
                TotalLength = checked((ushort)(ipLength + tcpLength + payload.Length)),
                Identification = _nextIpId++,
                DontFragment = true,
                Ttl = 64,
                Protocol = IpProtocol.Tcp,
                Source = BinaryPrimitives.ReadUInt32BigEndian(source),
                Destination = BinaryPrimitives.ReadUInt32BigEndian(destination),
            }.Encode(ip);
        }
        else
        {
            new Ipv6HeaderFields
            {
                PayloadLength = checked((ushort)(tcpLength + payload.Length)),
                NextHeader = IpProtocol.Tcp,
                HopLimit = 64,
                Source = BinaryPrimitives.ReadUInt128BigEndian(source),
                Destination = BinaryPrimitives.ReadUInt128BigEndian(destination),
            }.Encode(ip);
        }

        Span<byte> segment = frame.AsSpan(linkLength + ipLength);
        new TcpHeaderFields
        {
            SourcePort = fromInitiator ? subflow.InitiatorPort : subflow.ResponderPort,
            DestinationPort = fromInitiator ? subflow.ResponderPort : subflow.InitiatorPort,
            SequenceNumber = sequence,
            AcknowledgmentNumber = acknowledgment,
            Flags = flags,
            Window = 64_240,
        }.Encode(segment, options);
        payload.CopyTo(segment[tcpLength..]);
        TcpChecksum.Write(source, destination, segment);

        var packet = new SyntheticPacket(_packets.Count + 1, _nextTimeNs, frame, linkLength, ipLength, tcpLength);
        _nextTimeNs += StepNs;
        _packets.Add(packet);
        return packet.Frame;
    }
}

/// <summary>An encoded capture file: its bytes and the byte offset of each frame's record or block.</summary>
internal sealed record SyntheticFile(byte[] Bytes, long[] RecordOffsets)
{
    /// <summary>The byte offset of frame <paramref name="frame"/>'s record (pcap) or Enhanced Packet Block (pcapng).</summary>
    public long OffsetOf(int frame) => RecordOffsets[frame - 1];
}

/// <summary>One frame of a <see cref="SyntheticCapture"/>; its bytes may be damaged before the capture is written.</summary>
internal sealed class SyntheticPacket(int frame, long timestampNs, byte[] data, int linkLength, int ipLength, int tcpLength)
{
    /// <summary>The 1-based frame number.</summary>
    public int Frame { get; } = frame;

    /// <summary>Capture time, Unix nanoseconds.</summary>
    public long TimestampNs { get; } = timestampNs;

    /// <summary>The whole frame, link header first; changes show in the file.</summary>
    public byte[] Data { get; } = data;

    /// <summary>Where the IP header starts.</summary>
    public int IpOffset { get; } = linkLength;

    /// <summary>Where the TCP header starts.</summary>
    public int TcpOffset { get; } = linkLength + ipLength;

    /// <summary>Where the TCP options start.</summary>
    public int OptionsOffset => TcpOffset + TcpHeader.MinimumLength;

    /// <summary>Where the TCP payload starts.</summary>
    public int PayloadOffset { get; } = linkLength + ipLength + tcpLength;

    /// <summary>How many bytes the capture keeps: less than <see cref="Data"/>'s length means cut by the snap length.</summary>
    public int CapturedLength { get; set; } = data.Length;

    /// <summary>Flips bits of the TCP checksum so it no longer verifies.</summary>
    public void CorruptTcpChecksum() => Data[TcpOffset + TcpChecksum.FieldOffset] ^= 0x5A;
}
