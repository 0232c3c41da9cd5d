using MptcpPrivacy.Capture;
using MptcpPrivacy.Privacy;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Scenarios;
using MptcpPrivacy.Simulation.Scenarios;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Stack.Mptcp.Privacy;
using MptcpPrivacy.Tests.Stack.Mptcp;
using MptcpPrivacy.Wire.Mptcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Privacy;

/// <summary>The profile's offer in the handshake: used only when both ends offer it, never dropped silently once required.</summary>
public sealed class ProfileNegotiationTests
{
    private static MptcpOptions Options(PrivacyMode mode, bool required = false) => new() { Privacy = new PrivacyOptions { Mode = mode, Required = required } };

    [Theory]
    [InlineData(PrivacyMode.Profile, PrivacyMode.Profile, PrivacyMode.Profile)]
    [InlineData(PrivacyMode.Profile, PrivacyMode.Standard, PrivacyMode.Standard)]
    [InlineData(PrivacyMode.Standard, PrivacyMode.Profile, PrivacyMode.Standard)]
    public void TheProfileRunsOnlyWhenBothEndsOfferIt(PrivacyMode client, PrivacyMode server, PrivacyMode expected)
    {
        var pair = new EndpointPair(Options(client), Options(server));
        MptcpConnection connection = pair.Client.Connect(TimeSpan.Zero, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
        pair.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(MptcpConnectionState.Established, connection.State);
        Assert.False(connection.IsFallback);
        Assert.Equal(expected, connection.PrivacyMode);
        Assert.Equal(expected, Assert.Single(pair.ServerEndpoint.Connections).PrivacyMode);
    }

    [Fact]
    public void AClientThatRequiresTheProfileResetsASynAckWithoutItAtOnce()
    {
        var pair = new EndpointPair(Options(PrivacyMode.Profile, required: true), Options(PrivacyMode.Standard));
        MptcpConnection connection = pair.Client.Connect(TimeSpan.Zero, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
        pair.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(MptcpConnectionState.Closed, connection.State);
        Assert.Equal(1, connection.Counters.ProfileRefused);
        Assert.Contains(connection.Events, e => e.Kind == MptcpEventKind.PrivacyFailed);
        Assert.DoesNotContain(connection.Events, e => e.Kind == MptcpEventKind.Established);

        // The reset follows the SYN/ACK without waiting for anything, with its reason.
        int synAck = pair.Trace.FindIndex(x => !x.ToServer && SegmentEdit.Flags(x.Segment).HasFlag(TcpFlags.Syn | TcpFlags.Ack));
        (TimeSpan at, bool toServer, byte[] reset) = pair.Trace[synAck + 1];
        Assert.True(toServer);
        Assert.True(SegmentEdit.Flags(reset).HasFlag(TcpFlags.Rst));
        Assert.Equal(pair.Trace[synAck].At + pair.OneWayDelay, at);
        Assert.Contains(SegmentEdit.Options(reset), o => o.Subtype == MptcpSubtype.MpTcpRst && o.MpTcpRst.Reason == (byte)MpTcpRstReason.AdministrativelyProhibited);
        Assert.DoesNotContain(pair.Trace, x => SegmentEdit.PayloadLength(x.Segment) > 0);
    }

    [Fact]
    public void AServerThatRequiresTheProfileRefusesASynWithoutIt()
    {
        var pair = new EndpointPair(Options(PrivacyMode.Standard), Options(PrivacyMode.Profile, required: true));
        MptcpConnection connection = pair.Client.Connect(TimeSpan.Zero, EndpointPair.ClientA, EndpointPair.Server, EndpointPair.Port);
        pair.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(1, pair.ServerEndpoint.ProfileRefusals);
        Assert.Empty(pair.ServerEndpoint.Connections);
        Assert.NotEqual(MptcpConnectionState.Established, connection.State);
        byte[] reply = pair.Trace.First(x => !x.ToServer).Segment;
        Assert.True(SegmentEdit.Flags(reply).HasFlag(TcpFlags.Rst));
        Assert.Contains(SegmentEdit.Options(reply), o => o.Subtype == MptcpSubtype.MpTcpRst && o.MpTcpRst.Reason == (byte)MpTcpRstReason.AdministrativelyProhibited);
    }

    [Fact]
    public void TheSplitKeyAgreementRunsItsSecondStageOnTheFirstJoinAndLaterJoinsUseTheFinalKeys()
    {
        var options = new MptcpOptions
        {
            Privacy = new PrivacyOptions { Mode = PrivacyMode.Profile, SplitKeyAgreement = true },
            PathManagerLimits = new MptcpPrivacy.Stack.Mptcp.PathManagement.PathManagerLimits(subflows: 4, addAddrAccepted: 2),
        };
        var spec = new ScenarioSpec
        {
            Paths = [PathSpec.Parse("rate=20M,rtt=20ms"), PathSpec.Parse("rate=20M,rtt=40ms"), PathSpec.Parse("rate=20M,rtt=30ms")],
            ClientToServerBytes = 500_000,
            ServerToClientBytes = 500_000,
            DurationNs = 60_000_000_000,
        };
        using var capture = new MemoryStream();
        ScenarioResult r = ScenarioRunner.Run(spec, capture, client: options, server: options);
        Assert.True(r.Success, r.Outcome.ToString());
        MptcpConnection client = r.ClientConnection!;
        Assert.Equal(PrivacyMode.Profile, client.PrivacyMode);
        Assert.Equal(3, client.Events.Count(e => e.Kind == MptcpEventKind.SubflowEstablished));
        Assert.True(((ProfilePrivacy)client.Privacy).SecondStageReady);
        Assert.True(((ProfilePrivacy)r.ServerConnection!.Privacy).SecondStageReady);

        // The second pair of shares crosses the first join's path only; the third subflow's join
        // came after it (it waited for the final keys).
        var secondStageSources = new HashSet<IpAddressBytes>();
        var joinSynTimes = new List<long>();
        long secondStageConfirmed = long.MaxValue;
        using var reader = CaptureReader.Open(new MemoryStream(capture.ToArray()));
        while (reader.TryReadNext(out CapturedFrame frame))
        {
            if (!IpPacket.TryParse(frame.Data, out IpPacket ip, out _) || !TcpHeader.TryParse(ip.Payload, out TcpHeader tcp, out _))
            {
                continue;
            }

            foreach (TcpOption option in tcp.ReadOptions())
            {
                if (option.Kind == TcpOptionKind.Experimental1 && KeyShareOption.TryParse(option.Bytes, out KeyShareOption share, out _) && share.SecondStage)
                {
                    secondStageSources.Add(IpAddressBytes.FromSpan(ip.Source));
                }

                if (option.Kind == TcpOptionKind.Experimental1 && KeyConfirmOption.TryParse(option.Bytes, out KeyConfirmOption confirm, out _) && confirm.SecondStage)
                {
                    secondStageConfirmed = Math.Min(secondStageConfirmed, frame.TimestampNanoseconds);
                }
            }

            if ((tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn)
            {
                foreach (MptcpOption option in new MptcpOptionReader(tcp.ReadOptions()))
                {
                    if (option.Subtype == MptcpSubtype.MpJoin)
                    {
                        joinSynTimes.Add(frame.TimestampNanoseconds);
                    }
                }
            }
        }

        MptcpSubflow firstJoin = client.Subflows.First(s => s.Role == SubflowRole.JoinActive && s.Phase != SubflowPhase.Handshake);
        Assert.Equal(new HashSet<IpAddressBytes> { firstJoin.Tuple.LocalAddress, firstJoin.Tuple.RemoteAddress }, secondStageSources);
        Assert.True(joinSynTimes.Count >= 2);
        Assert.True(joinSynTimes.Max() > secondStageConfirmed, "the second join did not wait for the final keys");
    }
}
