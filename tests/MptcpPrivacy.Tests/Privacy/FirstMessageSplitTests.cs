using MptcpPrivacy.Capture;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>
/// The blog's ClientHello defence: the first message's head on the initial path, its tail on the
/// first join only, failing closed when there is no second path.
/// </summary>
public sealed class FirstMessageSplitTests
{
    private static readonly IpAddressBytes Path1Client = IpAddressBytes.Parse("198.51.100.2");
    private const int Head = 100;
    private const int Tail = 200;

    private static (ScenarioResult Result, List<(IpAddressBytes Source, long Offset, int Length)> Mappings) Run(string path2)
    {
        var spec = new ScenarioSpec
        {
            Paths = [PathSpec.Parse("rate=20M,rtt=20ms"), PathSpec.Parse(path2)],
            ClientToServerBytes = 200_000,
            ServerToClientBytes = 50_000,
            DurationNs = 30_000_000_000,
        };
        var client = new MptcpOptions { FirstMessageSplit = new FirstMessageSplit(Head, Tail, TimeSpan.FromSeconds(2)) };
        using var capture = new MemoryStream();
        ScenarioResult r = ScenarioRunner.Run(spec, capture, client: client, server: new MptcpOptions());
        ulong idsn1 = r.ClientConnection!.LocalKey.Idsn + 1;

        // Every range of the client's data sequence space a client segment carries, and where from.
        var mappings = new List<(IpAddressBytes, long, int)>();
        using var reader = CaptureReader.Open(new MemoryStream(capture.ToArray()));
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (!IpPacket.TryParse(frame.Data, out IpPacket ip, out _) || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _)
                || tcp.Payload.Length == 0 || tcp.DestinationPort != r.ClientConnection.Subflows[0].Tuple.RemotePort)
            {
                continue;
            }

            foreach (MptcpOption option in new MptcpOptionReader(tcp.ReadOptions()))
            {
                if (option.Subtype == MptcpSubtype.Dss && option.Dss.HasMapping && option.Dss.DsnIs64Bit)
                {
                    mappings.Add((IpAddressBytes.FromSpan(ip.Source), (long)(option.Dss.DataSequenceNumber - idsn1), option.Dss.DataLevelLength));
                }
                else if (option.Subtype == MptcpSubtype.MpCapable && option.MpCapable.HasDataLevelLength)
                {
                    mappings.Add((IpAddressBytes.FromSpan(ip.Source), 0, option.MpCapable.DataLevelLength));
                }
            }
        }

        return (r, mappings);
    }

    [Fact]
    public void TheHeadGoesOnTheInitialPathAndTheTailOnlyOnTheJoin()
    {
        (ScenarioResult r, var mappings) = Run("rate=20M,rtt=40ms");
        Assert.True(r.Success, r.Outcome.ToString());
        Assert.Contains(mappings, m => m.Offset == 0 && m.Source == Path1Client);
        Assert.Contains(mappings, m => m.Offset == Head && m.Source != Path1Client);
        foreach ((IpAddressBytes source, long offset, int length) in mappings)
        {
            bool touchesHead = offset < Head;
            bool touchesTail = offset < Head + Tail && offset + length > Head;
            Assert.False(touchesHead && offset + length > Head, $"a mapping at {offset}+{length} crosses from the head into the tail");
            if (touchesTail)
            {
                Assert.NotEqual(Path1Client, source);
            }
            else if (touchesHead)
            {
                Assert.Equal(Path1Client, source);
            }
        }
    }

    [Fact]
    public void WithoutASecondPathTheConnectionIsAbortedAndTheTailNeverSent()
    {
        (ScenarioResult r, var mappings) = Run("rate=20M,rtt=40ms,strip=join");
        MptcpConnection client = r.ClientConnection!;
        Assert.False(r.Success);
        Assert.Equal(MptcpConnectionState.Closed, client.State);
        Assert.Equal(1, client.Counters.FirstMessageSplitFailures);
        Assert.Contains(client.Events, e => e.Kind == MptcpEventKind.PrivacyFailed);
        Assert.NotEmpty(mappings);
        Assert.All(mappings, m => Assert.True(m.Offset + m.Length <= Head, $"client data at {m.Offset}+{m.Length} left after the head"));
    }
}
