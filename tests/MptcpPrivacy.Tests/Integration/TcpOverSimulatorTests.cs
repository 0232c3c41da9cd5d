using System.Security.Cryptography;
using MptcpPrivacy.Capture;
using MptcpPrivacy.Simulation;
using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Tests.Support;
using MptcpPrivacy.Wire.Checksums;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Integration;

/// <summary>
/// The stack's TCP subflow on the simulated network (the first end-to-end piece of issue 4):
/// a transfer over a lossy link arrives byte-exact, the same seed gives the same capture, and
/// tshark reads the capture without complaint.
/// </summary>
public class TcpOverSimulatorTests
{
    private static readonly IpAddressBytes ClientAddress = IpAddressBytes.Parse("198.51.100.2");
    private static readonly IpAddressBytes ServerAddress = IpAddressBytes.Parse("192.0.2.1");

    /// <summary>Hosts one TCP subflow on one interface; moves application bytes in and out of it.</summary>
    private sealed class TcpHostNode(string name, IpAddressBytes local, IpAddressBytes remote, TcpSubflow subflow, byte[]? toSend) : INode
    {
        private readonly byte[] _segment = new byte[65536];
        private int _sent;
        private bool _closed;

        public string Name => name;

        public MemoryStream Received { get; } = new();

        public TcpSubflow Subflow => subflow;

        public void OnPacket(long now, int interfaceIndex, ReadOnlySpan<byte> ipPacket)
        {
            if (IpPacket.TryParse(ipPacket, out IpPacket ip, out _) && ip.Protocol == IpProtocol.Tcp
                && TcpChecksum.IsValid(ip.Source, ip.Destination, ip.Payload)
                && TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _))
            {
                subflow.OnSegment(Time(now), in tcp);
            }
        }

        public bool PollTransmit(long now, out OutgoingPacket packet)
        {
            if (subflow.NextDeadline is { } deadline && deadline <= Time(now))
            {
                subflow.OnTimer(Time(now));
            }

            Application();
            int length = subflow.PollTransmit(Time(now), _segment);
            if (length == 0)
            {
                packet = default;
                return false;
            }

            Span<byte> l = stackalloc byte[4], r = stackalloc byte[4];
            local.CopyTo(l);
            remote.CopyTo(r);
            TcpChecksum.Write(l, r, _segment.AsSpan(0, length));
            packet = new OutgoingPacket(0, IpPacketBuilder.Build(local, remote, IpProtocol.Tcp, _segment.AsSpan(0, length)));
            return true;
        }

        public long NextDeadline(long now) => subflow.NextDeadline is { } d ? Math.Max(d.Ticks * 100, now) : long.MaxValue;

        private void Application()
        {
            if (subflow.State is TcpState.Established or TcpState.CloseWait && toSend is not null && _sent < toSend.Length)
            {
                _sent += subflow.Send(toSend.AsSpan(_sent, Math.Min(toSend.Length - _sent, subflow.SendBufferFree)));
            }

            Span<byte> chunk = stackalloc byte[4096];
            int n;
            while ((n = subflow.Receive(chunk)) > 0)
            {
                Received.Write(chunk[..n]);
            }

            bool doneSending = toSend is null || _sent == toSend.Length;
            if (!_closed && doneSending && (toSend is not null || subflow.ReceivedFin) && subflow.State is TcpState.Established or TcpState.CloseWait)
            {
                _closed = true;
                subflow.Close();
            }
        }

        private static TimeSpan Time(long ns) => TimeSpan.FromTicks(ns / 100);
    }

    private static (byte[] Sent, byte[] Received, byte[] Capture, TcpState ClientState) Transfer(int seed, double loss, int bytes)
        => Transfer(seed, bytes, new LinkConfig { RateBitsPerSecond = 10_000_000, DelayNs = 10_000_000, Loss = loss > 0 ? new BernoulliLoss(loss) : null });

    private static (byte[] Sent, byte[] Received, byte[] Capture, TcpState ClientState) Transfer(int seed, int bytes, LinkConfig config, TcpSubflowOptions? buffers = null)
    {
        var random = new Random(seed);
        byte[] data = new byte[bytes];
        new Random(seed + 1).NextBytes(data);
        var sim = new Simulator(random);
        var client = new TcpHostNode("client", ClientAddress, ServerAddress,
            new TcpSubflow((buffers ?? new TcpSubflowOptions()) with { LocalPort = 40000, RemotePort = 10000 }, new Random(seed + 2)), data);
        var server = new TcpHostNode("server", ServerAddress, ClientAddress,
            new TcpSubflow((buffers ?? new TcpSubflowOptions()) with { LocalPort = 10000 }, new Random(seed + 3)), null);
        sim.AddNode(client);
        sim.AddNode(server);
        Link link = sim.Connect(client, 0, server, 0, config, "path1");
        using var capture = new MemoryStream();
        using (var tap = new PcapngTap(capture, leaveOpen: true))
        {
            tap.Attach(link);
            server.Subflow.Listen();
            client.Subflow.Connect(TimeSpan.Zero);
            sim.Wake(client);
            RunOutcome outcome = sim.RunUntilIdle(maxTime: 600_000_000_000, maxEvents: 5_000_000);
            Assert.Equal(RunOutcome.Idle, outcome);
        }

        return (data, server.Received.ToArray(), capture.ToArray(), client.Subflow.State);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.02)]
    public void ATransferOverALossyLinkArrivesByteExact(double loss)
    {
        (byte[] sent, byte[] received, _, TcpState clientState) = Transfer(seed: 7, loss, bytes: 300_000);
        Assert.Equal(SHA256.HashData(sent), SHA256.HashData(received));
        Assert.True(clientState is TcpState.TimeWait or TcpState.Closed, $"client ended in {clientState}");
    }

    [Fact]
    public void SlowStartLeavesBeforeADropTailQueueOverflows()
    {
        // RFC 9406 on the interop bench's shape: 50 Mbit/s, a 1 ms RTT and HTB's default drop-tail
        // queue of 1,000 packets (240 ms), which overflows at about 1.5 MB of window, inside the
        // 4 MB buffers. Plain slow start doubles past that and loses half a window at once (then
        // stalls for a retransmission timeout); HyStart++ leaves slow start when the queue adds
        // 4 ms, and its conservative rounds and congestion avoidance grow far less than the queue
        // holds in this transfer.
        var config = new LinkConfig { RateBitsPerSecond = 50_000_000, DelayNs = 500_000, QueuePackets = 1000 };
        var buffers = new TcpSubflowOptions { ReceiveBufferSize = 4 << 20, SendBufferSize = 4 << 20 };
        (byte[] sent, byte[] received, byte[] capture, _) = Transfer(seed: 3, bytes: 8_000_000, config, buffers);
        Assert.Equal(SHA256.HashData(sent), SHA256.HashData(received));

        string path = Path.Combine(Path.GetTempPath(), $"sim-{Guid.NewGuid():n}.pcapng");
        try
        {
            File.WriteAllBytes(path, capture);
            using CaptureReader reader = CaptureReader.Open(path);
            int dataSegments = 0, resent = 0;
            long? firstResend = null;
            SeqNum32? highest = null;
            while (reader.TryReadNext(out CapturedFrame frame))
            {
                if (IpPacket.TryParse(frame.Data, out IpPacket ip, out _) && IpAddressBytes.FromSpan(ip.Source) == ClientAddress
                    && TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _) && tcp.Payload.Length > 0)
                {
                    var seq = new SeqNum32(tcp.SequenceNumber);
                    dataSegments++;
                    if (highest is { } h && seq < h)
                    {
                        resent++;
                        firstResend ??= frame.TimestampNanoseconds;
                    }
                    else
                    {
                        highest = seq;
                    }
                }
            }

            Assert.True(dataSegments > 5000, $"{dataSegments} data segments");
            Assert.True(resent == 0, $"{resent} of {dataSegments} data segments sent again, the first at {firstResend / 1e6} ms");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameCapture()
    {
        byte[] first = Transfer(seed: 11, loss: 0.02, bytes: 100_000).Capture;
        byte[] second = Transfer(seed: 11, loss: 0.02, bytes: 100_000).Capture;
        Assert.Equal(SHA256.HashData(first), SHA256.HashData(second));
        Assert.NotEqual(SHA256.HashData(first), SHA256.HashData(Transfer(seed: 12, loss: 0.02, bytes: 100_000).Capture));
    }

    [Fact]
    public void TsharkReadsTheCaptureWithoutErrors()
    {
        string tshark = ExternalTool.Require("tshark");
        byte[] capture = Transfer(seed: 5, loss: 0.02, bytes: 100_000).Capture;
        string path = Path.Combine(Path.GetTempPath(), $"sim-{Guid.NewGuid():n}.pcapng");
        try
        {
            File.WriteAllBytes(path, capture);
            string errors = ExternalTool.Run(tshark, ["-r", path, "-n", "-Y", "_ws.malformed || _ws.expert.severity >= error", "-T", "fields", "-e", "frame.number"]);
            Assert.True(errors.Trim().Length == 0, $"tshark finds malformed or erroneous frames: {errors}");
            using CaptureReader reader = CaptureReader.Open(path);
            int frames = 0;
            while (reader.TryReadNext(out _))
            {
                frames++;
            }

            Assert.Null(reader.Error);
            Assert.True(frames > 100, $"{frames} frames");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
